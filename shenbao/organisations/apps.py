from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class OrganisationsConfig(AppConfig):
    name = "shenbao.organisations"
    verbose_name = gettext_lazy("单位与归口管理部门")
