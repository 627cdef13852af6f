"""The admin shows the department stage's records; decisions are made on the stage's own pages, which
check, audit and notify, so the records are read-only here except the expert pool."""

from django.contrib import admin

from .models import Acceptance, Assignment, Expert, FundingList, Group, ProjectPerson, Snapshot


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ["name", "unit_name", "title", "available", "confirmed_at"]
    search_fields = ["name", "unit_name", "id_number"]
    list_filter = ["available"]
    raw_id_fields = ["user"]


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnly):
    list_display = ["application", "kind", "version", "taken_at"]
    list_filter = ["kind"]


@admin.register(Acceptance)
class AcceptanceAdmin(ReadOnly):
    list_display = ["application", "status", "clause", "decided_at", "appealed_at"]
    list_filter = ["status"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnly):
    list_display = ["expert", "application", "group", "status", "override_rule"]
    list_filter = ["status", "group"]


@admin.register(Group)
class GroupAdmin(ReadOnly):
    list_display = ["name", "call", "category", "scoring_closes"]


@admin.register(FundingList)
class FundingListAdmin(ReadOnly):
    list_display = ["call", "confirmed_at", "publicity_opens", "publicity_closes", "funded_at"]


@admin.register(ProjectPerson)
class ProjectPersonAdmin(admin.ModelAdmin):
    list_display = ["project_code", "name", "id_number", "role"]
    search_fields = ["project_code", "id_number", "name"]
