"""Recording and verifying the audit chain.

Call `record(...)` inside the transaction of the change it describes: if the change rolls back, so
does its entry. Every transition, upload, seal and login is recorded.

Each entry's hash is an HMAC-SHA256 keyed with AUDIT_HMAC_KEY, a secret kept outside the database:
whoever can write to the database cannot recompute a valid chain after editing or deleting rows.
`anchors.py` also writes the chain's head, signed, outside the database (`manage.py anchor_audit`).
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import AuditEntry, AuditHead

GENESIS = "0" * 64

# How a person reads an action in an application's history.
ACTION_LABELS = {
    "application.created": gettext_lazy("新建申报书"),
    "application.imported": gettext_lazy("导入申报书"),
    "application.submitted": gettext_lazy("提交单位审核"),
    "application.withdrawn": gettext_lazy("申报人撤回"),
    "application.returned_by_unit": gettext_lazy("单位退回修改"),
    "application.approved_by_unit": gettext_lazy("单位审核通过"),
    "application.seal_accepted": gettext_lazy("受理电子签章（后台处理）"),
    "application.sealed": gettext_lazy("电子签章"),
    "application.submitted_to_recommender": gettext_lazy("报送归口管理部门"),
    "application.withdrawn_by_unit": gettext_lazy("单位撤回"),
    "application.recommended": gettext_lazy("推荐"),
    "application.not_recommended": gettext_lazy("不予推荐"),
    "application.returned_by_recommender": gettext_lazy("归口管理部门退回"),
    "application.handed_over": gettext_lazy("移交申报人"),
    "application.avoid_list": gettext_lazy("填写回避专家"),
    "evaluation.accepted": gettext_lazy("科技厅受理"),
    "evaluation.rejected": gettext_lazy("科技厅不予受理"),
    "evaluation.appealed": gettext_lazy("提出复审申请"),
    "evaluation.appeal_decided": gettext_lazy("复审决定"),
    "evaluation.funding_decided": gettext_lazy("立项建议"),
    "attachment.uploaded": gettext_lazy("上传附件"),
    "attachment.removed": gettext_lazy("删除附件"),
}


def record_registry_import(
    registry: str, *, actor, source_name: str, sha256: str, counts: dict, request=None, replaced: bool = False
) -> AuditEntry:
    """The audit entry of an import into a registry (在研项目库, 失信记录, 已立项项目): who loaded which
    file (by name and SHA-256) into which registry and how many rows it added, changed or removed.
    Call it inside the import's transaction, like `record`."""
    return record(
        "registry.imported",
        actor=actor,
        object_type=f"registry.{registry}"[:64],
        object_id=sha256[:64],
        after={"registry": registry, "file": source_name, "sha256": sha256, "counts": counts, "replaced": replaced},
        request=request,
    )


def _canonical(entry: AuditEntry) -> bytes:
    content = {
        "at": entry.at.isoformat(),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "source_ip": entry.source_ip,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "before": entry.before,
        "after": entry.after,
        "reason": entry.reason,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(content, ensure_ascii=False, sort_keys=True, default=str).encode()


def entry_hash(entry: AuditEntry) -> str:
    return hmac.new(settings.AUDIT_HMAC_KEY.encode(), _canonical(entry), hashlib.sha256).hexdigest()


def jsonable(value: Any) -> Any:
    """A value as the JSON column will give it back (dates as ISO strings), so its hash is stable."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    actor=None,
    obj: Any = None,
    before: Any = None,
    after: Any = None,
    reason: str = "",
    request=None,
    object_type: str = "",
    object_id: str = "",
) -> AuditEntry:
    """Append one entry to the chain. `obj` (a model instance) fills object_type/object_id."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    with transaction.atomic():
        head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            at=timezone.now(),
            actor=actor,
            actor_label=str(actor) if actor is not None else "",
            source_ip=client_ip(request),
            action=action,
            object_type=object_type,
            object_id=object_id,
            before=before,
            after=after,
            reason=reason,
            prev_hash=head.last_hash,
        )
        entry.hash = entry_hash(entry)
        entry.save()
        head.last_hash = entry.hash
        head.save(update_fields=["last_hash"])
    return entry


@dataclass
class ChainProblem:
    entry_id: int | None
    message: str


def verify_chain() -> list[ChainProblem]:
    """Every break in the chain: an edited entry (its hash no longer matches its content), a deleted
    or reordered one (its successor's prev_hash no longer matches), or a removed tail (the head)."""
    problems, previous = [], GENESIS
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != previous:
            problems.append(
                ChainProblem(entry.id, _("第%(id)s条记录之前的记录被删除或改动（前序哈希不符）") % {"id": entry.id})
            )
        if entry_hash(entry) != entry.hash:
            problems.append(ChainProblem(entry.id, _("第%(id)s条记录的内容被改动（哈希不符）") % {"id": entry.id}))
        previous = entry.hash
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != previous:
        problems.append(ChainProblem(None, _("链尾的记录被删除（最后一条记录的哈希与链头不符）")))
    return problems
