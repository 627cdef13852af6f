from django.contrib import admin

from .models import Recommender, Unit


@admin.register(Recommender)
class RecommenderAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "quota_type", "is_active"]
    list_filter = ["kind", "quota_type", "is_active"]
    search_fields = ["code", "name"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "uscc", "unit_type", "recommender", "status", "created_at"]
    list_filter = ["status", "route", "unit_type"]
    search_fields = ["name", "uscc"]
    raw_id_fields = ["recommender", "competent_department", "reviewed_by"]
