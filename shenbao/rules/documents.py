"""Reviewing a document that is not (yet) an application of the database: a file given to
`manage.py review FILE.json`, or a document posted to the API's /review. Its attachments are the
ones it lists, so the attachments rule checks each like an upload (declared size, PDF only, 二(一)3).
"""

from pathlib import Path

from django.conf import settings
from django.db import DatabaseError

from shenbao.applications.interchange import InterchangeError
from shenbao.calls.models import Call
from shenbao.calls.spec import CallFileError, CallSpec, read_call_file
from shenbao.language import gettext as _

from .context import APPLICANT, Registries, ReviewContext
from .findings import Finding
from .registries import load_registries
from .ruleset import review
from .snapshot import Snapshot


def spec_for(code: str) -> CallSpec:
    """The call from the database when it is loaded there, else from the calls folder."""
    try:
        call = Call.objects.filter(code=code).first()
    except DatabaseError:
        call = None
    if call is not None:
        return call.spec
    path = Path(settings.CALLS_DIR) / f"{code}.toml"
    if not code or "/" in code or not path.exists():
        raise InterchangeError(
            _("申报书所属的申报批次“%(code)s”既未载入数据库，也不在%(calls_dir)s中。")
            % {"code": code, "calls_dir": settings.CALLS_DIR}
        )
    try:
        return read_call_file(path)[0]
    except CallFileError as error:
        raise InterchangeError(str(error)) from None


def _registries(spec: CallSpec, snapshot: Snapshot) -> Registries:
    try:
        return load_registries(
            spec.filing.opens.date(),
            [person.id_number for person in snapshot.people],
            snapshot.usccs,
            [partner.name for partner in snapshot.implied_partners],
        )
    except DatabaseError:  # a machine without a migrated database still reviews files
        return Registries()


def review_document(data: dict, key: str) -> list[Finding]:
    """The findings of one readable (validated, upgraded) document. It is compared with no other
    application, so it says nothing about other units' applications."""
    spec = spec_for(str(data.get("call") or ""))
    snapshot = Snapshot(data, key)
    return review(snapshot, ReviewContext(spec, _registries(spec, snapshot), audience=APPLICANT))
