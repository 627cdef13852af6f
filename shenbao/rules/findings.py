"""What a rule returns: one finding per problem, citing the guide."""

from enum import StrEnum
from typing import NamedTuple

from shenbao import language
from shenbao.language import gettext as _


class Severity(StrEnum):
    BAR = "bar"  # 不符合: what was answered breaches the guide; blocks submission
    INCOMPLETE = "incomplete"  # 未填写: not answered yet; never a breach, but blocks submission
    WARNING = "warning"  # 请核实: a person must look at it
    INFO = "info"  # 提示: statistics and hints, never in the way


# What stops a submission: a breach, or a question still unanswered when the person submits.
BLOCKING = frozenset({Severity.BAR, Severity.INCOMPLETE})


class Finding(NamedTuple):
    """A named tuple, not a dataclass: a batch review makes a hundred thousand of them and sends them
    between processes, and a tuple is the cheapest thing to build and to pickle."""

    code: str
    severity: Severity
    field: str  # the path in the application, e.g. "budget.fiscal.间接费用" or "partners[1].uscc"
    clause: str  # the guide's clause, e.g. "一(三)8"
    message: str  # in the language active when the rule ran (Chinese by default), naming the numbers

    def as_dict(self) -> dict:
        return {**self._asdict(), "severity": str(self.severity)}


def bar(code, field, clause, message) -> Finding:
    return Finding(code, Severity.BAR, field, clause, message)


def incomplete(code, field, clause, what) -> Finding:
    """An unanswered question: "未填写", shown as incomplete, never read as the worse answer (issue #13)."""
    return Finding(
        code, Severity.INCOMPLETE, field, clause, _("请填写%(what)s（未填写，提交前须补全）。") % {"what": what}
    )


def warning(code, field, clause, message) -> Finding:
    return Finding(code, Severity.WARNING, field, clause, message)


def info(code, field, clause, message) -> Finding:
    return Finding(code, Severity.INFO, field, clause, message)


yuan = language.yuan  # money in a message: 1,000,000元 (CNY 1,000,000 in English)
