from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "shenbao.attachments"
    verbose_name = "附件"
