from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class ApplicationsConfig(AppConfig):
    name = "shenbao.applications"
    verbose_name = gettext_lazy("申报书")

    def ready(self):
        # Signal receivers: forget cached calls and live-review contexts when what they hold changes;
        # keep the search index (SQLite) beside the applications.
        from . import autosave, findings, live_review, search, similarity  # noqa: F401
