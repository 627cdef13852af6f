"""A person at a browser, over plain HTTP: reads the page's forms, fills them by field name, presses a
button by its label, keeps the session and CSRF cookies. The stack test and the benchmarks drive the
production stack with it; no JavaScript runs, so what it does is what a form post does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # what the browser would send as is
    checkboxes: list[tuple[str, str, str]] = field(default_factory=list)  # name, value, label (aria-label)
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # name, value, text
    names: set[str] = field(default_factory=set)
    text: str = ""

    def values(self) -> dict[str, str]:
        return dict(self.fields)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._option: dict | None = None
        self._textarea: str | None = None
        self._textarea_text: list[str] = []
        self._button: tuple[str, str] | None = None
        self._button_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            form.names.add(name)
            kind = a.get("type", "text").lower()
            if kind in {"checkbox", "radio"}:
                form.checkboxes.append((name, a.get("value", "on"), a.get("aria-label", "")))
                if "checked" in a:
                    form.fields.append((name, a.get("value", "on")))
            elif kind in {"submit", "button", "image", "file"}:
                pass
            else:
                form.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            form.names.add(name)
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select:
            self._option = a
        elif tag == "textarea" and name:
            form.names.add(name)
            self._textarea, self._textarea_text = name, []
        elif tag == "button":
            self._button, self._button_text = (name, a.get("value", "")), []

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea_text.append(data)
        if self._button is not None:
            self._button_text.append(data)
        if self._option is not None and "value" not in self._option:
            self._option["value"] = data.strip()
        if self._form is not None:
            self._form.text += data

    def handle_endtag(self, tag):
        form = self._form
        if tag == "form":
            self._form = None
        elif tag == "option" and self._select and self._option is not None and form is not None:
            value = self._option.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in self._option and not self._select_chosen:
                form.fields.append((self._select, value))
                self._select_chosen = True
            self._option = None
        elif tag == "select" and self._select and form is not None:
            if not self._select_chosen and self._select_first is not None:
                form.fields.append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea and form is not None:
            form.fields.append((self._textarea, "".join(self._textarea_text).lstrip("\n")))
            self._textarea = None
        elif tag == "button" and self._button is not None and form is not None:
            form.buttons.append((*self._button, " ".join("".join(self._button_text).split())))
            self._button = None


def forms_of(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


class PageError(AssertionError):
    pass


class Visitor:
    """One person's browser session against `base_url`."""

    def __init__(self, base_url: str, timeout: float = 60.0):
        self.http = httpx.Client(base_url=base_url, timeout=timeout, follow_redirects=True)
        self.page: httpx.Response | None = None

    def close(self) -> None:
        self.http.close()

    def get(self, path: str) -> httpx.Response:
        self.page = self.http.get(path)
        if self.page.status_code >= 400:
            raise PageError(f"GET {path}: {self.page.status_code}\n{self.page.text[:2000]}")
        return self.page

    @property
    def text(self) -> str:
        return self.page.text if self.page is not None else ""

    def form(self, *, field: str | None = None, button: str | None = None) -> Form:
        """The page's form that has the field, or the button with this label."""
        for form in forms_of(self.text):
            if field and field in form.names:
                return form
            if button and any(text == button for _, _, text in form.buttons):
                return form
        raise PageError(f"no form with {field or button!r} on {self.page.url}:\n{self.text[:3000]}")

    def submit(
        self,
        form: Form,
        data: dict | list | None = None,
        *,
        button: str | None = None,
        files: dict | None = None,
        expect: int | None = 200,
    ) -> httpx.Response:
        payload = form.values()
        extra = list(data.items()) if isinstance(data, dict) else list(data or [])
        for key, _value in extra:
            payload.pop(key, None)
        pairs = list(payload.items()) + extra
        if button:
            pressed = [(n, v) for n, v, text in form.buttons if text == button]
            if not pressed:
                raise PageError(f"no button {button!r}: {form.buttons}")
            if pressed[0][0]:
                pairs.append(pressed[0])
        url = urljoin(str(self.page.url), form.action or str(self.page.url))
        headers = {"Referer": str(self.page.url), "X-CSRFToken": self.http.cookies.get("csrftoken", "")}
        body: dict[str, list[str]] = {}
        for key, value in pairs:
            body.setdefault(key, []).append(value)
        self.page = self.http.post(url, data=body, files=files, headers=headers)
        if expect is not None and self.page.status_code != expect:
            raise PageError(f"POST {url}: {self.page.status_code}\n{self.page.text[:3000]}")
        return self.page

    def log_in(self, username: str, password: str) -> None:
        self.get("/accounts/login/")
        self.submit(self.form(field="password"), {"username": username, "password": password})
        if "sessionid" not in self.http.cookies:
            raise PageError(f"{username} could not log in:\n{self.text[:2000]}")

    def log_out(self) -> None:
        self.get("/")
        self.submit(self.form(button="退出"))
        self.http.cookies.clear()

    def says(self, pattern: str) -> re.Match | None:
        return re.search(pattern, self.text)
