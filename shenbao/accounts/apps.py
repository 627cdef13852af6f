from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shenbao.accounts"
    verbose_name = "账号与角色"
