from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy

from .models import User

ROLE_FIELDS = ["role", "unit", "recommender", "real_name", "id_number", "sex", "birth_date", "phone"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "real_name", "role", "unit", "recommender", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "real_name", "id_number", "unit__name"]
    raw_id_fields = ["unit", "recommender"]
    fieldsets = (*BaseUserAdmin.fieldsets, (gettext_lazy("角色"), {"fields": [*ROLE_FIELDS, "must_change_password"]}))
