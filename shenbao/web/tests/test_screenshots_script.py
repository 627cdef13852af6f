"""`make screenshots` works on a throwaway demo: it never reaches the developer's database, files or keys."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "screenshots.py"


def _script():
    spec = importlib.util.spec_from_file_location("screenshots", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_demo_points_every_store_into_its_own_folder_and_generates_its_own_keys(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shenbao")
    monkeypatch.setenv("STORAGE_BACKEND", "s3")
    monkeypatch.setenv("SECRET_KEY", "the-developers-own-key-0123456789")
    monkeypatch.setenv("CACHE_URL", "redis://127.0.0.1:6379/1")
    environment = _script()._demo_environment(tmp_path)
    assert environment["DATA_DIR"] == str(tmp_path)
    assert environment["DATABASE_URL"] == f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    assert environment["TASKS_BACKEND"] == "immediate"
    for inherited in ("STORAGE_BACKEND", "SECRET_KEY", "CACHE_URL"):
        assert inherited not in environment
