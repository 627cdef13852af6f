from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "shenbao.documents"
    verbose_name = "文档与签章"
