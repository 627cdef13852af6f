from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "shenbao.applications"
    verbose_name = "申报书"
