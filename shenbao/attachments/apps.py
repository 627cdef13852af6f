from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class AttachmentsConfig(AppConfig):
    name = "shenbao.attachments"
    verbose_name = gettext_lazy("附件")
