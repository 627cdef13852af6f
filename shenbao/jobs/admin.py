from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Background jobs for the operator: what is queued, running, failed and why (read-only)."""

    list_display = ["what", "queue", "state", "attempts", "accepted_at", "run_after", "error"]
    list_filter = ["queue", "state"]
    search_fields = ["key", "what"]
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False
