from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class EvaluationConfig(AppConfig):
    """评审: the department's own stage after the recommendation deadline — 受理, experts, assignment
    with conflict avoidance, scoring, ranking, 立项 and 公示 (issue 10)."""

    name = "shenbao.evaluation"
    verbose_name = gettext_lazy("受理、评审与立项")

    def ready(self):
        from . import signals  # noqa: F401  (snapshots of every submission)
