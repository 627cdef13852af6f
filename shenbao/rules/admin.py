from django.contrib import admin

from .models import DishonestyRecord, FundedProject, OngoingProjectRecord


@admin.register(OngoingProjectRecord)
class OngoingProjectRecordAdmin(admin.ModelAdmin):
    list_display = ["code", "leader_name", "id_number", "plan", "project_type", "until"]
    search_fields = ["code", "leader_name", "id_number"]


@admin.register(DishonestyRecord)
class DishonestyRecordAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "identifier", "until"]
    search_fields = ["name", "identifier"]


@admin.register(FundedProject)
class FundedProjectAdmin(admin.ModelAdmin):
    list_display = ["year", "title"]
    search_fields = ["title"]
