"""`manage.py work [--queues sealing,default]`: run shenbao's background jobs, one at a time per process
(start several processes to seal in parallel). The worker outlives a database outage: it closes its
connection, waits (0.5 s, doubling up to 30 s) and tries again. It exits 0 on SIGTERM/SIGINT after the
job in hand, and non-zero only on an error that is not an outage."""

import logging
import signal
import socket
import time
import uuid

from django.core.management.base import BaseCommand
from django.db import InterfaceError, OperationalError, close_old_connections, connections

from shenbao.jobs import queue

logger = logging.getLogger("shenbao.jobs.worker")
OUTAGES = (OperationalError, InterfaceError)
MAX_BACKOFF_SECONDS = 30.0


class Command(BaseCommand):
    help = "Run background jobs (sealing, mail) with leases, retries and reconnection."

    def add_arguments(self, parser):
        parser.add_argument("--queues", default="", help="comma-separated queue names (default: all)")
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between polls when idle")
        parser.add_argument("--once", action="store_true", help="run what is due, then exit")

    def handle(self, *, queues: str, interval: float, once: bool, **options):
        self.running = True
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._stop)
        names = [q for q in queues.split(",") if q] or None
        worker = f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"[:64]
        outage_wait = 0.0
        while self.running:
            try:
                close_old_connections()
                job = queue.claim(worker, names)
                if job is not None:
                    queue.run(job)
                outage_wait = 0.0
            except OUTAGES as error:
                outage_wait = min(max(outage_wait * 2, 0.5), MAX_BACKOFF_SECONDS)
                logger.warning("database unavailable (%s); retrying in %.1f s", error, outage_wait)
                connections.close_all()
                time.sleep(outage_wait)
                continue
            if job is None:
                if once:
                    return
                time.sleep(interval)

    def _stop(self, signum, frame):
        self.running = False
