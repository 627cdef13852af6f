"""The rule set of a call: every check of the formal review, in the order the form shows them.

The form (live, per section), the submit check, the API, the `review` command and the batch report
all call `review`; a rule is added here and nowhere else.
"""

from shenbao import language

from .checks import budget, integrity, pi, project, unit
from .context import ReviewContext
from .findings import BLOCKING, Finding
from .snapshot import Snapshot

RULES = [*project.RULES, *unit.RULES, *pi.RULES, *budget.RULES, *integrity.RULES]


def review(app: Snapshot, ctx: ReviewContext) -> list[Finding]:
    with language.steady():  # one language for the whole review, read once
        return [finding for rule in RULES for finding in rule(app, ctx)]


def has_bar(findings: list[Finding]) -> bool:
    """Whether the findings stop a submission: a breach (不符合) or an unanswered question (未填写)."""
    return any(f.severity in BLOCKING for f in findings)
