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
