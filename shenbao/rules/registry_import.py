"""Loading a registry (在研项目库, 科研失信记录, 已立项项目) from the spreadsheet a department receives.

The steps, each its own function: `template` (the file to fill), `read_table` (Excel or CSV into
rows), `validate` (row by row, a Chinese message naming the row, the column and the rule), `preview`
(what would be added, updated or left as it is, stored as a RegistryImport awaiting confirmation),
`apply` (all rows in one transaction, each change kept so that) `rollback` can undo the import as a
whole. Only department staff may preview, apply or roll back; each of these is audited. The web page
(views.py) and `manage.py import_registry` call the same functions.
"""

import csv
import datetime as dt
import hashlib
import io
import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import openpyxl
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shenbao import normalise
from shenbao.accounts.id_number import check_id_number
from shenbao.audit import log
from shenbao.documents.spreadsheets import Sheet, workbook
from shenbao.language import system_language
from shenbao.organisations.uscc import check_uscc

from .models import DishonestyRecord, FundedProject, OngoingProjectRecord, RegistryImport, RegistryImportChange

MAX_ROWS = 50_000
MAX_BYTES = 10 * 1024 * 1024
CLAUSES = {"ongoing": "一(二)3", "dishonesty": "一(四)1", "funded": "一(三)7"}


class ImportRefused(ValueError):
    """The file or the request cannot be used; the message says why, in Chinese."""


@dataclass(frozen=True)
class Column:
    header: str  # the template's header, as the file has it (Chinese); shown translated: gettext(header)
    field: str
    parse: Callable[[Any, dict], Any]  # (cell, row so far) → value; raises ValueError with the reason
    required: bool = True
    example: str = ""


@dataclass
class Checked:
    """A validated file: its rows as model values, or the errors that stop it (nothing is written)."""

    rows: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _text(cell: Any, _row: dict) -> str:
    return "" if cell is None else str(cell).strip()


def _id_number(cell: Any, _row: dict) -> str:
    check = check_id_number(_text(cell, _row))
    if not check.is_valid:
        raise ValueError(check.error)
    return check.number


def _optional_id_number(cell: Any, row: dict) -> str:
    return _id_number(cell, row) if _text(cell, row) else ""


DATE_PATTERN = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def _date(cell: Any, _row: dict) -> dt.date | None:
    """A date cell, or text such as 2026-12-31, 2026/12/31, 2026.12.31, 2026年12月31日."""
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    raw = _text(cell, _row)
    if not raw:
        return None
    match = DATE_PATTERN.fullmatch(unicodedata.normalize("NFKC", raw).split(" ")[0].split("T")[0])
    try:
        if match is None:
            raise ValueError
        return dt.date(*map(int, match.groups()))
    except ValueError:
        raise ValueError(_("“%(raw)s”不是有效日期（格式如2026-12-31）") % {"raw": raw}) from None


def _code(cell: Any, _row: dict) -> str:
    code = normalise.code(cell)
    if not code:
        raise ValueError(_("不能为空"))
    if len(code) > 64:
        raise ValueError(_("超过64个字符"))
    return code


def _plan(regional_prefixes: tuple[str, ...]) -> Callable[[Any, dict], str]:
    """An ongoing project's plan must be a 自治区科技计划 (一(二)3): the registry holds no other."""

    def parse(cell: Any, row: dict) -> str:
        plan = _text(cell, row)
        if not plan:
            raise ValueError(_("不能为空"))
        prefixes = tuple(normalise.text(p) for p in regional_prefixes)
        if prefixes and not normalise.text(plan).startswith(prefixes):
            raise ValueError(
                _(
                    "“%(plan)s”不是自治区科技计划类别（应以%(join)s开头；国家或其他省份的计划不计入限项，不收入在研项目库）"
                )
                % {"plan": plan, "join": "或".join(regional_prefixes)}
            )
        return plan

    return parse


KIND_WORDS = {
    "个人": DishonestyRecord.Kind.PERSON,
    "person": DishonestyRecord.Kind.PERSON,
    "单位": DishonestyRecord.Kind.UNIT,
    "unit": DishonestyRecord.Kind.UNIT,
}


def _dishonesty_kind(cell: Any, row: dict) -> str:
    kind = KIND_WORDS.get(normalise.text(cell))
    if kind is None:
        raise ValueError(_("“%(text)s”应为“个人”或“单位”") % {"text": _text(cell, row)})
    return kind


def _identifier(cell: Any, row: dict) -> str:
    if row.get("kind") == DishonestyRecord.Kind.PERSON:
        return _id_number(cell, row)
    check = check_uscc(_text(cell, row))
    if not check.is_valid:
        raise ValueError(check.error)
    return check.code


def _year(cell: Any, row: dict) -> int:
    text = normalise.code(cell).removesuffix(".0")
    if not text.isascii() or not text.isdigit() or not 1990 <= int(text) <= 2100:
        raise ValueError(_("“%(text)s”不是年度（如2024）") % {"text": _text(cell, row)})
    return int(text)


def _title(cell: Any, row: dict) -> str:
    title = _text(cell, row)
    if not title:
        raise ValueError(_("不能为空"))
    return title[:300]


def columns(kind: str, regional_prefixes: tuple[str, ...] = ()) -> list[Column]:
    if kind == RegistryImport.Kind.ONGOING:
        return [
            Column(gettext_noop("负责人身份证号"), "id_number", _id_number, example="150105199007160025"),
            Column(gettext_noop("负责人姓名"), "leader_name", _text, required=False, example="乌云其其格"),
            Column(
                gettext_noop("计划类别"), "plan", _plan(regional_prefixes), example="内蒙古自治区重点研发和成果转化计划"
            ),
            Column(gettext_noop("项目类型"), "project_type", _title, example="重点研发"),
            Column(gettext_noop("项目编号"), "code", _code, example="2024YFHH0001"),
            Column(gettext_noop("执行期至"), "until", _date, required=False, example="2026-12-31"),
        ]
    if kind == RegistryImport.Kind.DISHONESTY:
        return [
            Column(gettext_noop("类型"), "kind", _dishonesty_kind, example="单位"),
            Column(gettext_noop("身份证号或统一社会信用代码"), "identifier", _identifier, example="12150000460012345Q"),
            Column(gettext_noop("名称"), "name", _text, required=False, example="某某科技有限公司"),
            Column(gettext_noop("处罚期至"), "until", _date, required=False, example="2027-06-30"),
            Column(gettext_noop("事由"), "reason", _text, required=False, example="科研严重失信行为"),
        ]
    if kind == RegistryImport.Kind.FUNDED:
        return [
            Column(gettext_noop("立项年度"), "year", _year, example="2024"),
            Column(gettext_noop("项目名称"), "title", _title, example="草原生态修复关键技术研究"),
            Column(gettext_noop("摘要"), "abstract", _text, required=False, example=""),
            Column(gettext_noop("负责人身份证号"), "leader_id_number", _optional_id_number, required=False, example=""),
        ]
    raise ImportRefused(
        _("没有名为“%(kind)s”的登记库，应为%(join)s之一。")
        % {"kind": kind, "join": "、".join(RegistryImport.Kind.values)}
    )


MODELS = {
    RegistryImport.Kind.ONGOING: OngoingProjectRecord,
    RegistryImport.Kind.DISHONESTY: DishonestyRecord,
    RegistryImport.Kind.FUNDED: FundedProject,
}


def identity(kind: str, values: dict) -> tuple:
    """Which existing row a spreadsheet row updates rather than adds."""
    if kind == RegistryImport.Kind.ONGOING:
        return (values["id_number"], normalise.code(values["code"]))
    if kind == RegistryImport.Kind.DISHONESTY:
        return (values["kind"], values["identifier"])
    return (int(values["year"]), normalise.text(values["title"]))


def template(kind: str) -> bytes:
    """The Excel file a department fills: the headers, one example row, and a sheet of instructions."""
    found = columns(kind, ("内蒙古", "自治区"))
    with system_language():  # the template is a Chinese form, whoever downloads it
        name = str(RegistryImport.Kind(kind).label)
    registry = Sheet(
        name,
        [column.header + ("" if column.required else "（选填）") for column in found],
        [[column.example for column in found]],
        widths={i: max(14, len(column.header) * 2 + 4) for i, column in enumerate(found)},
    )
    notes = [
        "第一行为表头，请勿修改；示例行（第2行）请替换或删除。",
        "日期写作2026-12-31；身份证号、统一社会信用代码按原样填写（全角、空格、连字符会自动规范）。",
        "导入前会逐行校验并预览新增、更新的行；确认后整批导入，可整批撤销。",
        f"依据：{CLAUSES[kind]}。",
    ]
    return workbook(registry, Sheet("填写说明", [], [[line] for line in notes]))


def read_table(name: str, content: bytes) -> list[list[Any]]:
    """The cells of the first sheet (.xlsx) or of a CSV file (UTF-8, with or without BOM, or GB18030)."""
    if len(content) > MAX_BYTES:
        raise ImportRefused(_("文件超过%(max_bytes)sMB。") % {"max_bytes": MAX_BYTES // 1048576})
    if name.lower().endswith(".xlsx"):
        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a file that is not a workbook
            raise ImportRefused(_("文件不是有效的Excel（.xlsx）文件。")) from None
        try:
            rows = book.worksheets[0].iter_rows(values_only=True)
            return [list(row) for row in itertools.islice(rows, MAX_ROWS + 2)]
        finally:
            book.close()
    if name.lower().endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportRefused(_("CSV文件的编码无法识别（请另存为UTF-8）。"))
        return list(itertools.islice(csv.reader(io.StringIO(text)), MAX_ROWS + 2))
    raise ImportRefused(_("只接受Excel（.xlsx）或CSV文件。"))


def validate(kind: str, table: list[list[Any]], regional_prefixes: tuple[str, ...] = ()) -> Checked:
    """Each row as model values, or a message per problem: "第3行“身份证号”：…"."""
    cols = columns(kind, regional_prefixes)
    checked = Checked()
    if not table:
        checked.errors.append(_("文件是空的：第一行应为表头。"))
        return checked
    headers = [normalise.text(str(h or "")).replace("（选填）", "").replace("(选填)", "") for h in table[0]]
    positions = {}
    for column in cols:
        key = normalise.text(column.header)
        if key in headers:
            positions[column.field] = headers.index(key)
        elif column.required:
            checked.errors.append(_("表头缺少“%(header)s”列（请使用模板）。") % {"header": column.header})
    if checked.errors:
        return checked
    if len(table) - 1 > MAX_ROWS:
        checked.errors.append(_("超过%(max_rows)s行，请分批导入。") % {"max_rows": MAX_ROWS})
        return checked
    seen: dict[tuple, int] = {}
    for number, cells in enumerate(table[1:], start=2):
        if all(_text(c, {}) == "" for c in cells):
            continue  # blank lines at the end of a sheet
        values: dict[str, Any] = {}
        for column in cols:
            position = positions.get(column.field)
            cell = cells[position] if position is not None and position < len(cells) else None
            if column.required and _text(cell, values) == "":
                checked.errors.append(
                    _("第%(number)s行“%(header)s”：不能为空。") % {"number": number, "header": _(column.header)}
                )
                continue
            try:
                values[column.field] = column.parse(cell, values)
            except ValueError as error:
                checked.errors.append(
                    _("第%(number)s行“%(header)s”：%(error)s。")
                    % {"number": number, "header": _(column.header), "error": error}
                )
        if len(values) == len(cols):
            key = identity(kind, values)
            if key in seen:
                checked.errors.append(_("第%(number)s行与第%(seen)s行重复。") % {"number": number, "seen": seen[key]})
            seen[key] = number
            checked.rows.append({k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()})
    if not checked.rows and not checked.errors:
        checked.errors.append(_("文件中没有数据行。"))
    return checked


def regional_plan_prefixes() -> tuple[str, ...]:
    """The current call's 自治区科技计划 prefixes (一(二)3), or none when no call is loaded."""
    from shenbao.calls.current import current_call

    call = current_call()
    return tuple(call.spec.pi["regional_plan_prefixes"]) if call is not None else ()


def _existing(kind: str) -> dict[tuple, Any]:
    model = MODELS[kind]
    return {identity(kind, model_to_dict(row)): row for row in model.objects.all()}


def _stored(row: dict) -> dict:
    """A spreadsheet row as the model stores it (dates as dates, codes normalised) for comparing."""
    return {k: dt.date.fromisoformat(v) if k == "until" and v else v for k, v in row.items()}


def _same(instance, values: dict) -> bool:
    current = model_to_dict(instance)
    return all(current.get(k) == v for k, v in _stored(values).items())


def _check_staff(user) -> None:
    if not getattr(user, "is_department_staff", False):
        raise PermissionDenied


@transaction.atomic
def preview(user, kind: str, file_name: str, content: bytes, regional_prefixes=(), *, request=None):
    """1. department staff only; 2. read and validate every row (errors: nothing is kept);
    3. count what would be added, updated, left unchanged; 4. keep it as an import awaiting confirmation;
    5. audit. Returns (the import or None, Checked)."""
    _check_staff(user)
    columns(kind)  # an unknown kind is refused before the file is read
    checked = validate(kind, read_table(file_name, content), tuple(regional_prefixes))
    if checked.errors:
        return None, checked
    existing = _existing(kind)
    created = updated = unchanged = 0
    for row in checked.rows:
        instance = existing.get(identity(kind, _stored(row)))
        if instance is None:
            created += 1
        elif _same(instance, row):
            unchanged += 1
        else:
            updated += 1
    entry = RegistryImport.objects.create(
        kind=kind,
        file_name=file_name[:200],
        sha256=hashlib.sha256(content).hexdigest(),
        rows=checked.rows,
        created=created,
        updated=updated,
        unchanged=unchanged,
        uploaded_by=user,
    )
    log.record(
        "registry.import_previewed",
        actor=user,
        obj=entry,
        after={"kind": kind, "file": entry.file_name, "sha256": entry.sha256, "rows": len(checked.rows)},
        request=request,
    )
    return entry, checked


@transaction.atomic
def apply(entry: RegistryImport, user, *, request=None) -> RegistryImport:
    """1. department staff only; 2. only an import awaiting confirmation (applying twice does nothing
    more); 3. add or update every row, keeping each row's values before; 4. audit."""
    _check_staff(user)
    entry = RegistryImport.objects.select_for_update().get(pk=entry.pk)
    if entry.status != RegistryImport.Status.PREVIEWED:
        raise ImportRefused(_("该导入的状态为“%(status)s”，不能再次导入。") % {"status": entry.get_status_display()})
    model, existing = MODELS[entry.kind], _existing(entry.kind)
    for row in entry.rows:
        values = _stored(row)
        instance = existing.get(identity(entry.kind, values))
        if instance is not None and _same(instance, row):
            continue
        before = log.jsonable(model_to_dict(instance)) if instance is not None else None
        instance = instance or model()
        for name, value in values.items():
            setattr(instance, name, value)
        instance.save()
        RegistryImportChange.objects.create(registry_import=entry, object_id=instance.pk, before=before)
    entry.status, entry.applied_at = RegistryImport.Status.APPLIED, timezone.now()
    entry.save(update_fields=["status", "applied_at"])
    log.record(
        "registry.imported",
        actor=user,
        obj=entry,
        after={"kind": entry.kind, "created": entry.created, "updated": entry.updated, "sha256": entry.sha256},
        request=request,
    )
    return entry


@transaction.atomic
def rollback(entry: RegistryImport, user, *, request=None) -> RegistryImport:
    """1. department staff only; 2. only an applied import; 3. undo every change, last first: rows it
    added are deleted, rows it updated get their values back; 4. audit."""
    _check_staff(user)
    entry = RegistryImport.objects.select_for_update().get(pk=entry.pk)
    if entry.status != RegistryImport.Status.APPLIED:
        raise ImportRefused(
            _("该导入的状态为“%(status)s”，只有已导入的批次可以撤销。") % {"status": entry.get_status_display()}
        )
    model = MODELS[entry.kind]
    for change in entry.changes.order_by("-id"):
        if change.before is None:
            model.objects.filter(pk=change.object_id).delete()
            continue
        instance = model.objects.filter(pk=change.object_id).first() or model(pk=change.object_id)
        for name, value in change.before.items():
            if name != "id":
                setattr(instance, name, dt.date.fromisoformat(value) if name == "until" and value else value)
        instance.save()
    entry.status, entry.rolled_back_at = RegistryImport.Status.ROLLED_BACK, timezone.now()
    entry.save(update_fields=["status", "rolled_back_at"])
    log.record("registry.import_rolled_back", actor=user, obj=entry, after={"kind": entry.kind}, request=request)
    return entry
