from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "shenbao.api"
    verbose_name = "接口"
