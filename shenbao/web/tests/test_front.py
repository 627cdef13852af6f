"""The stack's front (deploy/front.py): nginx sends autosaves to a pool of their own and everything else
to the main pool, and behind it the audit trail and the login lockout still see the client's address."""

import os
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import RequestFactory, override_settings

from deploy import front
from deploy.stack import Service, Stack, free_block, wait_until
from shenbao.web.middleware import ForwardedClientMiddleware


def _pool(name: str) -> ThreadingHTTPServer:
    """A stand-in for a gunicorn pool: answers every request with its own name and the client it saw."""

    class Answer(BaseHTTPRequestHandler):
        def _answer(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = f"{name} {self.headers.get('X-Forwarded-For')}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def nginx(tmp_path):
    if front.nginx_binary() is None:
        pytest.skip("nginx is not installed (scripts/ensure-debian-packages.sh with WITH_NGINX=1)")
    pages, autosave = _pool("pages"), _pool("autosave")
    port = free_block([8620, 8640, 8660], size=1)
    config = front.write_config(
        tmp_path / "nginx", port=port, pages_port=pages.server_port, autosave_port=autosave.server_port
    )
    service = Service("nginx", front.nginx_argv(config), dict(os.environ), tmp_path / "nginx.log", restart=False)
    service.start()
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: urllib.request.urlopen(url + "/", timeout=2).status == 200, 20, "nginx")
    yield url
    service.stop()
    front.remove_scratch(tmp_path / "nginx")
    pages.shutdown()
    autosave.shutdown()


def _send(url: str, method: str = "GET", headers: dict | None = None, body: bytes | None = None) -> str:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


def test_an_autosave_and_the_live_panels_go_to_the_autosave_pool_and_everything_else_to_the_main_pool(nginx):
    section = nginx + "/applications/0d6f/content/"
    autosave = {"X-Autosave": "1", "Content-Type": "application/json"}

    assert _send(section, "POST", autosave, b"[]").startswith("autosave ")
    assert _send(section).startswith("pages ")  # the same page, opened
    assert _send(section, "POST", {"Content-Type": "application/x-www-form-urlencoded"}, b"a=1").startswith("pages ")
    assert _send(nginx + "/accounts/login/", "POST", {}, b"username=x").startswith("pages ")
    assert _send(section + "panels/").startswith("autosave ")  # the live panels, after a pause


def test_a_ten_megabyte_upload_passes_the_front_whole(nginx):
    body = os.urandom(10 * 1024 * 1024)

    assert _send(nginx + "/attachments/0d6f/upload/", "POST", {"Content-Type": "application/pdf"}, body).startswith(
        "pages "
    )


def test_the_pools_learn_the_client_address_from_the_front(nginx):
    answer = _send(nginx + "/", headers={"X-Forwarded-For": "203.0.113.9"})

    # What the client wrote stays first; nginx adds the address it saw last, which is the one trusted.
    assert answer == "pages 203.0.113.9, 127.0.0.1"


def test_the_main_pool_the_task_workers_and_the_object_store_yield_the_processor_to_the_autosave_pool(
    tmp_path, monkeypatch
):
    started = {}
    monkeypatch.setattr(
        Stack, "_supervise", lambda self, name, argv, env=None, nice=0: started.setdefault(name, (argv, nice))
    )
    monkeypatch.setattr(Stack, "task_queues", lambda self: ["default", "sealing"])
    monkeypatch.setattr("deploy.stack.wait_until", lambda *args, **kwargs: None)
    monkeypatch.setattr(front, "nginx_argv", lambda config: ["nginx", "-c", str(config)])
    stack = Stack(data_dir=tmp_path, port=8000, front=True, environ={"SECRET_KEY": "x"}, task_workers=2)
    stack.env = stack._django_env()
    stack._launch_object_store()
    stack._start_task_workers()
    stack._start_web()
    front.remove_scratch(tmp_path / "nginx")

    assert {name for name, (argv, nice) in started.items() if nice == front.BULK_NICE} == {
        "s3",
        "worker-1",
        "worker-2",
        "worker-rq",
        "web",
    }
    assert started["web-autosave"][1] == started["nginx"][1] == 0
    assert "gunicorn" in started["web-autosave"][0][0] and started["nginx"][0][0] == "nginx"
    assert 0 < front.BULK_NICE <= 19


def _client_address(remote: str, forwarded: str | None, trusted: list[str]) -> str:
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **headers)
    with override_settings(FORWARDED_ALLOW_IPS=trusted):
        ForwardedClientMiddleware(lambda r: None)(request)
    return request.META["REMOTE_ADDR"]


def test_behind_a_trusted_proxy_the_client_is_the_last_address_the_proxy_did_not_write_itself():
    assert _client_address("127.0.0.1", "198.51.100.7", ["127.0.0.1"]) == "198.51.100.7"
    # A client that writes its own X-Forwarded-For cannot choose its address: the proxy's entry is last.
    assert _client_address("127.0.0.1", "10.0.0.1, 198.51.100.7", ["127.0.0.1"]) == "198.51.100.7"
    # Two proxies in a row (a balancer, then nginx): the address before both.
    assert _client_address("127.0.0.1", "198.51.100.7, 10.1.1.1", ["127.0.0.1", "10.1.1.1"]) == "198.51.100.7"
    assert _client_address("127.0.0.1", "198.51.100.7", ["*"]) == "198.51.100.7"


def test_a_request_that_did_not_come_through_a_trusted_proxy_keeps_its_own_address():
    assert _client_address("203.0.113.50", "198.51.100.7", ["127.0.0.1"]) == "203.0.113.50"
    assert _client_address("127.0.0.1", None, ["127.0.0.1"]) == "127.0.0.1"
    # Something that is not an address stops the walk: nothing left of it came from a trusted proxy.
    assert _client_address("127.0.0.1", "198.51.100.7, <script>", ["127.0.0.1"]) == "127.0.0.1"


def test_a_front_stamp_from_the_future_or_not_a_time_is_not_believed():
    import datetime as dt

    from shenbao.web.clock import front_received_at

    now = dt.datetime(2025, 11, 14, 8, 0, tzinfo=dt.UTC)
    assert front_received_at(f"t={now.timestamp() - 2.5:.3f}", now) == now - dt.timedelta(seconds=2.5)
    assert front_received_at(f"t={now.timestamp() + 0.4:.3f}", now) == now  # the clocks differ a little
    assert front_received_at(f"t={now.timestamp() + 30:.3f}", now) is None
    assert front_received_at("t=soon", now) is None
    assert front_received_at("t=1e400", now) is None


def test_the_autosave_pool_runs_one_thread_a_worker_unless_the_environment_names_its_workers_and_threads(tmp_path):
    # gunicorn.conf's number of workers; one thread each, so that saves do not take turns on the GIL
    assert Stack(data_dir=tmp_path).autosave_pool(8013) == {"WEB_BIND": "127.0.0.1:8013", "WEB_THREADS": "1"}
    named = Stack(data_dir=tmp_path, environ={"WEB_AUTOSAVE_WORKERS": "3", "WEB_AUTOSAVE_THREADS": "2"})
    assert named.autosave_pool(8013) == {"WEB_BIND": "127.0.0.1:8013", "WEB_WORKERS": "3", "WEB_THREADS": "2"}
