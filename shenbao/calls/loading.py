"""Loading a call file into the database, and making the demo copy of a call."""

import copy
import datetime as dt
from pathlib import Path

from django.db import transaction

from shenbao.organisations.routing import sync_recommenders

from .models import Call
from .spec import parse_call, read_call_file

DEMO_SUFFIX = "-demo"


@transaction.atomic
def load_call(path: Path | str) -> tuple[Call, bool]:
    """Create or update the call a file defines, and the recommenders it lists."""
    spec, data = read_call_file(path)
    call, created = Call.objects.update_or_create(
        code=spec.code, defaults={"title": spec.title, "data": data, "source": Path(path).name}
    )
    sync_recommenders(spec)
    return call, created


@transaction.atomic
def load_demo_copy(call: Call, now: dt.datetime) -> Call:
    """A copy of `call` whose filing window is open at `now`, named as a demo.

    The real call keeps its real (past) window; the demo lets a newcomer walk the whole flow today.
    """
    data = copy.deepcopy(call.data)
    tz = call.spec.tz
    start = now.astimezone(tz).replace(hour=8, minute=0, second=0, microsecond=0) - dt.timedelta(days=1)
    filing_closes = (start + dt.timedelta(days=60)).replace(hour=16)
    data["call"]["code"] = call.code + DEMO_SUFFIX
    data["call"]["title"] = "【演示】" + call.spec.title
    if call.spec.title in (english := data.get("en") or {}):  # the demo's title in English too
        english["【演示】" + call.spec.title] = "[Demo] " + english[call.spec.title]
    data["windows"]["filing"]["opens"] = start.isoformat()
    data["windows"]["filing"]["closes"] = filing_closes.isoformat()
    data["windows"]["recommendation"]["opens"] = start.isoformat()
    data["windows"]["recommendation"]["closes"] = (filing_closes + dt.timedelta(days=7)).isoformat()
    spec = parse_call(data, f"demo copy of {call.code}")
    demo, _ = Call.objects.update_or_create(
        code=spec.code,
        defaults={"title": spec.title, "data": data, "source": call.source, "is_demo": True},
    )
    return demo
