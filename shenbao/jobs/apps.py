from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class JobsConfig(AppConfig):
    name = "shenbao.jobs"
    verbose_name = gettext_lazy("后台任务")
