"""Outside DEBUG, shenbao refuses to start without its secrets and says which variable to set; a demo
gets per-installation secrets generated into DATA_DIR, never a default shared by every copy."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from shenbao import installation_secrets

REPO = Path(__file__).resolve().parents[3]
LONG = "x" * 40


def _start(tmp_path, **env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in installation_secrets.SECRETS and k != "PYTEST_VERSION"}
    environ.update({"DATA_DIR": str(tmp_path), "DEBUG": "false", "DATABASE_URL": "sqlite:///:memory:", **env})
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=REPO, env=environ, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "SECRET_KEY"),
        ({"SECRET_KEY": "insecure-dev-only-key-change-me-in-production"}, "SECRET_KEY"),
        ({"SECRET_KEY": LONG, "AUDIT_HMAC_KEY": LONG}, "SEAL_KEY_PASSPHRASE"),
        ({"SECRET_KEY": LONG, "SEAL_KEY_PASSPHRASE": "", "AUDIT_HMAC_KEY": LONG}, "SEAL_KEY_PASSPHRASE"),
        ({"SECRET_KEY": LONG, "SEAL_KEY_PASSPHRASE": LONG}, "AUDIT_HMAC_KEY"),
    ],
)
def test_production_refuses_to_start_naming_the_missing_secret(tmp_path, env, named):
    started = _start(tmp_path, **env)
    assert started.returncode != 0
    assert f"{named} is not set" in started.stderr and f"environment variable {named}" in started.stderr


def test_production_starts_with_every_secret_set(tmp_path):
    started = _start(tmp_path, SECRET_KEY=LONG, SEAL_KEY_PASSPHRASE=LONG + "y", AUDIT_HMAC_KEY=LONG + "z")
    assert started.returncode == 0, started.stderr


def test_the_demo_generates_its_own_secrets_once_into_the_data_dir(tmp_path):
    path = installation_secrets.generate_file(tmp_path)
    first = json.loads(path.read_text())
    assert installation_secrets.generate_file(tmp_path) == path and json.loads(path.read_text()) == first
    assert set(first) == set(installation_secrets.SECRETS) and len(set(first.values())) == 3
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _start(tmp_path).returncode == 0  # `make run` then starts without any variable set
    other = installation_secrets.generate_file(tmp_path / "another-installation")
    assert json.loads(other.read_text()) != first


def test_the_seal_passphrase_no_longer_defaults_to_the_secret_key(settings):
    assert settings.SEAL_KEY_PASSPHRASE != settings.SECRET_KEY
