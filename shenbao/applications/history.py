"""An application's 处理记录 as a person reads it: when, what was done, by whom in which role, the
state before and after by their Chinese names, and the reason given. Read from the audit trail."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from shenbao.audit.log import ACTION_LABELS
from shenbao.audit.models import AuditEntry

from .models import Application


@dataclass(frozen=True)
class HistoryRow:
    at: dt.datetime
    action: str  # what was done, e.g. 单位审核通过
    actor: str  # who, e.g. 张三（单位管理员）
    before: str  # the state's name before, "" when the entry changed no state
    after: str
    reason: str


def _state_name(code) -> str:
    labels = dict(Application.State.choices)
    return str(labels.get(code, code or ""))


def _actor(entry: AuditEntry) -> str:
    """The person's name as recorded, and their role while the account still exists."""
    name = entry.actor_label or (entry.actor.real_name or entry.actor.username if entry.actor else "")
    if not name:
        return _("系统")
    if entry.actor is None:
        return name
    return f"{name}（{entry.actor.get_role_display()}）"


def history(application: Application) -> list[HistoryRow]:
    entries = (
        AuditEntry.objects.filter(object_type="applications.application", object_id=str(application.pk))
        .select_related("actor")
        .order_by("id")
    )
    rows = []
    for entry in entries:
        before = entry.before if isinstance(entry.before, dict) else {}
        after = entry.after if isinstance(entry.after, dict) else {}
        rows.append(
            HistoryRow(
                at=entry.at,
                action=str(ACTION_LABELS.get(entry.action, entry.action)),
                actor=_actor(entry),
                before=_state_name(before.get("state")) if before.get("state") else "",
                after=_state_name(after.get("state")) if after.get("state") else "",
                reason=entry.reason,
            )
        )
    return rows
