from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class ReviewConfig(AppConfig):
    name = "shenbao.review"
    verbose_name = gettext_lazy("审核与推荐")
