from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class AccountsConfig(AppConfig):
    name = "shenbao.accounts"
    verbose_name = gettext_lazy("账号与角色")

    def ready(self):
        from . import idle  # noqa: F401 (marks a session renewed at login)
