"""`make screenshots`: pictures of what people see, for a reviewer who would rather look than read.

    .venv/bin/python scripts/screenshots.py [--out var/screenshots]

A throwaway demo: a temporary DATA_DIR with its own SQLite database and secrets, the demo data
(`seed_demo`), and `runserver` on a free port. Debian's chromium (with shenbao's CJK font,
shenbao/web/browser.py) logs in as each role and saves full-page PNGs:

- section.png          the demo applicant's 申报书, section 项目组成员 (1280 px), while still a draft
- phone-section.png    the same page at 375 px
- unit-queue.png       the unit admin's queue once the draft is submitted
- phone-unit-queue.png the same queue at 375 px
- overview.png         the department's 申报总览
Nothing outside the temporary folder and --out is touched; the folder is removed at the end.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "shenbao-demo"
APPLICANT, UNIT_ADMIN, DEPARTMENT = "wuyun", "12150000460012345Q", "kjt"
LAPTOP, PHONE = {"width": 1280, "height": 900}, {"width": 375, "height": 812}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _demo_environment(folder: Path) -> dict[str, str]:
    """Everything the demo reads from the environment, pointed into `folder`; nothing shared."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "STORAGE_", "CACHE_", "TASKS_", "EMAIL_", "SEAL_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="shenbao.settings",
        DATA_DIR=str(folder),
        DATABASE_URL=f"sqlite:///{folder / 'demo.sqlite3'}",
        TASKS_BACKEND="immediate",  # a seal or a mail runs in the request: no worker to start
        DEBUG="false",
        PYTHONPATH=str(REPO),
    )
    for name in ("SECRET_KEY", "SEAL_KEY_PASSPHRASE", "AUDIT_HMAC_KEY"):
        environment.pop(name, None)  # generated for this demo into folder/secrets.json
    return environment


def _prepare(environment: dict[str, str]) -> None:
    python = sys.executable
    subprocess.run(
        [python, "-m", "shenbao.installation_secrets", environment["DATA_DIR"]],
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"], ["seed_demo"]):
        subprocess.run(
            [python, "manage.py", *command], env=environment, cwd=REPO, check=True, stdout=subprocess.DEVNULL
        )


def _submit_the_demo_draft(environment: dict[str, str]) -> None:
    """The applicant submits the demo draft, so that the unit's queue and the overview have a row."""
    script = (
        "from django.utils import timezone\n"
        "from shenbao.applications.models import Application\n"
        "from shenbao.applications.services import submit_application\n"
        f"application = Application.objects.get(applicant__username={APPLICANT!r})\n"
        "submit_application(application, application.applicant, timezone.now())\n"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        env=environment,
        cwd=REPO,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _demo_application_id(environment: dict[str, str]) -> str:
    script = (
        "from shenbao.applications.models import Application\n"
        f"print(Application.objects.get(applicant__username={APPLICANT!r}).public_id)\n"
    )
    output = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        env=environment,
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return output.strip().splitlines()[-1]


def _serve(environment: dict[str, str], port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=environment,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("runserver stopped before answering") from None
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("runserver did not answer within 60 s")


def _signed_in(browser, base_url: str, username: str):
    context = browser.new_context(locale="zh-CN", base_url=base_url, viewport=LAPTOP)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base_url}/")
    return context, page


def _shoot(page, path: str, out: Path, name: str, viewport=LAPTOP) -> None:
    page.set_viewport_size(viewport)
    response = page.goto(path)
    if response is None or response.status >= 400:
        raise SystemExit(f"{path} answered {response and response.status}")
    page.screenshot(path=str(out / name), full_page=True)
    print(f"  {out / name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "var" / "screenshots")
    out = parser.parse_args().out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(REPO))
    from playwright.sync_api import sync_playwright

    from shenbao.web.browser import CHROMIUM, launch

    if not os.path.exists(CHROMIUM):
        raise SystemExit("Debian's chromium is missing: WITH_BROWSER=1 scripts/ensure-debian-packages.sh")
    folder = Path(tempfile.mkdtemp(prefix="shenbao-screenshots-"))
    server = None
    try:
        environment = _demo_environment(folder)
        print("Preparing a throwaway demo database …")
        _prepare(environment)
        application = _demo_application_id(environment)
        port = _free_port()
        server = _serve(environment, port)
        base_url = f"http://127.0.0.1:{port}"
        section = f"/applications/{application}/team/"
        print(f"Screenshots into {out}:")
        with sync_playwright() as playwright:
            browser = launch(playwright)
            context, page = _signed_in(browser, base_url, APPLICANT)
            _shoot(page, section, out, "section.png")
            _shoot(page, section, out, "phone-section.png", PHONE)
            context.close()
            _submit_the_demo_draft(environment)
            context, page = _signed_in(browser, base_url, UNIT_ADMIN)
            _shoot(page, "/review/unit/", out, "unit-queue.png")
            _shoot(page, "/review/unit/", out, "phone-unit-queue.png", PHONE)
            context.close()
            context, page = _signed_in(browser, base_url, DEPARTMENT)
            _shoot(page, "/review/overview/", out, "overview.png")
            context.close()
            browser.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
