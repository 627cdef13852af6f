from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "shenbao.web"
    verbose_name = "页面"
