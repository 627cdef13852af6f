"""A signing-identity provider for the killed-worker test: the first seal hangs (the worker is killed
while it waits), every later one is the development CA's."""

import os
import time
from pathlib import Path

from shenbao.documents import ca


def identity(*args):
    marker = Path(os.environ["SLOW_SEAL_MARKER"])
    if not marker.exists():
        marker.write_text("hanging")
        time.sleep(300)
    return ca.identity(*args)
