from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class CallsConfig(AppConfig):
    name = "shenbao.calls"
    verbose_name = gettext_lazy("申报批次")
