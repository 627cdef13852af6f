"""Small template helpers, available in every template (settings TEMPLATES builtins)."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`mapping[key]`, or "" when it is absent: dictionaries keyed by paths or slugs."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.simple_tag
def join_path(*parts) -> str:
    """`partners`, 0, `name` → `partners.0.name`: the input name of a table cell."""
    return ".".join(str(p) for p in parts)


@register.simple_tag
def vendored_static(path: str) -> str:
    """The URL of a library scripts/vendor-js.sh copies into the static files, or "" when this
    installation has not vendored it (its page then works without it, e.g. charts fall back to their
    tables) rather than failing on a static manifest that does not name it."""
    from django.templatetags.static import static

    try:
        return static(path)
    except ValueError:
        return ""


@register.filter
def term(text, call):
    """A word of the call file in the chosen language: `{{ category.name|term:call }}`. `call` is a
    Call, its spec, or anything with a `call` (an application); see CallSpec.term."""
    spec = getattr(call, "spec", None) or getattr(getattr(call, "call", None), "spec", None) or call
    return spec.term(text) if hasattr(spec, "term") else text


@register.filter
def clause(text):
    """A clause of the guide as the chosen language cites it: 一(三)8, or guide 1(3)8."""
    from shenbao.language import cite

    return cite(str(text or ""))


@register.filter
def terms(texts, call):
    """Several words of the call file in the chosen language: `{{ tags|terms:call|listing }}`."""
    return [term(text, call) for text in texts or ()]


@register.filter
def listing(items):
    """A list in a sentence: 甲、乙、丙 in Chinese, "a, b, c" in English."""
    from shenbao.language import join

    return join(items or ())
