"""Processes that keep running: each is restarted, with a growing pause, when it exits, until it is
stopped. shenbao's production stack (deploy/stack.py) runs every service under it; the fault bench
kills and pauses them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


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


def free_block(candidates: list[int], size: int = 14) -> int:
    """The first port of the first block of `size` ports of which none is taken."""
    for first in candidates:
        if not any(port_open(port) for port in range(first, first + size)):
            return first
    raise StackError(f"no free block of {size} ports among {candidates}")


def lower_session_priority(pid: int, nice: int) -> None:
    """Give the session that `pid` leads the CPU priority `nice` as a whole.

    Linux's autogroup scheduling (on by default: /proc/sys/kernel/sched_autogroup_enabled) shares the
    processor between sessions first, and a process's nice orders it only within its own session. Each
    service runs in a session of its own, so `nice` alone left a busy main pool an equal share with the
    autosave pool: at 300 applicants uploading, autosave threads waited 2 s in every 5 s for a processor
    (their run-queue time in /proc, bench/rush.py, 2026-11-27). Lowering one's own priority needs no
    privilege. Where there is no autogroup (cgroups decide, as under systemd: README), nothing to do."""
    try:
        Path(f"/proc/{pid}/autogroup").write_text(str(nice))
    except OSError:
        pass


class StackError(RuntimeError):
    """A service could not be started (no package, no permission, a port taken)."""


@dataclass
class Service:
    """One long-running process, restarted with a growing pause when it exits, until stopped."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    restart: bool = True
    # CPU priority, 0 the kernel's default and 19 the lowest: bulk work yields to autosaves (front.py).
    nice: int = 0
    process: subprocess.Popen | None = None
    restarts: int = 0
    _stopping: bool = False
    _paused: bool = False
    _watcher: threading.Thread | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

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
            argv = ["nice", "-n", str(self.nice), *self.argv] if self.nice else self.argv
            self.process = subprocess.Popen(
                argv, env=self.env, cwd=REPO, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        if self.nice:
            lower_session_priority(self.process.pid, self.nice)

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
            started = time.monotonic()
            if not self._restart_in_place_of(process):
                continue
            # A process that keeps dying at once is restarted ever more slowly (at most every 10 s).
            pause = min(pause * 2, 10.0) if time.monotonic() - started < 5 else 0.5

    def _restart_in_place_of(self, exited: subprocess.Popen) -> bool:
        """Start the process again, unless it was stopped, paused, or already started again by
        `resume` meanwhile: a second copy would run unwatched, holding its ports after `stop`."""
        with self._lock:
            if self._stopping or self._paused or self.process is not exited:
                return False
            self.restarts += 1
            self._spawn()
            return True

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
        with self._lock:
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
