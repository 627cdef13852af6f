"""What a rule returns: one finding per problem, citing the guide."""

from enum import StrEnum
from typing import NamedTuple


class Severity(StrEnum):
    BAR = "bar"  # blocks submission
    WARNING = "warning"  # a person must look at it
    INFO = "info"  # statistics and hints, never in the way


class Finding(NamedTuple):
    """A named tuple, not a dataclass: a batch review makes a hundred thousand of them and sends them
    between processes, and a tuple is the cheapest thing to build and to pickle."""

    code: str
    severity: Severity
    field: str  # the path in the application, e.g. "budget.fiscal.间接费用" or "partners[1].uscc"
    clause: str  # the guide's clause, e.g. "一(三)8"
    message: str  # Chinese, naming the numbers

    def as_dict(self) -> dict:
        return {**self._asdict(), "severity": str(self.severity)}


def bar(code, field, clause, message) -> Finding:
    return Finding(code, Severity.BAR, field, clause, message)


def warning(code, field, clause, message) -> Finding:
    return Finding(code, Severity.WARNING, field, clause, message)


def info(code, field, clause, message) -> Finding:
    return Finding(code, Severity.INFO, field, clause, message)


def yuan(amount: int | float) -> str:
    """Money as the guide writes it: 60万元, 92.5万元, 3000元."""
    if amount and amount % 100 == 0 and abs(amount) >= 10_000:
        value = amount / 10_000
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return f"{text}万元"
    return f"{amount:g}元"
