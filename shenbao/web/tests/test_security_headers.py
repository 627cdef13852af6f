"""Headers: a Content-Security-Policy without inline script on every page (so no template may carry an
inline script, event handler or style attribute), HSTS when SECURE_COOKIES is on, and the proxy's TLS
header configurable."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
# Templates rendered to PDF by WeasyPrint, never served to a browser.
PRINT_TEMPLATES = ("documents/templates/",)
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "event handler": re.compile(r"\son[a-z]+\s*=", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def _served_templates():
    for path in sorted((REPO / "shenbao").rglob("templates/**/*.html")):
        relative = str(path.relative_to(REPO / "shenbao"))
        if not any(relative.split("/", 1)[1].startswith(p) or p in relative for p in PRINT_TEMPLATES):
            yield relative, path.read_text(encoding="utf-8")


def test_every_page_carries_a_policy_without_inline_script(client, db):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"


def test_api_answers_carry_the_policy_too(client, db):
    assert "script-src 'self'" in client.get("/api/v1/applications")["Content-Security-Policy"]


@pytest.mark.parametrize(("template", "text"), list(_served_templates()), ids=lambda v: v if "/" in v else "")
def test_no_served_template_has_inline_script_handlers_or_styles(template, text):
    found = [kind for kind, pattern in INLINE.items() if pattern.search(text)]
    assert not found, f"{template}: {found} — move it to a static file (see web/static/shenbao/site.js)"


def _settings_with(**env) -> str:
    environ = {**os.environ, "DATABASE_URL": "sqlite:///:memory:", **env}
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=REPO, env=environ, capture_output=True, text=True
    )
    return (done.stdout.strip().splitlines() or [""])[-1] + done.stderr[-300:]


def test_hsts_is_sent_when_secure_cookies_are_on_and_not_otherwise():
    assert _settings_with(SECURE_COOKIES="true").startswith("31536000 ")
    assert _settings_with(SECURE_COOKIES="false").startswith("0 ")


def test_the_proxy_tls_header_is_configurable():
    assert "('HTTP_X_FORWARDED_PROTO', 'https')" in _settings_with(
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO=https"
    )
    assert "should look like" in _settings_with(SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")


def test_hsts_header_reaches_the_browser_over_https(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    assert client.get("/", secure=True)["Strict-Transport-Security"].startswith("max-age=31536000")
