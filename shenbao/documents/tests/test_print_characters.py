"""Nothing prints as an empty box: what the embedded font cannot draw (emoji, CJK Extension B,
Mongolian script) is refused where it is typed — the form and the interchange import the API uses —
and anything stored before is printed as 〓, the typesetter's sign for a missing character."""

import copy
import json

import pytest
from django.http import QueryDict
from django.utils import timezone

from shenbao.applications import interchange
from shenbao.applications.sections import SECTION_BY_SLUG, BadValue, Field, parse
from shenbao.applications.services import save_section
from shenbao.documents.fonts import MISSING, printable, unprintable
from shenbao.documents.render import render_application

from .pdf_tools import needs_poppler, words

EMOJI = "😀"  # U+1F600
EXTENSION_B = "𠀀"  # U+20000, not in Noto Sans CJK SC


def test_the_fonts_character_map_decides_what_is_printable():
    assert unprintable(f"乡土牧草{EMOJI}种质{EXTENSION_B}创新{EMOJI}") == [EMOJI, EXTENSION_B]
    ordinary = "草原生态研究院（2026）：①新品种5份，温度−30℃，面积120㎡；Grassland “R&D” — 100%。\n第二段\t完"
    assert unprintable(ordinary) == []
    # Invisible characters print as nothing, not as a box: a zero-width space pasted from a web page.
    assert unprintable("乡土\u200b牧草") == []


def test_the_quick_check_agrees_with_the_fonts_character_map_on_every_character_up_to_plane_three():
    # unprintable() first searches one pattern built from the character map; it must never pass a
    # character the map lacks, nor stop one the map has.
    from shenbao.documents.fonts import _code_points, _invisible

    covered = _code_points()
    for point in range(0x30000):
        if 0xD800 <= point <= 0xDFFF:
            continue  # surrogates are not characters
        character = chr(point)
        expected = [] if character in covered or _invisible(character) else [character]
        assert unprintable(character) == expected, f"U+{point:04X}"


def test_a_missing_character_prints_as_the_geta_mark_and_invisible_ones_as_nothing():
    assert printable(f"乡土{EMOJI}牧草\u200b") == f"乡土{MISSING}牧草"
    assert printable("乡土牧草") == "乡土牧草"


@pytest.mark.parametrize("kind", ["text", "textarea", "keywords"])
def test_a_field_that_goes_to_print_refuses_an_emoji_naming_the_field_and_the_character(kind):
    with pytest.raises(BadValue, match=r"“项目名称”含申报书PDF无法打印的字符“😀”（U\+1F600）"):
        parse(Field("title", "项目名称", kind), f"草原{EMOJI}修复", [])


def test_the_form_keeps_the_typed_title_aside_and_reports_the_emoji(make_complete, applicant, during_filing):
    """What was typed is kept where it was typed, with its message (never silently dropped), and never
    reaches the document that is printed."""
    application = make_complete(applicant)
    posted = QueryDict(mutable=True)
    posted["title"] = f"草原修复{EMOJI}"
    result = save_section(application, applicant, SECTION_BY_SLUG["basic"], posted, application.version, timezone.now())
    assert "U+1F600" in result.errors["title"] and "项目名称" in result.errors["title"]
    application.refresh_from_db()
    assert EMOJI not in str(application.data.get("title", ""))
    assert EMOJI in str(application.invalid_inputs)


def test_a_table_cell_refuses_an_emoji_too(make_complete, applicant, during_filing):
    application = make_complete(applicant)
    posted = QueryDict(mutable=True)
    posted.update({"content.schedule.0.from": "2026-01", "content.schedule.0.to": "2026-12"})
    posted["content.schedule.0.task"] = f"种质收集{EMOJI}"
    result = save_section(
        application, applicant, SECTION_BY_SLUG["content"], posted, application.version, timezone.now()
    )
    assert "U+1F600" in result.errors["content.schedule.0.task"]


def test_an_imported_or_api_document_with_an_emoji_is_refused_naming_where(call):
    from conftest import EXAMPLE_APPLICATION

    data = json.loads(EXAMPLE_APPLICATION.read_text(encoding="utf-8"))
    interchange.validate(copy.deepcopy(data))  # the example itself is printable
    data["content"]["schedule"][1]["task"] = f"混播试验{EMOJI}"
    with pytest.raises(interchange.InterchangeError, match=r"content\.schedule\[1\]\.task：“😀”"):
        interchange.validate(data)


def test_the_api_answers_400_for_a_document_with_an_emoji(client, applicant, during_filing, call):
    from django.urls import reverse

    from conftest import EXAMPLE_APPLICATION
    from shenbao.api.models import ApiToken

    data = json.loads(EXAMPLE_APPLICATION.read_text(encoding="utf-8"))
    data["title"] = f"草原{EMOJI}"
    _, key = ApiToken.issue(applicant, "test")
    response = client.post(
        reverse("api:applications"),
        json.dumps(data),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 400 and "title：“😀”（U+1F600）" in response.json()["error"]


@needs_poppler
def test_an_emoji_stored_before_the_check_prints_as_the_geta_mark(submitted, tmp_path):
    submitted.data["title"] = f"草原修复{EMOJI}"
    submitted.data["content"]["background"] = f"背景{EXTENSION_B}说明"
    submitted.save()
    submitted.refresh_from_db()
    text = "".join(w.text for w in words(render_application(submitted, draft=False), tmp_path))
    assert f"草原修复{MISSING}" in text and f"背景{MISSING}说明" in text
    assert EMOJI not in text and EXTENSION_B not in text


def test_registration_refuses_an_emoji_in_the_unit_name_and_keeps_what_was_typed(client, call):
    from django.urls import reverse

    from conftest import make_uscc

    registration = {
        "name": f"绿色能源{EMOJI}有限公司",
        "uscc": make_uscc("91", "150602"),
        "unit_type": "企业",
        "independent_legal_person": "yes",
        "registered_on": "2015-03-02",
        "division_code": "150602",
        "route": "local",
        "legal_representative": "王刚",
        "contact_name": "刘敏",
        "phone": "0477-8000000",
        "email": "office@example.com",
        "address": "鄂尔多斯市东胜区",
    }
    response = client.post(reverse("organisations:register"), registration)
    assert response.status_code == 200
    error = " ".join(response.context["form"].errors["name"])
    assert "“单位名称”" in error and "U+1F600" in error
    assert f"绿色能源{EMOJI}有限公司" in response.content.decode()


def test_a_new_applicants_name_with_an_emoji_is_refused(client, unit_admin):
    from django.urls import reverse

    client.force_login(unit_admin)
    applicant = {
        "real_name": f"巴图{EMOJI}",
        "id_number": "150105199007160025",
        "username": "batu",
        "phone": "13900000001",
        "email": "batu@example.org",
    }
    response = client.post(reverse("accounts:applicant_create"), applicant)
    assert "U+1F600" in " ".join(response.context["form"].errors["real_name"])


@pytest.mark.parametrize("character", [EMOJI, EXTENSION_B], ids=["emoji", "CJK Extension B"])
def test_the_section_page_refuses_an_unprintable_character_as_it_autosaves_and_keeps_it_in_its_cell(
    client, applicant, call, during_filing, media, character
):
    from django.urls import reverse

    from shenbao.applications.models import Application

    client.force_login(applicant)
    client.post(reverse("applications:start"))
    application = Application.objects.get(applicant=applicant)
    url = reverse("applications:section", args=[application.public_id, "content"])
    typed = {
        "content.background": f"草原{character}退化",
        "content.schedule.__present": "1",
        "content.schedule.0.from": "2026-01",
        "content.schedule.0.to": "2026-12",
        "content.schedule.0.task": f"种质收集{character}",
    }
    response = client.post(url, {"version": 1, **typed}, HTTP_X_AUTOSAVE="1")
    errors = response.json()["errors"]
    code = f"U+{ord(character):04X}"
    assert (
        "“立项背景”含申报书PDF无法打印的字符" in errors["content.background"] and code in errors["content.background"]
    )
    assert "“任务”含申报书PDF无法打印的字符" in errors["content.schedule.0.task"]
    application.refresh_from_db()
    assert character not in json.dumps(application.data, ensure_ascii=False)  # never printed
    page = client.get(url).content.decode()
    assert f"草原{character}退化</textarea>" in page  # what was typed is still there, where it was typed
    assert f'name="content.schedule.0.task" value="种质收集{character}"' in page
    assert page.count(code) >= 2  # each message beside its field
