"""The interchange format `shenbao.application/2`: an application as a JSON document.

The JSON Schema in schema/application-2.schema.json says what the shapes are; the formal review
says whether the content meets the guide. A document that fails the schema is not an application.

Units' own systems already write `shenbao.application/1`: every reader (`manage.py review`, the
import page, the API) goes through `validate`, which checks a /1 document against the /1 schema and
upgrades it (`upgrade`), so nothing downstream ever sees /1. Stored documents were upgraded by the
migration applications/0008_interchange_format_2.
"""

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from shenbao import normalise
from shenbao.documents.fonts import describe, unprintable
from shenbao.parsing import BadInput, loads_json

FORMAT = "shenbao.application/2"
FORMAT_1 = "shenbao.application/1"
SCHEMA_DIR = Path(__file__).parent / "schema"
SCHEMA_PATH = SCHEMA_DIR / "application-2.schema.json"
SCHEMA_PATHS = {FORMAT_1: SCHEMA_DIR / "application-1.schema.json", FORMAT: SCHEMA_PATH}


class InterchangeError(ValueError):
    """Not a readable application; the message says why, in Chinese, with the path at fault."""


@cache
def validator(format: str = FORMAT) -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_PATHS[format].read_text(encoding="utf-8")))


def upgrade(data: dict) -> dict:
    """A /1 document as /2 (a copy; a /2 document is returned as it is).

    /2 asks each 课题负责人 whether they are a civil servant or 参公 staff (一(二)5). A /1 document
    cannot say it, except for a 课题 the PI leads: that one takes the PI's answer. Other leaders stay
    without a key, and `upgraded_from` says why: the review shows "请核实", not 未填写 or a breach.
    """
    if data.get("format") != FORMAT_1:
        return data
    data = copy.deepcopy(data)
    data["format"], data["upgraded_from"] = FORMAT, FORMAT_1
    pi = data.get("pi") if isinstance(data.get("pi"), dict) else {}
    pi_number, answer = normalise.code(pi.get("id_number")), pi.get("civil_servant")
    for row in data.get("subprojects") or []:
        if isinstance(row, dict) and "leader_civil_servant" not in row and isinstance(answer, bool):
            if pi_number and normalise.code(row.get("leader_id_number")) == pi_number:
                row["leader_civil_servant"] = answer
    return data


def _path(error: ValidationError) -> str:
    text = ""
    for part in error.absolute_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or _("（文档根）")


_TYPE_NAMES = {
    "string": gettext_lazy("文本"),
    "number": gettext_lazy("数字"),
    "integer": gettext_lazy("整数"),
    "boolean": "true/false",
    "array": gettext_lazy("列表"),
    "object": gettext_lazy("对象"),
    "null": "null",
}


def _reason(error: ValidationError) -> str:
    """The schema's complaint in Chinese, for the validators the format uses."""
    value = json.dumps(error.instance, ensure_ascii=False)[:60]
    if error.validator == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        return _("应为%(join)s，当前为%(value)s") % {
            "join": _("或").join(str(_TYPE_NAMES.get(t, t)) for t in expected),
            "value": value,
        }
    if error.validator == "enum":
        return _("应为%(join)s之一，当前为%(value)s") % {
            "join": "、".join(json.dumps(v, ensure_ascii=False) for v in error.validator_value),
            "value": value,
        }
    if error.validator == "pattern":
        return _("格式不符（日期为YYYY-MM-DD，年月为YYYY-MM），当前为%(value)s") % {"value": value}
    if error.validator == "required":
        return _("缺少必需的键：%(split)s") % {
            "split": error.message.split(chr(39))[1] if chr(39) in error.message else error.message
        }
    return error.message


def _check(data: dict, format: str) -> None:
    errors = sorted(validator(format).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        details = "；".join(f"{_path(e)}：{_reason(e)}" for e in errors[:5])
        more = _("（另有%(count)s处）") % {"count": len(errors) - 5} if len(errors) > 5 else ""
        raise InterchangeError(
            _("申报书不符合交换格式%(format)s：%(details)s%(more)s")
            % {"format": format, "details": details, "more": more}
        )


def validate(data: Any) -> dict:
    """A readable document in today's format (/2): a /1 document is checked as /1, then upgraded."""
    if not isinstance(data, dict):
        raise InterchangeError(_("文件内容不是一个JSON对象，不是申报书。"))
    format = data.get("format")
    if not isinstance(format, str) or format not in SCHEMA_PATHS:  # a list or object is no format either
        raise InterchangeError(
            _("“format”应为“%(format)s”（或旧版“%(format_1)s”），当前为“%(format2)s”：不是本系统可读的申报书格式。")
            % {"format": FORMAT, "format_1": FORMAT_1, "format2": format}
        )
    _check(data, format)
    if format == FORMAT_1:
        data = upgrade(data)
        _check(data, FORMAT)
    if unprintable := unprintable_texts(data):
        details = "；".join(f"{path}：{describe(characters)}" for path, characters in unprintable[:5])
        raise InterchangeError(
            _("申报书含PDF无法打印的字符（如表情符号、生僻字），请删除或改用文字：%(details)s") % {"details": details}
        )
    return data


def unprintable_texts(value: Any, path: str = "") -> list[tuple[str, list[str]]]:
    """Every text of the document holding characters the 申报书 PDF cannot print, with its path."""
    if isinstance(value, str):
        return [(path or _("（文档根）"), missing)] if (missing := unprintable(value)) else []
    if isinstance(value, dict):
        items = ((f"{path}.{key}" if path else str(key), item) for key, item in value.items())
    elif isinstance(value, list):
        items = ((f"{path}[{index}]", item) for index, item in enumerate(value))
    else:
        return []
    return [found for item_path, item in items for found in unprintable_texts(item, item_path)]


def read_text(text: str) -> dict:
    try:
        data = loads_json(text, _("申报书"))
    except json.JSONDecodeError as error:
        raise InterchangeError(
            _("不是有效的JSON（第%(lineno)s行第%(colno)s列：%(msg)s）。")
            % {"lineno": error.lineno, "colno": error.colno, "msg": error.msg}
        ) from None
    except BadInput as error:
        raise InterchangeError(str(error)) from None
    return validate(data)


def read_file(path: Path | str) -> dict:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InterchangeError(_("找不到文件：%(path)s") % {"path": path}) from None
    except (OSError, UnicodeDecodeError) as error:
        raise InterchangeError(_("无法读取文件%(path)s：%(error)s") % {"path": path, "error": error}) from None
    return read_text(text)


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
