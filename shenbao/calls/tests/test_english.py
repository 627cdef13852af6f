"""The call's own words have their English in the call file's [en] table (docs/i18n.md)."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import translation

from conftest import CALL_FILE
from shenbao.calls.loading import load_demo_copy
from shenbao.calls.spec import read_call_file, strings_in
from shenbao.language import cite
from shenbao.organisations.models import Recommender

CALL_FILES = sorted(Path(CALL_FILE).parent.glob("*.toml"))


@pytest.mark.parametrize("path", CALL_FILES, ids=[p.name for p in CALL_FILES])
def test_every_english_entry_names_a_word_its_call_file_writes(path):
    spec, data = read_call_file(path)
    written = strings_in({key: value for key, value in data.items() if key != "en"})
    assert sorted(set(spec.english) - written) == []  # a typo would leave the word in Chinese


def test_every_word_of_the_2026_call_that_a_page_shows_has_its_english():
    spec, _ = read_call_file(CALL_FILE)
    shown = [
        spec.title,
        spec.issuer,
        spec.system_name,
        spec.unit["region_name"],
        *spec.cooperation_forms,
        *(c.name for c in spec.categories),
        *(tag for c in spec.categories for tag in c.priority_tags),
        *spec.unit["types"],
        *spec.unit["financial_statements"],
        *spec.pi["exempt_project_types"],
        *spec.project["indicator_types"],
        *spec.budget["categories"],
        spec.budget["indirect_limit_source"],
        spec.project["max_title_length_source"],
        *(r.name for r in spec.recommenders),
        spec.review.objection_department,
        spec.review.funded_plan,
        spec.review.funded_project_type,
        *(c.name for c in spec.review.criteria),
        *(row.topic for row in spec.consultation),
        *(row.department for row in spec.consultation),
    ]
    assert [word for word in shown if word not in spec.english] == []


def test_a_word_is_english_only_when_english_is_chosen_and_chinese_without_an_entry():
    spec, _ = read_call_file(CALL_FILE)
    assert spec.term("国内科技合作") == "国内科技合作"
    with translation.override("en"):
        assert spec.term("国内科技合作") == "Domestic S&T cooperation"
        assert spec.term("某个没有英文的词") == "某个没有英文的词"
        assert spec.terms(["设备费", "间接费用"]) == ["Equipment", "Indirect costs"]


def test_a_recommender_is_named_in_english_from_the_call_file(call):
    bureau = Recommender.objects.get(code="150100")
    assert bureau.name_en == "Hohhot Bureau of Science and Technology"
    assert str(bureau) == "呼和浩特市科学技术局"
    with translation.override("en"):
        assert str(bureau) == "Hohhot Bureau of Science and Technology"


def test_the_demo_copy_has_its_title_in_english_too(call):
    demo = load_demo_copy(call, dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    with translation.override("en"):
        assert demo.spec.term(demo.title) == "[Demo] " + call.spec.english[call.title]


@pytest.mark.parametrize(
    ("clause", "english"),
    [
        ("一(三)8", "guide 1(3)8"),
        ("二(一)", "guide 2(1)"),
        ("一", "guide 1"),
        ("一(一)2、一(三)3", "guide 1(1)2, 1(3)3"),
    ],
)
def test_a_clause_of_the_guide_is_cited_with_arabic_numbers_in_english(clause, english):
    assert cite(clause) == clause
    with translation.override("en"):
        assert cite(clause) == english
        assert cite("国办发〔2021〕32号") == "国办发〔2021〕32号"  # not a clause: left as it is
