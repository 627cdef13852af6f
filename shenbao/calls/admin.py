from django.contrib import admin

from .models import Call


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "is_demo", "is_active", "loaded_at"]
    list_filter = ["is_demo", "is_active"]
    readonly_fields = ["loaded_at"]
