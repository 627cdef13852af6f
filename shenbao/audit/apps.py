from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "shenbao.audit"
    verbose_name = "审计日志"

    def ready(self):
        from . import signals  # noqa: F401
