"""The front of the one-machine stack: nginx on PORT, in front of two pools of the same gunicorn web
workers, so that an autosave never waits behind heavier work (issue 12, the deadline p99).

Why two pools. At the deadline the same few seconds bring hundreds of page loads, submissions, log-ins
(password hashing) and 10 MB uploads. In one pool an autosave queues behind them: in gunicorn's
backlog, for a worker thread, for the GIL. Measured with bench/rush.py (300 applicants, no uploads),
steady autosaves took 12–18 ms (p95) but those sent while the others opened their pages or clicked
提交 waited 1–3 s. nginx sends every request with the page's `X-Autosave` header to a pool of its
own; all the rest go to the main pool, whose processes (and the task workers and the object store)
run at a lower CPU priority, each service's whole session (supervisor.lower_session_priority), so the
kernel gives a waiting autosave the processor first. The main pool loses nothing when the machine is
idle: priority only orders work that competes.

nginx also buffers what a slow line sends (an upload arrives whole before a worker thread is spent on
it) and is what a department puts in front of its web workers anyway; on several machines its
`map` goes into the department's own balancer (README).
"""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
from pathlib import Path

from .supervisor import StackError

# The header application.js sends with every autosave (and only then); the view requires it too.
AUTOSAVE_HEADER = "X-Autosave"
# The main pool's and the task workers' CPU priority: 0 is the kernel's default, 19 the lowest.
BULK_NICE = 10
TEMPORARY_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def nginx_binary() -> str | None:
    # Debian's is in /usr/sbin, which a user's PATH may lack.
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")


def write_config(directory: Path, *, port: int, pages_port: int, autosave_port: int) -> Path:
    """nginx.conf for the stack. Its temporary folders are private to the user nginx's workers run as
    (nobody when started as root): a buffered upload is an applicant's document."""
    directory.mkdir(parents=True, exist_ok=True)
    user_line = ""
    # The workers of an nginx started as root drop to an unprivileged user; what they write must be
    # theirs, and the folder above must let them in. DATA_DIR is often private (0700), so the
    # temporary folders live in the system's temporary directory.
    scratch = Path(tempfile.mkdtemp(prefix="shenbao-nginx-"))
    nobody = pwd.getpwnam("nobody") if os.geteuid() == 0 else None
    if nobody:
        user_line = "user nobody nogroup;"
        scratch.chmod(0o711)
    for name in TEMPORARY_DIRS:
        (scratch / name).mkdir(mode=0o700)
        if nobody:
            os.chown(scratch / name, nobody.pw_uid, nobody.pw_gid)
    temporary = "\n".join(f"    {name}_temp_path {scratch / name};" for name in TEMPORARY_DIRS)
    config = directory / "nginx.conf"
    config.write_text(
        f"""# Written by deploy/front.py at each start; edit that, not this.
{user_line}
daemon off;
master_process on;
worker_processes 1;
pid {directory / "nginx.pid"};
error_log stderr warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
{temporary}
    # shenbao answers too-large uploads itself, in Chinese with the guide's clause (attachments/uploads.py).
    client_max_body_size 0;
    client_body_buffer_size 1m;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
    # When the request arrived (whole, for an upload), whatever the client sent under that name: a
    # click queued at the deadline is judged by it (TRUST_REQUEST_START, shenbao/web/clock.py).
    proxy_set_header X-Request-Start "t=${{msec}}";
    proxy_read_timeout 120s;
    proxy_send_timeout 120s;
    proxy_buffer_size 16k;
    proxy_buffers 16 16k;
    proxy_max_temp_file_size 0;
    # Idle connections to the pools are let go before gunicorn's keep-alive (WEB_KEEPALIVE, 5 s) ends
    # them: a request sent on a connection the pool is closing would come back as 502.
    upstream shenbao_pages {{ server 127.0.0.1:{pages_port}; keepalive 64; keepalive_timeout 2s; }}
    upstream shenbao_autosave {{ server 127.0.0.1:{autosave_port}; keepalive 64; keepalive_timeout 2s; }}
    map $http_{AUTOSAVE_HEADER.lower().replace("-", "_")} $shenbao_pool {{
        default shenbao_autosave;
        "" shenbao_pages;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{ proxy_pass http://$shenbao_pool; }}
        # A section page's live panels after a pause (application.js): part of the editing, answered
        # beside the autosaves rather than behind the uploads and the logins.
        location ~ ^/applications/[^/]+/[a-z_]+/panels/$ {{ proxy_pass http://shenbao_autosave; }}
    }}
}}
"""
    )
    (directory / "scratch").write_text(str(scratch))
    return config


def remove_scratch(directory: Path) -> None:
    marker = directory / "scratch"
    if marker.exists():
        shutil.rmtree(marker.read_text().strip(), ignore_errors=True)
        marker.unlink()


def nginx_argv(config: Path) -> list[str]:
    binary = nginx_binary()
    if binary is None:
        raise StackError("nginx is not installed (scripts/ensure-debian-packages.sh with WITH_NGINX=1)")
    return [binary, "-c", str(config), "-p", str(config.parent), "-e", "stderr"]
