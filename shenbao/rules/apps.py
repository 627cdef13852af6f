from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class RulesConfig(AppConfig):
    name = "shenbao.rules"
    verbose_name = gettext_lazy("形式审查")
