from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class DocumentsConfig(AppConfig):
    name = "shenbao.documents"
    verbose_name = gettext_lazy("文档与签章")
