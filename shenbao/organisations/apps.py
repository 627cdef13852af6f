from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "shenbao.organisations"
    verbose_name = "单位与归口管理部门"
