"""The formal review speaks the reader's language: with English chosen, every rule's message is
English (the guide's clauses as "guide 1(3)8", the call's words from the call file's [en] table);
what is stored stays Chinese."""

import re

import pytest
from django.utils import translation

from shenbao.rules.context import ReviewContext
from shenbao.rules.ruleset import RULES, review
from shenbao.rules.snapshot import Snapshot

from .test_rules import CASES

CJK = re.compile(r"[\u3400-\u9fff]+")


def _strings(data) -> list[str]:
    if isinstance(data, dict):  # keys too: a budget item is a key, as typed
        return [*data, *(s for value in data.values() for s in _strings(value))]
    if isinstance(data, list):
        return [s for value in data for s in _strings(value)]
    return [data] if isinstance(data, str) else []


def _without_user_data(message: str, data: dict) -> str:
    """The message less what the application itself says (names, titles, units, as typed)."""
    for text in sorted(set(_strings(data)), key=len, reverse=True):
        message = message.replace(text, "")
    return message


@pytest.mark.parametrize(("rule", "mutate", "code", "severity", "words"), CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_every_rules_finding_reads_in_english_when_english_is_chosen(
    example, call_spec, rule, mutate, code, severity, words
):
    mutate(example)
    rule_function = next(r for r in RULES if r.__name__ == rule)
    with translation.override("en"):
        hits = [f for f in rule_function(Snapshot(example, "me"), ReviewContext(call_spec)) if f.code == code]
    assert hits
    for finding in hits:
        assert not CJK.findall(_without_user_data(finding.message, example)), finding.message


def test_a_blank_application_is_reviewed_in_english_without_a_chinese_word(call_spec):
    blank = {"format": "shenbao.application/2", "call": call_spec.code}
    with translation.override("en"):
        findings = review(Snapshot(blank, "blank"), ReviewContext(call_spec))
    assert len(findings) > 20
    assert [f.message for f in findings if CJK.search(f.message)] == []
    assert "(unanswered; required before submitting)" in findings[0].message


def test_the_same_review_in_chinese_is_unchanged_by_the_translation(example, call_spec):
    example["budget"]["fiscal"]["设备费"] = 2_000_000  # over the cap of 1001
    with translation.override("zh-hans"):
        chinese = [f for f in review(Snapshot(example, "me"), ReviewContext(call_spec)) if f.code == "budget.over_cap"]
    with translation.override("en"):
        english = [f for f in review(Snapshot(example, "me"), ReviewContext(call_spec)) if f.code == "budget.over_cap"]
    assert chinese[0].message == "国内科技合作项目申请财政资金2,770,000元，超过上限1,000,000元。"
    assert english[0].message == (
        "The Domestic S&T cooperation project requests CNY 2,770,000 of government funding, "
        "more than the cap of CNY 1,000,000."
    )
    assert chinese[0].clause == english[0].clause == "一(三)8"  # the page cites it as "guide 1(3)8"


def test_chinese_messages_skip_the_catalogue_because_djangos_own_zh_hans_catalogue_translates_none_of_them():
    # language.gettext returns a Chinese message as written; that is right only while Django's zh-hans
    # catalogue (its own messages, English msgids) has no entry for one of shenbao's Chinese msgids.
    ours = [
        msgid for msgid in translation.trans_real.translation("en")._catalog.keys() if isinstance(msgid, str) and msgid
    ]
    assert len(ours) > 500
    with translation.override("zh-hans"):
        assert [m for m in ours if translation.gettext(m) != m] == []


def test_a_review_reads_the_language_once_and_the_next_review_reads_it_again(example, call_spec):
    example["budget"]["fiscal"]["设备费"] = 2_000_000

    def over_cap():
        return next(f for f in review(Snapshot(example, "me"), ReviewContext(call_spec)) if f.code == "budget.over_cap")

    with translation.override("zh-hans"):
        assert over_cap().message.startswith("国内科技合作项目")
        with translation.override("en"):  # a later review in the same thread, in another language
            assert over_cap().message.startswith("The Domestic S&T cooperation project")
        assert over_cap().message.startswith("国内科技合作项目")
