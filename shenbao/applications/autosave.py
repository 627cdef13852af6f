"""The lean autosave: one conditional UPDATE that both checks and writes a section.

Deadline day is hundreds of applicants saving every few seconds, so a save that succeeds costs the
request's authentication plus this one statement. Its WHERE clause is the whole permission check of
`services.check_editable` — this application, its applicant, an editable state, a call whose filing
window is open now, and the section's version the page edited — and its SET clause merges the posted
section into the document in the database (RFC 7396 merge patch: SQLite's json_patch, PostgreSQL's
`shenbao_merge_patch` from migration 0004). RETURNING gives the merged document back for the live
findings panel, when the page asks for it with the save (views._saved).

When the UPDATE changes no row, this module does not guess why: `services.save_section` takes over,
locks the row and decides (refusal with its reason, a retried save that is already stored, a conflict
with another tab, or a window extended for this unit).
"""

import datetime as dt
import json
import re
import time
from dataclasses import dataclass

from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from shenbao.accounts.models import User
from shenbao.calls.models import Call

from .models import Application, Utf8JSONEncoder
from .sections import Section
from .services import SectionInput, read_section

# Calls change when a call file is (re)loaded: rarely. Each process reads them at most this often,
# and at once after a change it made itself.
CALLS_TTL_SECONDS = 30

_calls: tuple[float, list[Call]] | None = None


def _all_calls() -> list[Call]:
    global _calls
    if _calls is None or time.monotonic() - _calls[0] > CALLS_TTL_SECONDS:
        _calls = (time.monotonic(), list(Call.objects.all()))
    return _calls[1]


@receiver(post_save, sender=Call)
@receiver(post_delete, sender=Call)
def forget_calls(**kwargs):
    global _calls
    _calls = None


def cached_call(pk: int) -> Call:
    """A call from this process's copy (its spec parsed once), or from the database when it is newer."""
    found = next((call for call in _all_calls() if call.pk == pk), None)
    return found if found is not None else Call.objects.get(pk=pk)


def filing_calls(now: dt.datetime) -> list[Call]:
    """The calls whose filing window is open at `now`."""
    return [call for call in _all_calls() if call.spec.filing.is_open(now)]


@dataclass
class LeanSave:
    application: Application  # built from the returned row: call, applicant and data without a query
    section_version: int
    errors: dict[str, str]


_SLUG = re.compile(r"^[a-z_]+$")


@dataclass(frozen=True)
class _Sql:
    merged: str  # the document with the section merged in; parameter: the patch
    invalid: str  # invalid_inputs with the section's entry replaced; parameters: see invalid_params
    invalid_params: tuple[str, ...]  # "invalid" (JSON text) and "empty" (bool), in SQL order
    stored_version: str  # the section's stored version
    next_versions: str  # section_versions with the section's version incremented


def _dialect(vendor: str, slug: str) -> _Sql:
    assert _SLUG.match(slug)  # slugs are declared in sections.py, never user input
    if vendor == "postgresql":
        stored = f"COALESCE((section_versions ->> '{slug}')::integer, 1)"
        return _Sql(
            merged="shenbao_merge_patch(data, %s::jsonb)",
            invalid=f"(jsonb_set(invalid_inputs, '{{{slug}}}', %s::jsonb) - (CASE WHEN %s THEN '{slug}' ELSE '' END))",
            invalid_params=("invalid", "empty"),
            stored_version=stored,
            next_versions=f"jsonb_set(section_versions, '{{{slug}}}', to_jsonb({stored} + 1))",
        )
    stored = f"COALESCE(json_extract(section_versions, '$.{slug}'), 1)"
    return _Sql(
        merged="json_patch(data, %s)",
        invalid=(
            f"(CASE WHEN %s THEN json_remove(invalid_inputs, '$.{slug}') "
            f"ELSE json_set(invalid_inputs, '$.{slug}', json(%s)) END)"
        ),
        invalid_params=("empty", "invalid"),
        stored_version=stored,
        next_versions=f"json_set(section_versions, '$.{slug}', {stored} + 1)",
    )


def _statement(sql: _Sql, calls: int, editable_states: int, columns: tuple[str, ...]) -> str:
    """SQLite: one UPDATE; its json_patch is built in and cheap, so it is written out where needed.
    Parameters: the merge's thrice, now, the columns, then the WHERE clause's (see `_where`)."""
    table = Application._meta.db_table
    unchanged = f"(json({sql.merged}) = json(data) AND json({sql.invalid}) = json(invalid_inputs))"
    sets = _assignments(sql, sql.merged, sql.invalid, unchanged, "", columns)
    return (
        f"UPDATE {table} SET {sets} WHERE {_where(sql, calls, editable_states)} "
        f"RETURNING id, call_id, unit_id, state, version, data, {sql.stored_version}"
    )


def _postgres_statement(sql: _Sql, calls: int, editable_states: int, columns: tuple[str, ...]) -> str:
    """PostgreSQL: the merge (a PL/pgSQL function) is computed once, on the row locked FOR NO KEY
    UPDATE, and the UPDATE writes it. After waiting for another tab's save, the lock reads the row as
    that save left it, so the merge always starts from the latest document. NO KEY: the save changes no
    key, so it need not wait for those who only keep the row from changing state or vanishing (an
    upload being recorded, a foreign key checked: FOR KEY SHARE), and they need not wait for it.
    Parameters: the merge's once, the WHERE clause's (see `_where`), now, the columns."""
    table = Application._meta.db_table
    unchanged = "(locked.merged = t.data AND locked.invalid = t.invalid_inputs)"
    sets = _assignments(sql, "locked.merged", "locked.invalid", unchanged, "t.", columns)
    return (
        f"WITH locked AS (SELECT id, {sql.merged} AS merged, {sql.invalid} AS invalid FROM {table} "
        f"WHERE {_where(sql, calls, editable_states)} FOR NO KEY UPDATE) "
        f"UPDATE {table} AS t SET {sets} FROM locked WHERE t.id = locked.id "
        f"RETURNING t.id, t.call_id, t.unit_id, t.state, t.version, t.data, {sql.stored_version}"
    )


def _assignments(sql: _Sql, merged: str, invalid: str, unchanged: str, row: str, columns: tuple[str, ...]) -> str:
    """The SET clause: the merged document and inputs, and the versions; parameters: now, the columns."""
    sets = [
        f"data = {merged}",
        f"invalid_inputs = {invalid}",
        # An unchanged section keeps its version, so no other tab on it turns stale.
        f"section_versions = CASE WHEN {unchanged} THEN {row}section_versions ELSE {sql.next_versions} END",
        f"version = CASE WHEN {unchanged} THEN {row}version ELSE {row}version + 1 END",
        "updated_at = %s",
        *(f"{column} = %s" for column in columns),
    ]
    return ", ".join(sets)


def _where(sql: _Sql, calls: int, editable_states: int) -> str:
    """The whole permission check; parameters: public_id, applicant, the calls, the states, the version."""
    states = ", ".join(["%s"] * editable_states)
    call_ids = ", ".join(["%s"] * calls)
    return (
        f"public_id = %s AND applicant_id = %s AND call_id IN ({call_ids}) AND state IN ({states}) "
        f"AND {sql.stored_version} = %s"
    )


def save_lean(public_id, user: User, section: Section, posted, version: int, now: dt.datetime) -> LeanSave | None:
    """Save a section in one statement, or None when it cannot (then `services.save_section` decides)."""
    calls = filing_calls(now)
    if not calls:
        return None  # the careful path says why
    # The application's call is known only once the row is found: the post must read the same under
    # every open call's rules (it does unless two open calls differ in this section's choices).
    readings = [read_section(section, posted, call.spec) for call in calls]
    if any(reading != readings[0] for reading in readings[1:]):
        return None
    section_input: SectionInput = readings[0]
    columns = {}
    if "title" in section_input.patch:
        columns["title"] = str(section_input.patch["title"] or "")[:300]
    if "category" in section_input.patch:
        columns["category"] = str(section_input.patch["category"] or "")[:8]
    sql = _dialect(connection.vendor, section.slug)
    # Plain strings: psycopg looks a choices enum's type up through its whole class hierarchy.
    states = sorted(str(state) for state in Application.State.editable_by_applicant())
    patch = json.dumps(section_input.patch, cls=Utf8JSONEncoder)
    values = {"invalid": json.dumps(section_input.invalid, ensure_ascii=False), "empty": not section_input.invalid}
    merged_and_invalid = [patch, *(values[name] for name in sql.invalid_params)]
    where = [
        Application._meta.get_field("public_id").get_db_prep_value(public_id, connection),
        user.pk,
        *(call.pk for call in calls),
        *states,
        version,
    ]
    written = [connection.ops.adapt_datetimefield_value(now), *columns.values()]
    if connection.vendor == "postgresql":
        statement = _postgres_statement(sql, len(calls), len(states), tuple(columns))
        params = [*merged_and_invalid, *where, *written]
    else:
        statement = _statement(sql, len(calls), len(states), tuple(columns))
        params = [*merged_and_invalid * 3, *written, *where]  # data, then the two unchanged tests
    # Prepared once per connection on PostgreSQL (shenbao/postgres/base.py): planning this statement
    # cost the database more than running it.
    cursor = connection.prepared_cursor() if hasattr(connection, "prepared_cursor") else connection.cursor()
    with cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    if row is None:
        return None
    pk, call_id, unit_id, state, overall_version, data, section_version = row
    call = next(call for call in calls if call.pk == call_id)
    if isinstance(data, str):
        data = json.loads(data)
    application = Application(
        pk=pk, public_id=public_id, call=call, unit_id=unit_id, applicant=user, state=state, version=overall_version
    )
    application.data = data
    pi = data.get("pi") if isinstance(data.get("pi"), dict) else {}
    application.pi_id_number = str(pi.get("id_number") or "").strip().upper()[:18]
    return LeanSave(application, int(section_version), section_input.errors)
