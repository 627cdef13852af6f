"""Finding 申报书 by what people remember of them: words of the title, the PI's name, the lead unit's
name, a keyword or the receipt number.

Each application keeps `search_text`, those values normalised as every name comparison is (NFKC,
traditional → simplified, case-folded: `normalise.text`), kept by `Application.save`. A search is one
or more terms separated by spaces; an application matches when its text contains every term.

- PostgreSQL: `search_text LIKE '%term%'`, served by a trigram (pg_trgm) GIN index on the column
  (migration 0009): Chinese has no word boundaries a full-text parser would know, trigrams need none.
- SQLite (the embedded default): an FTS5 table with the trigram tokenizer, `applications_search`,
  kept beside the applications by the signal receivers below rather than by triggers, because
  Django rebuilds an SQLite table (dropping its triggers) whenever a migration alters a column.
  FTS5 matches terms of three characters or more through its index; shorter ones (two-character
  Chinese names and words are common) are checked on the stored text.
"""

from django.db import connection, connections
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from shenbao import normalise

FTS_TABLE = "applications_search"
MAX_TERMS = 8
# The trigram tokenizer indexes three characters at a time: a shorter term cannot be looked up.
SHORTEST_INDEXED = 3


def search_text(data: dict, receipt_no: str = "") -> str:
    """What an application is found by, normalised: title, PI, lead unit, keywords, receipt number."""
    data = data if isinstance(data, dict) else {}
    pi = data.get("pi") if isinstance(data.get("pi"), dict) else {}
    lead_unit = data.get("lead_unit") if isinstance(data.get("lead_unit"), dict) else {}
    keywords = data.get("keywords")
    if not isinstance(keywords, list):
        keywords = [keywords]
    parts = [data.get("title"), pi.get("name"), lead_unit.get("name"), *keywords, receipt_no]
    return " ".join(filter(None, (normalise.text(p) for p in parts if isinstance(p, str))))


def terms(query: str) -> list[str]:
    """The search's terms, normalised like the text they are looked for in; at most MAX_TERMS."""
    return normalise.text(query or "").split()[:MAX_TERMS]


def matching(applications, query: str):
    """`applications` narrowed to those whose text contains every term of `query`."""
    wanted = terms(query)
    if not wanted:
        return applications
    return applications.filter(matches(wanted))


def matches(wanted: list[str]) -> Q:
    """The condition "contains every term", for combining with other conditions (an OR with a name)."""
    if connection.vendor == "sqlite":
        return Q(pk__in=_fts_rowids(wanted))
    condition = Q()
    for term in wanted:
        condition &= Q(search_text__contains=term)
    return condition


def _fts_rowids(wanted: list[str]) -> RawSQL:
    indexed = [t for t in wanted if len(t) >= SHORTEST_INDEXED]
    where, params = [], []
    if indexed:
        # Each term as an FTS5 phrase: quoted, with its own quotes doubled, so no term is read as syntax.
        where.append(f"{FTS_TABLE} MATCH %s")
        params.append(" AND ".join('"' + t.replace('"', '""') + '"' for t in indexed))
    for term in wanted:
        if len(term) < SHORTEST_INDEXED:
            where.append("instr(search_text, %s) > 0")
            params.append(term)
    return RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {' AND '.join(where)}", params)


def with_priority_tag(applications, tag: str):
    """`applications` that claim the 优先支持情形 `tag` (an element of the document's list)."""
    if connection.vendor == "sqlite":
        # SQLite has no JSON containment lookup: each element of the list, through json_each.
        return applications.filter(
            pk__in=RawSQL(
                "SELECT a.id FROM applications_application a, json_each(a.data, '$.priority_tags') t "
                "WHERE t.value = %s",
                [tag],
            )
        )
    return applications.filter(data__priority_tags__contains=[tag])


# --- Keeping the index -------------------------------------------------------------------------------


def index(applications) -> None:
    """Bring the search text and index of `applications` up to date where save() did not run
    (bulk_create, queryset updates): each saved application is indexed by itself."""
    applications = list(applications)
    if not applications:
        return
    for application in applications:
        application.search_text = search_text(application.data, application.receipt_no)
    type(applications[0]).objects.bulk_update(applications, ["search_text"])
    if connection.vendor == "sqlite":
        rows = [(a.pk, a.search_text) for a in applications]
        with connection.cursor() as cursor:
            cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk, _text in rows])
            cursor.executemany(f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (%s, %s)", rows)


def create_fts_table(schema_editor) -> None:
    """The FTS5 table, filled from the applications' stored text (migration 0009; SQLite only)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(search_text, tokenize='trigram')")
    schema_editor.execute(
        f"INSERT INTO {FTS_TABLE}(rowid, search_text) SELECT id, search_text FROM applications_application"
    )


def drop_fts_table(schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


# The sender by name: models.py uses `search_text` above, so this module cannot import it.
@receiver(post_save, sender="applications.Application")
def _index(instance, update_fields=None, using="default", **kwargs):
    if update_fields is not None and "search_text" not in update_fields:
        return
    if connections[using].vendor != "sqlite":
        return
    with connections[using].cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [instance.pk])
        cursor.execute(
            f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (%s, %s)", [instance.pk, instance.search_text]
        )


@receiver(post_delete, sender="applications.Application")
def _forget(instance, using="default", **kwargs):
    if connections[using].vendor == "sqlite":
        with connections[using].cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [instance.pk])
