from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class WebConfig(AppConfig):
    name = "shenbao.web"
    verbose_name = gettext_lazy("页面")
