"""一(一)1: "项目牵头单位……注册时间为2024年9月24日（含）前" — the date is the call file's
`[unit] registered_on_or_before`.

The guide makes a later unit ineligible to lead a project of this call; it does not forbid the unit
to register (a later call may accept it, and a registered unit's people may still take part in others'
projects). So registration warns and goes on, the reviewer of the registration is shown the same
warning, and the formal review bars such a unit's applications (rules/checks/unit.py,
`unit.registered_too_late`).
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from shenbao.calls.spec import CallSpec
from shenbao.language import cite


def chinese_date(day: dt.date) -> str:
    return _("%(year)d年%(month)d月%(day)d日") % {"year": day.year, "month": day.month, "day": day.day}


@dataclass(frozen=True)
class RegistrationDateRule:
    latest: dt.date
    clause: str

    @classmethod
    def of(cls, spec: CallSpec | None) -> "RegistrationDateRule | None":
        if spec is None or not spec.unit.get("registered_on_or_before"):
            return None
        return cls(spec.unit["registered_on_or_before"], spec.unit["registered_clause"])

    def is_late(self, registered_on: dt.date | None) -> bool:
        return registered_on is not None and registered_on > self.latest

    def rule(self) -> str:
        """The rule itself, for the form's help text."""
        return _("牵头单位的注册时间须为%(latest)s（含）前（%(clause)s）。") % {
            "latest": chinese_date(self.latest),
            "clause": cite(self.clause),
        }

    def warning(self) -> str:
        """What a registrant is told when the date is later: registration goes on, leading does not."""
        return _(
            "注册（成立）日期晚于%(latest)s：指南%(clause)s要求项目牵头单位的注册时间为%(latest)s（含）前。"
            "本单位仍可注册，但不能作为本批次项目的牵头单位申报。"
        ) % {"latest": chinese_date(self.latest), "clause": cite(self.clause)}

    def flag(self, registered_on: dt.date) -> str:
        """What a reviewer of the registration is told."""
        return _(
            "该单位注册（成立）日期为%(registered)s，晚于%(latest)s（指南%(clause)s）：可以通过注册，"
            "但不能作为本批次项目的牵头单位申报，其申报书在形式审查中不予通过。"
        ) % {
            "registered": chinese_date(registered_on),
            "latest": chinese_date(self.latest),
            "clause": cite(self.clause),
        }
