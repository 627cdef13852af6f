"""The 专家库 from Excel: the template, row validation in Chinese, a preview, and the audited import.

A sheet is read into rows and every row is checked; nothing is written until staff look at the
preview and confirm. Re-importing a known 身份证号 updates that expert."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shenbao.accounts.id_number import check_id_number
from shenbao.accounts.models import User
from shenbao.audit import log
from shenbao.documents.spreadsheets import Sheet, workbook
from shenbao.language import system_language
from shenbao.organisations.services import set_password_path
from shenbao.organisations.uscc import check_uscc
from shenbao.web.tasks import email_on_commit

from .models import Expert, ExpertImport

# The template's headers, as the file has them (Chinese); shown translated in messages.
COLUMNS = [
    ("name", gettext_noop("姓名")),
    ("id_number", gettext_noop("身份证号")),
    ("unit_name", gettext_noop("工作单位")),
    ("unit_uscc", gettext_noop("单位统一社会信用代码")),
    ("title", gettext_noop("职称")),
    ("disciplines", gettext_noop("学科代码（GB/T 13745，多个用、分隔）")),
    ("phone", gettext_noop("手机号码")),
    ("email", gettext_noop("电子邮箱")),
    ("available", gettext_noop("可参加评审（是/否）")),
]
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
# GB/T 13745: a 3-digit first-level discipline, then 2 digits per level below it (110, 11011, 1101110).
DISCIPLINE = re.compile(r"\d{3}(\d{2}){0,2}")
PHONE = re.compile(r"[0-9+\-() ]{7,20}")


class ImportRefused(ValueError):
    pass


def template_xlsx() -> bytes:
    """The sheet to fill: the headers, one example row, every column typed as text (ID numbers)."""
    example = [
        "张三",
        "110101198001010010",
        "北京某大学",
        "",
        "教授",
        "110、23010",
        "13800000000",
        "z@example.org",
        "是",
    ]
    return workbook(
        Sheet(
            "专家信息",
            [label for _, label in COLUMNS],
            [example],
            widths=dict.fromkeys(range(len(COLUMNS)), 22),
            typed_as_text=True,
        )
    )


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_sheet(content: bytes) -> list[dict]:
    """The sheet's rows as dicts of text by column key; the header row must be the template's."""
    if len(content) > MAX_BYTES:
        raise ImportRefused(_("文件过大：不超过%(max_bytes)sMB。") % {"max_bytes": MAX_BYTES // 1024 // 1024})
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError):
        raise ImportRefused(_("无法读取该文件：请使用下载的Excel模板（.xlsx）填写后上传。")) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_text(v) for v in next(rows, ())]
    if header[: len(COLUMNS)] != [label for _, label in COLUMNS]:
        raise ImportRefused(_("表头与模板不一致：请下载模板，不要改动第一行。"))
    out = []
    for values in rows:
        values = [_text(v) for v in values[: len(COLUMNS)]]
        if not any(values):
            continue
        out.append({key: (values[i] if i < len(values) else "") for i, (key, _) in enumerate(COLUMNS)})
        if len(out) > MAX_ROWS:
            raise ImportRefused(_("一次最多导入%(max_rows)s行。") % {"max_rows": MAX_ROWS})
    book.close()
    return out


def row_errors(row: dict) -> list[str]:
    """Why one row cannot be imported, each message naming the column and the rule."""
    errors = []
    for key, label in [*COLUMNS[:3], COLUMNS[4]]:
        if not row.get(key):
            errors.append(_("%(label)s：必填。") % {"label": _(label)})
    if row.get("id_number") and not (check := check_id_number(row["id_number"])).is_valid:
        errors.append(_("身份证号：%(error)s") % {"error": check.error})
    if row.get("unit_uscc") and not (check := check_uscc(row["unit_uscc"])).is_valid:
        errors.append(_("单位统一社会信用代码：%(error)s") % {"error": check.error})
    errors += contact_errors(row)
    if row.get("available") not in ("", "是", "否"):
        errors.append(_("可参加评审：填写“是”或“否”。"))
    return errors


def contact_errors(row: dict) -> list[str]:
    """What an expert may correct themselves: disciplines, phone, e-mail."""
    errors = []
    codes = split_disciplines(row.get("disciplines", ""))
    if not codes:
        errors.append(_("学科代码：至少填写一个（GB/T 13745，如110或11011）。"))
    for code in codes:
        if not DISCIPLINE.fullmatch(code):
            errors.append(_("学科代码：“%(code)s”不是GB/T 13745学科代码（3位数字，下级各加2位）。") % {"code": code})
    if row.get("phone") and not PHONE.fullmatch(row["phone"]):
        errors.append(_("手机号码：格式不正确。"))
    if row.get("email"):
        try:
            validate_email(row["email"])
        except Exception:
            errors.append(_("电子邮箱：格式不正确。"))
    return errors


def split_disciplines(value: str) -> list[str]:
    return [code for code in re.split(r"[、,，;；\s]+", value or "") if code]


def validate(rows: list[dict]) -> list[dict]:
    """Errors by row number (as the spreadsheet counts: the header is row 1)."""
    errors, seen = [], {}
    for i, row in enumerate(rows, start=2):
        messages = row_errors(row)
        id_number = row.get("id_number", "").upper()
        if id_number and id_number in seen:
            messages.append(_("身份证号：与第%(seen)s行重复。") % {"seen": seen[id_number]})
        seen.setdefault(id_number, i)
        if messages:
            errors.append({"row": i, "messages": messages})
    return errors


def check_staff(user: User) -> None:
    if not user.is_authenticated or not user.is_department_staff:
        raise PermissionDenied


def preview(content: bytes, file_name: str, staff: User) -> ExpertImport:
    check_staff(staff)
    rows = read_sheet(content)
    if not rows:
        raise ImportRefused(_("文件中没有专家数据。"))
    return ExpertImport.objects.create(uploaded_by=staff, file_name=file_name[:200], rows=rows, errors=validate(rows))


@transaction.atomic
def run_import(batch: ExpertImport, staff: User, now, *, request=None) -> dict:
    """Import a previewed sheet with no errors: new experts get an account of role 评审专家 and an
    e-mailed link to set their password; known ones (by 身份证号) are updated. Audited."""
    check_staff(staff)
    batch = ExpertImport.objects.select_for_update().get(pk=batch.pk)
    if batch.uploaded_by_id != staff.pk:
        raise PermissionDenied
    if batch.imported_at is not None:
        raise ImportRefused(_("该文件已导入。"))
    if batch.errors:
        raise ImportRefused(_("文件中有错误行，请修改后重新上传。"))
    created = updated = 0
    for row in batch.rows:
        id_number = row["id_number"].upper()
        values = {
            "name": row["name"],
            "unit_name": row["unit_name"],
            "unit_uscc": row.get("unit_uscc", "").upper(),
            "title": row["title"],
            "disciplines": split_disciplines(row["disciplines"]),
            "phone": row.get("phone", ""),
            "email": row.get("email", ""),
            "available": row.get("available") != "否",
        }
        expert = Expert.objects.filter(id_number=id_number).first()
        if expert is not None:
            for name, value in values.items():
                setattr(expert, name, value)
            expert.save()
            updated += 1
            continue
        user = User(
            username=f"zj{id_number}",
            role=User.Role.EXPERT,
            real_name=row["name"],
            id_number=id_number,
            email=values["email"],
            phone=values["phone"],
        )
        user.set_unusable_password()
        user.save()
        Expert.objects.create(user=user, id_number=id_number, **values)
        created += 1
        if values["email"]:
            with system_language():
                email_on_commit(
                    _("评审专家账号"),
                    _(
                        "%(name)s您好：您已被纳入评审专家库，登录名为 %(username)s。"
                        "请通过以下链接设置密码并确认个人信息：\n%(site_url)s%(set_password_path)s"
                    )
                    % {
                        "name": row["name"],
                        "username": user.username,
                        "site_url": settings.SITE_URL,
                        "set_password_path": set_password_path(user),
                    },
                    [values["email"]],
                )
    batch.imported_at = now
    batch.save()
    summary = {"created": created, "updated": updated, "file": batch.file_name}
    log.record("expert.imported", actor=staff, obj=batch, after=summary, request=request)
    return summary
