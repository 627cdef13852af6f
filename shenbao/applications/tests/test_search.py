"""The search over title, PI, lead unit, keywords and receipt number (applications/search.py), the same
on both databases: an FTS5 trigram index on SQLite, a pg_trgm index on PostgreSQL. The suite runs
these once on each."""

import pytest
from django.db import connection

from shenbao.accounts.models import User
from shenbao.applications import search
from shenbao.applications.models import Application


@pytest.fixture
def grassland(call, unit, applicant):
    data = {
        "title": "乡土牧草种质创新与草原生态修复技术合作研究",
        "pi": {"name": "乌云其其格"},
        "lead_unit": {"name": "内蒙古草原生态研究院"},
        "keywords": ["种质创新", "Ecological Restoration"],
        "priority_tags": ["京蒙协作科技创新倍增计划标志性合作项目"],
    }
    return Application.objects.create(call=call, unit=unit, applicant=applicant, data=data, receipt_no="KJHZ-0001")


@pytest.fixture
def dairy(call, make_unit, make_user):
    unit = make_unit(name="伊利乳业研究院")
    data = {
        "title": "乳酸菌发酵工艺国际合作",
        "pi": {"name": "张伟"},
        "lead_unit": {"name": "伊利乳业研究院"},
        "keywords": "益生菌、发酵",
        "priority_tags": ["一带一路联合实验室"],
    }
    applicant = make_user(User.Role.APPLICANT, unit=unit)
    return Application.objects.create(call=call, unit=unit, applicant=applicant, data=data, receipt_no="KJHZ-0002")


def _found(query: str) -> set[str]:
    return set(search.matching(Application.objects.all(), query).values_list("receipt_no", flat=True))


@pytest.mark.parametrize(
    "query",
    [
        "草原生态",  # words of the title (four characters: through the index)
        "乌云",  # the PI, two characters: shorter than a trigram
        "草原生态研究院",  # the lead unit
        "种质",  # a keyword
        "ecological restoration",  # a keyword, whatever its case
        "kjhz-0001",  # the receipt number
        "草原 乌云其其格",  # every term must be found, anywhere
        "草原生態",  # a traditional spelling finds the simplified text
        "ＫＪＨＺ－０００１",  # full-width forms are the same characters
    ],
)
def test_an_application_is_found_by_title_pi_unit_keyword_or_receipt(grassland, dairy, query):
    assert _found(query) == {"KJHZ-0001"}


def test_a_term_that_is_in_no_application_finds_nothing_and_an_empty_search_finds_all(grassland, dairy):
    assert _found("草原 益生菌") == set() and _found('"; DROP TABLE x; --') == set()
    assert _found("  ") == {"KJHZ-0001", "KJHZ-0002"}
    assert _found("益生菌") == {"KJHZ-0002"}  # a keyword typed as one text, separated by 、


def test_an_edited_title_is_found_by_its_new_words_and_not_its_old(grassland, dairy):
    grassland.data = {**grassland.data, "title": "荒漠化防治示范"}
    grassland.save(update_fields=["data"])
    assert _found("荒漠化") == {"KJHZ-0001"} and _found("牧草种质") == set()


def test_a_deleted_application_is_no_longer_found(grassland, dairy):
    grassland.delete()
    assert _found("乌云") == set() and _found("乳酸菌") == {"KJHZ-0002"}


def test_applications_created_in_bulk_are_found_once_indexed(grassland, call, unit, applicant):
    made = Application.objects.bulk_create(
        [Application(call=call, unit=unit, applicant=applicant, data={"title": "批量导入的沙地治理项目"})]
    )
    assert _found("沙地治理") == set()  # bulk_create bypasses save(): nothing indexed yet
    search.index(made)
    assert search.matching(Application.objects.all(), "沙地治理").get().pk == made[0].pk


def test_applications_are_narrowed_to_a_priority_tag(grassland, dairy):
    tagged = search.with_priority_tag(Application.objects.all(), "一带一路联合实验室")
    assert list(tagged.values_list("receipt_no", flat=True)) == ["KJHZ-0002"]


def test_the_search_is_served_by_this_databases_own_index(grassland):
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {search.FTS_TABLE} WHERE {search.FTS_TABLE} MATCH %s", ['"草原生态"'])
            assert cursor.fetchall() == [(grassland.pk,)]
    else:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            sql, params = search.matching(Application.objects.all(), "草原生态").values("pk").query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "applications_search_trgm" in plan
