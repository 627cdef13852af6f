"""What every benchmark needs: Django on an in-memory SQLite database with the 2026 call loaded, the
example 申报书, a registered unit, and a median timer. Imported by the bench scripts, not run."""

import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shenbao.settings")
os.environ["DATABASE_URL"] = "sqlite:///:memory:"

import django  # noqa: E402

from shenbao import installation_secrets  # noqa: E402

# A benchmark is a developer's run, like `make run`: per-installation secrets, generated once.
installation_secrets.generate_file(Path(os.environ.get("DATA_DIR", REPO / "var")))
django.setup()

from django.core.management import call_command  # noqa: E402

EXAMPLE = REPO / "docs" / "examples" / "application-1001.json"
CALL_FILE = REPO / "calls" / "nmg-2026-kjhz.toml"


def median_seconds(function, repeat: int, *, warm_up: bool = False) -> float:
    """The median of `repeat` timed runs; `warm_up` first runs it once untimed (fonts, keys, caches)."""
    if warm_up:
        function()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def call_with_a_unit():
    """A migrated database holding the 2026 call and 内蒙古草原生态研究院 with an applicant."""
    from shenbao.accounts.models import User
    from shenbao.calls.loading import load_call
    from shenbao.organisations.models import Recommender, Unit

    call_command("migrate", verbosity=0)
    call = load_call(CALL_FILE)[0]
    unit = Unit.objects.create(
        name="内蒙古草原生态研究院",
        uscc="12150000460012345Q",
        unit_type="科研院所",
        independent_legal_person=True,
        registered_on="2003-06-18",
        division_code="150102",
        route="local",
        recommender=Recommender.objects.get(code="150100"),
        legal_representative="巴特尔",
        contact_name="其木格",
        phone="0471-6000000",
        email="office@example.org",
        address="呼和浩特",
        status="approved",
    )
    applicant = User.objects.create(username="wuyun", unit=unit, real_name="乌云其其格")
    return call, unit, applicant
