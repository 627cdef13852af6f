"""The merge patch the lean autosave applies in the database (SQLite's json_patch, PostgreSQL's
shenbao_merge_patch) and the one Python applies when it compares texts (services.merge_patch) are the
same function: RFC 7396's, checked here against the RFC's own examples (Appendix A)."""

import json

import pytest
from django.db import connection

from shenbao.applications.services import merge_patch

pytestmark = pytest.mark.django_db

RFC_7396_EXAMPLES = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]
# What an autosave sends: one section, some fields emptied, a table replaced, Chinese text.
SECTION_EXAMPLES = [
    (
        {"title": "草原", "content": {"background": "旧", "objectives": "目标"}, "team": [{"name": "乌云"}]},
        {"content": {"background": "新的背景", "innovation": "创新"}, "team": [{"name": "其木格"}]},
        {
            "title": "草原",
            "content": {"background": "新的背景", "objectives": "目标", "innovation": "创新"},
            "team": [{"name": "其木格"}],
        },
    ),
    ({"pi": {"name": "乌云", "phone": None}}, {"pi": {"name": None}}, {"pi": {"phone": None}}),
]


def _database_merge(target, patch):
    postgresql = connection.vendor == "postgresql"
    function = "shenbao_merge_patch(%s::jsonb, %s::jsonb)" if postgresql else "json_patch(%s, %s)"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}", [json.dumps(value, ensure_ascii=False) for value in (target, patch)])
        merged = cursor.fetchone()[0]
    return json.loads(merged) if isinstance(merged, str) else merged


@pytest.mark.parametrize(("target", "patch", "merged"), RFC_7396_EXAMPLES + SECTION_EXAMPLES)
def test_the_database_and_python_merge_a_patch_as_rfc_7396_does(target, patch, merged):
    assert merge_patch(target, patch) == merged
    assert _database_merge(target, patch) == merged
