"""Reading values people send: the one place that turns request text into numbers, ids and JSON.

Python's own checks are too lenient for untrusted input: `"²".isdigit()` is true and `int("²")` then
fails; `float("nan")` and `float("inf")` are numbers that no database column or JSON document
accepts; `json.loads` of ten thousand nested brackets raises RecursionError. Each parser here accepts
exactly what it promises or raises `BadInput`, whose message names the field and the rule; views
let it through and `web.middleware.BadInputMiddleware` answers 400 with that message (JSON for the
API). Nothing here imports Django models, so every layer may use it.
"""

import json
import math
import re
import uuid

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _

ASCII_DIGITS = re.compile(r"[0-9]+")
MAX_JSON_DEPTH = 32


class BadInput(BadRequest):
    """A value that cannot be read; the message is a Chinese sentence naming the field and the rule."""


def is_index(text: str) -> bool:
    """ASCII digits only: what `str.isdigit` should have meant (it accepts ², ٣, ①)."""
    return ASCII_DIGITS.fullmatch(text) is not None


def parse_int(raw, label: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    text = str(raw).strip()
    if not ASCII_DIGITS.fullmatch(text.removeprefix("-")) or len(text) > 18:
        raise BadInput(
            _("“%(label)s”应为整数（阿拉伯数字0-9），收到“%(text)s”。") % {"label": label, "text": text[:40]}
        )
    value = int(text)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise BadInput(_("“%(label)s”超出范围，收到%(value)s。") % {"label": label, "value": value})
    return value


def parse_optional_int(raw, label: str, **bounds) -> int | None:
    """Blank means absent."""
    return None if raw is None or str(raw).strip() == "" else parse_int(raw, label, **bounds)


def parse_uuid(raw, label: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw).strip())
    except ValueError:
        raise BadInput(
            _("“%(label)s”无效：不是本系统生成的编号或链接，请检查链接是否完整。") % {"label": label}
        ) from None


def parse_finite_number(raw, label: str) -> float:
    """A decimal number as people type it (thousands separators allowed), never NaN or infinity."""
    text = str(raw).strip().replace(",", "").replace("，", "")
    try:
        value = float(text)
    except ValueError:
        raise BadInput(_("“%(label)s”应为数字，当前为“%(text)s”") % {"label": label, "text": text[:40]}) from None
    if not math.isfinite(value):
        raise BadInput(_("“%(label)s”应为有限的数字，当前为“%(text)s”") % {"label": label, "text": text[:40]})
    return value


def loads_json(text: str | bytes, label: str = "JSON") -> object:
    """JSON no deeper than MAX_JSON_DEPTH, with no NaN or Infinity (which JSON itself does not allow).
    Syntax errors pass through as json.JSONDecodeError, for the caller's message with line and column."""

    def refuse_constant(name):
        raise BadInput(_("%(label)s中不能含有%(name)s（JSON不允许非有限数字）。") % {"label": label, "name": name})

    def finite(number: str) -> float:
        value = float(number)
        if not math.isfinite(value):
            raise BadInput(_("%(label)s中的数字%(number)s超出范围。") % {"label": label, "number": number[:40]})
        return value

    try:
        data = json.loads(text, parse_constant=refuse_constant, parse_float=finite)
    except RecursionError:
        raise BadInput(
            _("%(label)s嵌套过深（最多%(max_json_depth)s层）。") % {"label": label, "max_json_depth": MAX_JSON_DEPTH}
        ) from None
    if _depth(data) > MAX_JSON_DEPTH:
        raise BadInput(
            _("%(label)s嵌套过深（最多%(max_json_depth)s层）。") % {"label": label, "max_json_depth": MAX_JSON_DEPTH}
        )
    return data


def _depth(data: object) -> int:
    """Without recursion, so that measuring a hostile document cannot itself overflow."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest
