"""The 申报书's cover keeps its seal block on page 1, under the boxes the e-seals are stamped into,
for any title the form allows and any unit name the registration allows (issue 13)."""

import pytest
from django.utils import timezone

from shenbao.documents.render import LEGAL_REPRESENTATIVE_BOX, UNIT_SEAL_BOX, render_application
from shenbao.organisations.models import Unit

from .pdf_tools import needs_poppler, words

# Realistic words, repeated to the limits: titles and unit names break lines like real ones.
TITLE_WORDS = "草原退化区乡土牧草种质创新与生态修复关键技术集成研究及产业化示范应用"
UNIT_WORDS = "内蒙古自治区农牧业科学院草原生态与乡土牧草种质资源创新研究所暨联合实验室"


def _longest(words: str, length: int) -> str:
    return (words * (length // len(words) + 1))[:length]


@pytest.fixture
def longest_application(make_unit, make_user, make_complete, spec, during_filing):
    unit = make_unit(
        name=_longest(UNIT_WORDS, Unit._meta.get_field("name").max_length),
        legal_representative=_longest("阿拉坦其其格", Unit._meta.get_field("legal_representative").max_length),
    )
    applicant = make_user(unit=unit, real_name="乌云其其格", id_number="150105199007160025")
    title = _longest(TITLE_WORDS, spec.project["max_title_length"])
    return make_complete(applicant, title=title)


def _cover_words(pdf, tmp_path):
    found = words(pdf, tmp_path)
    return [w for w in found if w.page == 1], found


def _assert_seal_block_on_the_cover(pdf, tmp_path):
    cover, everything = _cover_words(pdf, tmp_path)
    unit_label = [w for w in cover if "盖章" in w.text]
    representative_label = [w for w in cover if "签章" in w.text]
    assert unit_label and all(w.inside(UNIT_SEAL_BOX) for w in unit_label)
    assert representative_label and all(w.inside(LEGAL_REPRESENTATIVE_BOX) for w in representative_label)
    # Nothing of the cover's text runs into the seals: all of it ends above the highest seal box,
    # except the seal labels and the issuer's line at the foot of the page.
    seal_top = cover[0].page_height - max(UNIT_SEAL_BOX[3], LEGAL_REPRESENTATIVE_BOX[3])
    seal_words = {*unit_label, *representative_label}
    footer = [w for w in cover if w.y_min > cover[0].page_height - UNIT_SEAL_BOX[1]]
    above = [w for w in cover if w not in seal_words and w not in footer]
    assert above and max(w.y_max for w in above) < seal_top
    # The cover is one page: the first section starts page 2.
    assert any("基本信息" in w.text for w in everything if w.page == 2)
    assert not any("基本信息" in w.text for w in cover)


@needs_poppler
@pytest.mark.parametrize("draft", [False, True])
def test_the_longest_allowed_title_and_unit_name_keep_the_seal_block_on_page_one(longest_application, draft, tmp_path):
    pdf = render_application(longest_application, draft=draft)
    _assert_seal_block_on_the_cover(pdf, tmp_path)
    cover, _ = _cover_words(pdf, tmp_path)
    label = next(w for w in cover if w.text == "项目名称")
    watermark = {"草", "稿", "草稿"}
    values = sorted(
        (w for w in cover if w.x_min > label.x_max and w.text not in watermark), key=lambda w: (round(w.y_min), w.x_min)
    )
    text = "".join(w.text for w in values)
    assert longest_application.title in text  # the whole title is there, not cut
    assert longest_application.unit.name in text


@needs_poppler
def test_even_a_title_as_long_as_the_database_holds_keeps_the_seal_block_on_page_one(longest_application, tmp_path):
    # Titles saved before the limit existed, or by an import: the cover shrinks its text to fit.
    longest_application.data["title"] = _longest(TITLE_WORDS, 300)
    longest_application.save()
    longest_application.refresh_from_db()
    _assert_seal_block_on_the_cover(render_application(longest_application, draft=False), tmp_path)


@needs_poppler
def test_the_sealed_cover_carries_both_seals_over_their_labels(longest_application, make_user, tmp_path):
    from shenbao.accounts.models import User
    from shenbao.applications import services as applications
    from shenbao.documents.sealing import seal_application
    from shenbao.documents.signing import check_signatures
    from shenbao.review import services

    admin = make_user(User.Role.UNIT_ADMIN, unit=longest_application.unit)
    applications.submit_application(longest_application, longest_application.applicant, timezone.now())
    services.approve(longest_application, admin, timezone.now())
    sealed = seal_application(longest_application, admin, timezone.now()).sealed_pdf.read()
    assert all(check.valid for check in check_signatures(sealed))
    _assert_seal_block_on_the_cover(sealed, tmp_path)


def test_the_call_file_states_the_title_limit_and_a_call_without_one_is_refused():
    import tomllib

    from conftest import CALL_FILE
    from shenbao.calls.spec import CallFileError, parse_call, read_call_file

    spec, _ = read_call_file(CALL_FILE)
    assert spec.project["max_title_length"] == 50  # the guide states none: shenbao's interpretation
    data = tomllib.loads(CALL_FILE.read_text(encoding="utf-8"))
    del data["project"]["max_title_length"]
    with pytest.raises(CallFileError, match=r"project\.max_title_length"):
        parse_call(data)


# The widest characters of each kind, at every length the forms allow: a dense CJK character, a wide
# Latin capital without a single break opportunity, and the two mixed.
WIDEST = {"屬": "屬", "W": "W", "mixed": "W屬"}


@pytest.fixture(params=list(WIDEST), ids=list(WIDEST))
def widest_application(request, make_unit, make_user, make_complete, spec, during_filing):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("typesetting does not depend on the database: run once, on SQLite")
    characters = WIDEST[request.param]
    unit = make_unit(name=_longest(characters, Unit._meta.get_field("name").max_length))
    real_name = _longest(characters, applicant_name_length())
    applicant = make_user(unit=unit, real_name=real_name, id_number="150105199007160025")
    return make_complete(applicant, title=_longest(characters, spec.project["max_title_length"]))


def applicant_name_length() -> int:
    from shenbao.accounts.models import User

    return User._meta.get_field("real_name").max_length


@needs_poppler
def test_the_widest_title_unit_and_pi_names_allowed_keep_the_seal_block_on_page_one(widest_application, tmp_path):
    pdf = render_application(widest_application, draft=False)
    _assert_seal_block_on_the_cover(pdf, tmp_path)
    cover, _ = _cover_words(pdf, tmp_path)
    right_margin = cover[0].page_width - 20 / 25.4 * 72  # A4, 20 mm margins (application.typ)
    assert all(w.x_max <= right_margin + 1 for w in cover), "the cover's text runs off the page"
    text = "".join(w.text for w in cover)
    for value in (widest_application.title, widest_application.unit.name, widest_application.applicant.real_name):
        assert value in text  # all of it printed, nothing cut
