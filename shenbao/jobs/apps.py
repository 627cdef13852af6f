from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "shenbao.jobs"
    verbose_name = "后台任务"
