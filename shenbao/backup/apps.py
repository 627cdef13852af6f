from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class BackupConfig(AppConfig):
    name = "shenbao.backup"
    verbose_name = gettext_lazy("备份与恢复")
