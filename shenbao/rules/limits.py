"""How long a text of the 申报书 may be, and the one sentence that refuses a longer one.

The form (typing and autosave), the import and the API, and the formal review all call these, so a
title is measured and refused the same way everywhere, citing where the limit comes from."""

from shenbao.calls.spec import CallSpec
from shenbao.language import gettext as _
from shenbao.language import gettext_lazy

TITLE_LABEL = gettext_lazy("项目名称")


def title_limit(spec: CallSpec) -> tuple[int, str]:
    """The call's longest title in characters, and where that number comes from."""
    return spec.project["max_title_length"], spec.term(spec.project["max_title_length_source"])


def length_refusal(label: str, text: str, limit: int, source: str) -> str:
    """ "" when `text` fits; else a Chinese sentence naming the field, the limit, its source and the length."""
    length = len(text.strip())
    if length <= limit:
        return ""
    return _("“%(label)s”最多%(limit)s个字（%(source)s），当前为%(length)s个字，请精简。") % {
        "label": label,
        "limit": limit,
        "source": source,
        "length": length,
    }


def title_refusal(title: str, spec: CallSpec) -> str:
    return length_refusal(TITLE_LABEL, title, *title_limit(spec))
