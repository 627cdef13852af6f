"""The call file is the only place the guide's numbers live; a bad file is reported precisely."""

import datetime as dt
import tomllib
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from conftest import CALL_FILE
from shenbao.calls.models import Call
from shenbao.calls.spec import CallFileError, parse_call, parse_call_text, read_call_file

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _data():
    return tomllib.loads(CALL_FILE.read_text(encoding="utf-8"))


def test_the_2026_call_file_holds_every_number_of_the_guide():
    spec, _ = read_call_file(CALL_FILE)
    assert spec.category("1001").fiscal_cap == 1_000_000
    assert spec.category("2001").fiscal_cap == 500_000
    assert spec.quota("1001", "city") == 7 and spec.quota("1001", "other") == 3
    assert spec.quota("2001", "city") == 4 and spec.quota("2001", "other") == 3
    assert spec.filing.opens == dt.datetime(2025, 9, 26, 8, 0, tzinfo=SHANGHAI)
    assert spec.filing.closes == dt.datetime(2025, 11, 14, 16, 0, tzinfo=SHANGHAI)
    assert spec.recommendation.closes == dt.datetime(2025, 11, 21, 16, 0, tzinfo=SHANGHAI)
    assert spec.unit["registered_on_or_before"] == dt.date(2024, 9, 24)
    assert spec.unit["financial_statement_years"] == (2022, 2023, 2024)
    assert spec.pi["born_on_or_after"] == dt.date(1965, 9, 24)
    assert spec.pi["max_ongoing_projects"] == 1
    assert spec.project["max_subprojects"] == 3 and spec.project["max_units"] == 5
    assert spec.project["max_duration_years"] == 3
    assert spec.project["out_of_region_share_max"] == Decimal("0.5")
    assert spec.attachments["max_bytes"] == 10 * 1024 * 1024
    assert len(spec.consultation) == 6


def test_the_filing_window_closes_at_16_00_shanghai_time_exactly():
    spec, _ = read_call_file(CALL_FILE)
    closes = dt.datetime(2025, 11, 14, 8, 0, tzinfo=dt.UTC)  # 16:00 in Shanghai
    assert spec.filing.is_open(closes - dt.timedelta(seconds=1))
    assert not spec.filing.is_open(closes)
    assert spec.filing.time_left(closes - dt.timedelta(minutes=5)) == dt.timedelta(minutes=5)


def test_a_missing_key_is_reported_with_its_full_name():
    data = _data()
    del data["categories"][1]["fiscal_cap"]
    with pytest.raises(CallFileError) as error:
        parse_call(data, "next-year.toml")
    assert error.value.key == "categories[1].fiscal_cap"
    assert "next-year.toml" in str(error.value) and "missing" in str(error.value)


def test_a_wrongly_typed_value_names_what_was_expected():
    data = _data()
    data["categories"][0]["quotas"]["city"] = "seven"
    with pytest.raises(CallFileError) as error:
        parse_call(data, "x.toml")
    assert error.value.key == "categories[0].quotas.city"
    assert "whole number" in error.value.expected


def test_a_window_that_closes_before_it_opens_is_refused():
    data = _data()
    data["windows"]["filing"]["closes"] = dt.datetime(2025, 9, 1, tzinfo=SHANGHAI)
    with pytest.raises(CallFileError) as error:
        parse_call(data, "x.toml")
    assert error.value.key == "windows.filing.closes"


def test_a_datetime_without_offset_is_refused_because_it_would_be_ambiguous():
    data = _data()
    data["windows"]["filing"]["opens"] = dt.datetime(2025, 9, 26, 8, 0)
    with pytest.raises(CallFileError, match="offset"):
        parse_call(data, "x.toml")


def test_a_lead_type_not_among_the_unit_types_is_refused():
    data = _data()
    data["unit"]["lead_types"] = ["科研院所", "外星机构"]
    with pytest.raises(CallFileError) as error:
        parse_call(data, "x.toml")
    assert error.value.key == "unit.lead_types" and "外星机构" in error.value.expected


def test_a_repeated_recommender_code_is_refused():
    data = _data()
    data["recommenders"]["list"].append(dict(data["recommenders"]["list"][0]))
    with pytest.raises(CallFileError, match="repeated"):
        parse_call(data, "x.toml")


def test_broken_toml_syntax_is_reported_not_raised_as_a_traceback():
    with pytest.raises(CallFileError) as error:
        parse_call_text("[call\ncode = 1", "broken.toml")
    assert error.value.key == "(syntax)"


def test_the_load_call_command_stops_with_the_key_at_fault(tmp_path, db):
    broken = tmp_path / "broken.toml"
    broken.write_text(CALL_FILE.read_text(encoding="utf-8").replace("fiscal_cap = 500_000", 'fiscal_cap = "50万"'))
    with pytest.raises(CommandError, match=r"categories\[1\]\.fiscal_cap"):
        call_command("load_call", str(broken))
    assert not Call.objects.exists()


def test_loading_a_call_twice_updates_it_instead_of_duplicating(db):
    call_command("load_call", str(CALL_FILE))
    call_command("load_call", str(CALL_FILE))
    assert Call.objects.count() == 1
    assert Call.objects.get().spec.category("1001").name == "国内科技合作"


def test_a_call_stored_before_the_title_limit_named_its_source_still_parses():
    # Stored calls are parsed on every page: a key added later must not break an installation that has
    # not reloaded its call file yet.
    data = _data()
    del data["project"]["max_title_length_source"]
    del data["en"]
    spec = parse_call(data, "a call stored before these keys existed")
    assert spec.project["max_title_length"] == 50
    assert "封面" in spec.project["max_title_length_source"]
    assert spec.term("草原生态") == "草原生态"  # without English words, the Chinese is shown
