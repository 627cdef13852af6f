"""django-storages' S3 storage, with what a web worker under deadline load needs from it.

- One boto3 session per process, not one per thread. django-storages keeps a resource per thread
  (resources are not thread-safe) and makes a new session for each; a session reads botocore's
  service models and endpoint rules from disk, about a third of a second of CPU, holding the GIL. With
  gthread workers that cost fell on the first upload of every thread, during the rush. The shared
  session keeps those files read once; the resources are still per thread, made under a lock because
  a session is not documented as safe to use from several threads at once.
- A file is one PUT from the request's own thread: boto3's default splits anything over 8 MB into
  parts sent by a new pool of ten threads per file. shenbao's files are 10 MB attachments at most
  and PDFs it makes; a larger one (a backup) still goes in parts, one after another.
- No CRC32 of every file on top of the request's own SHA-256 signature (or TLS): boto3 adds one to
  each PUT by default, and shenbao keeps each file's SHA-256 itself. A 10 MB attachment then costs the
  object store 17 ms less CPU and the web worker 8 ms (SeaweedFS on this machine, bench/rush.py).
"""

import threading

from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from storages.backends.s3 import S3Storage as _S3Storage

ONE_PUT_UP_TO = 256 * 1024 * 1024
CHECKSUMS_WHEN_REQUIRED = Config(
    request_checksum_calculation="when_required", response_checksum_validation="when_required"
)


class S3Storage(_S3Storage):
    def __init__(self, **settings):
        settings.setdefault("transfer_config", TransferConfig(multipart_threshold=ONE_PUT_UP_TO, use_threads=False))
        super().__init__(**settings)
        self.client_config = self.client_config.merge(CHECKSUMS_WHEN_REQUIRED)
        self._session = None
        self._session_lock = threading.Lock()

    def _create_session(self):
        if self._session is None:
            self._session = super()._create_session()
        return self._session

    @property
    def connection(self):
        if getattr(self._connections, "connection", None) is None:
            with self._session_lock:  # the session is made, and used to make a resource, by one thread at a time
                return super().connection
        return self._connections.connection

    @property
    def unsigned_connection(self):
        if getattr(self._unsigned_connections, "connection", None) is None:
            with self._session_lock:
                return super().unsigned_connection
        return self._unsigned_connections.connection

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_session", None)
        state.pop("_session_lock", None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        self._session = None
        self._session_lock = threading.Lock()
