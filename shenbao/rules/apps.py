from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "shenbao.rules"
    verbose_name = "形式审查"
