from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shenbao.accounts"
    verbose_name = "账号与角色"

    def ready(self):
        from . import idle  # noqa: F401 (marks a session renewed at login)
