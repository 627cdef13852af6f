"""The secrets shenbao needs, and where they come from.

In production each is an environment variable. A demo or a developer's machine (`make run`, the
tests) gets per-installation random values generated once into `DATA_DIR/secrets.json` (mode 0600):
never a default shared by every copy of the code. Outside DEBUG, a secret that is missing, empty or
one of the old published defaults stops the platform at start-up, naming the variable to set.

Runs without Django (settings import it; `python -m shenbao.installation_secrets DATA_DIR` creates
the file before anything else starts).
"""

import json
import os
import secrets
import sys
from pathlib import Path

# name → what it protects (for the start-up message and the README).
SECRETS = {
    "SECRET_KEY": "Django's signing key (sessions, password-reset links)",
    "SEAL_KEY_PASSPHRASE": "encrypts the private keys of the seals and of the development CA in the database",
    "AUDIT_HMAC_KEY": "keys the audit log's hash chain, so rows cannot be edited and re-chained",
}
# Values that were ever defaults in published code: as good as empty.
PUBLISHED_DEFAULTS = {"", "insecure-dev-only-key-change-me-in-production", "change-me", "secret"}
FILE_NAME = "secrets.json"


class MissingSecret(RuntimeError):
    pass


def generate_file(data_dir: Path) -> Path:
    """Create DATA_DIR/secrets.json with fresh random values unless it exists (safe when two processes
    start at once: the file appears whole or not at all)."""
    path = Path(data_dir) / FILE_NAME
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    values = {name: secrets.token_urlsafe(48) for name in SECRETS}
    temporary = path.with_name(f".{FILE_NAME}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(values, file)
    try:
        os.link(temporary, path)  # fails if another process made it first; then theirs counts
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return path


def _from_file(data_dir: Path) -> dict:
    path = Path(data_dir) / FILE_NAME
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def load(data_dir: Path, *, debug: bool, environ=os.environ) -> dict[str, str]:
    """Each secret from its environment variable, else from DATA_DIR/secrets.json. That file is
    generated here in DEBUG and under the test runner; elsewhere it must already exist (`make run`
    creates it) or the variables must be set."""
    if debug or "PYTEST_VERSION" in environ:
        if not all(environ.get(name) for name in SECRETS):
            generate_file(data_dir)
    stored = _from_file(data_dir)
    values = {name: environ.get(name) or stored.get(name, "") for name in SECRETS}
    if not debug:
        for name, value in values.items():
            if value.strip() in PUBLISHED_DEFAULTS or len(value) < 16:
                raise MissingSecret(
                    f"{name} is not set (or is empty or a published default): set the environment variable "
                    f"{name} to a long random value ({SECRETS[name]}), e.g. "
                    f"{name}=\"$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')\". "
                    f"For a demo, `make run` generates per-installation secrets into {Path(data_dir) / FILE_NAME}."
                )
    return values


if __name__ == "__main__":
    print(generate_file(Path(sys.argv[1])))
