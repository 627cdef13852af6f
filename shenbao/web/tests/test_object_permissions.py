"""Attacks on other people's objects: for every view that takes an object id, a user of another
unit or another recommender gets 403/404 and never the data.

`ATTACKS` lists each such view; a new view with an id in its URL fails
`test_every_view_with_an_object_id_is_attacked` until it is listed here.
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from shenbao.accounts.models import User
from shenbao.api.models import ApiToken
from shenbao.applications.models import Application
from shenbao.attachments.models import Attachment
from shenbao.calls.models import Call
from shenbao.evaluation.tests.test_attacks import ATTACKED_HERE as EVALUATION_ATTACKED
from shenbao.jobs.models import Job
from shenbao.organisations.models import Unit
from shenbao.review.models import RecommendationList
from shenbao.rules.models import RegistryImport

# Views whose URL id is a secret (the link is the credential) or that Django's admin guards.
NOT_OBJECT_SCOPED = {"organisations:registration_status", "accounts:set_password"}
# The department stage's URLs are attacked in evaluation/tests/test_attacks.py (same shape as ATTACKS).
NOT_OBJECT_SCOPED |= EVALUATION_ATTACKED
# Department-only pages whose URL argument names a registry (a word), not an object: refused to every
# other role in rules/tests/test_registry_import.py.
NOT_OBJECT_SCOPED |= {"rules:registry_template", "rules:registry_upload"}


def _named_patterns_with_arguments(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_patterns_with_arguments(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name and pattern.pattern.converters:
            yield f"{namespace}{pattern.name}"


@pytest.fixture
def world(make_unit, make_user, media):
    """Two units under two different bureaus, each with its admin, an applicant and the bureau's staff;
    a pending registration at each bureau; a draft with an attachment in the other unit."""
    mine = make_unit(division="150102", recommender_code="150100")
    theirs = make_unit(division="150203", recommender_code="150200")
    their_applicant = make_user(User.Role.APPLICANT, unit=theirs, id_number="150105199007160025")
    their_draft = Application.objects.create(
        call=Call.objects.get(), unit=theirs, applicant=their_applicant, data={"title": "他人的申报书"}
    )
    their_attachment = Attachment(
        application=their_draft,
        kind="other",
        original_name="他人的附件.pdf",
        size=9,
        sha256="0" * 64,
        pages=1,
        uploaded_by=their_applicant,
    )
    their_attachment.file.save("x.pdf", ContentFile(b"%PDF-1.7\n"), save=True)
    their_list = RecommendationList(
        call=their_draft.call, recommender=theirs.recommender, confirmed_at=timezone.now(), confirmed_by=their_applicant
    )
    their_list.pdf.save("list.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
    their_list.letter.save("letter.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
    their_list.xlsx.save("list.xlsx", ContentFile(b"PK"), save=True)
    their_token, _ = ApiToken.issue(their_applicant, "他们的系统")
    their_failed_seal = Job.objects.create(
        key=f"seal:{their_draft.pk}:x",
        handler="shenbao.documents.tasks.seal",
        queue="sealing",
        accepted_at=timezone.now(),
        run_after=timezone.now(),
        state=Job.State.FAILED,
        application=their_draft,
        requested_by=their_applicant,
    )
    return {
        "their_failed_seal": their_failed_seal,
        "their_token": their_token,
        "their_list": their_list,
        "their_draft": their_draft,
        "their_attachment": their_attachment,
        "my_admin": make_user(User.Role.UNIT_ADMIN, unit=mine),
        "my_applicant": make_user(User.Role.APPLICANT, unit=mine, id_number="150105199007160025"),
        "my_recommender_staff": make_user(User.Role.RECOMMENDER, recommender=mine.recommender),
        "their_applicant": their_applicant,
        "their_pending_unit": make_unit(
            division="150203", recommender_code="150200", status=Unit.Status.PENDING, name="他人待审单位"
        ),
        "my_pending_unit": make_unit(status=Unit.Status.PENDING, name="本盟市待审单位"),
        "direct_pending_unit": make_unit(
            status=Unit.Status.PENDING, route=Unit.Route.DIRECT, recommender=None, name="直报待审单位"
        ),
        "registry_import": RegistryImport.objects.create(
            kind="funded", file_name="f.csv", sha256="0" * 64, uploaded_by=make_user(User.Role.DEPARTMENT)
        ),
    }


# url name → (method, the attacker in `world`, the foreign object in `world`, form data)
ATTACKS = {
    "organisations:registration_detail": [
        ("get", "my_recommender_staff", "their_pending_unit", None),
        ("get", "my_recommender_staff", "direct_pending_unit", None),
        ("get", "my_admin", "my_pending_unit", None),
        ("get", "my_applicant", "my_pending_unit", None),
    ],
    "organisations:registration_decide": [
        ("post", "my_recommender_staff", "their_pending_unit", {"decision": "approve"}),
        ("post", "my_admin", "my_pending_unit", {"decision": "approve"}),
    ],
    "accounts:applicant_set_active": [
        ("post", "my_admin", "their_applicant", {"active": "0"}),
        ("post", "my_applicant", "my_applicant", {"active": "0"}),
    ],
    "accounts:applicant_reset_password": [
        ("post", "my_admin", "their_applicant", {}),
        ("post", "my_recommender_staff", "their_applicant", {}),
    ],
    "applications:section": [
        ("get", "my_applicant", "their_draft", None),
        ("get", "my_admin", "their_draft", None),
        ("get", "my_recommender_staff", "their_draft", None),
        ("post", "my_applicant", "their_draft", {"version": 1, "title": "篡改"}),
    ],
    "applications:section_panels": [
        ("get", "my_applicant", "their_draft", None),
        ("get", "my_admin", "their_draft", None),
        ("get", "my_recommender_staff", "their_draft", None),
    ],
    "applications:review": [("get", "my_applicant", "their_draft", None), ("get", "my_admin", "their_draft", None)],
    "applications:export": [("get", "my_applicant", "their_draft", None), ("get", "my_admin", "their_draft", None)],
    "applications:hand_over": [("post", "my_admin", "their_draft", {"applicant": 0})],
    "applications:submit": [("post", "my_applicant", "their_draft", {})],
    "documents:application_pdf": [
        ("get", "my_applicant", "their_draft", None),
        ("get", "my_admin", "their_draft", None),
        ("get", "my_recommender_staff", "their_draft", None),
    ],
    "review:return": [
        ("post", "my_admin", "their_draft", {"reason": "x"}),
        ("post", "my_recommender_staff", "their_draft", {"reason": "x"}),
    ],
    "review:withdraw": [("post", "my_applicant", "their_draft", {})],
    "review:list_file": [("get", "my_recommender_staff", "their_list", None), ("get", "my_admin", "their_list", None)],
    "review:list_letter": [
        ("get", "my_recommender_staff", "their_list", None),
        ("get", "my_admin", "their_list", None),
    ],
    "review:upload_letter": [("post", "my_recommender_staff", "their_list", {})],
    "review:retry_job": [
        ("post", "my_admin", "their_failed_seal", {}),
        ("post", "my_applicant", "their_failed_seal", {}),
    ],
    "api:revoke": [("post", "my_applicant", "their_token", {})],
    "api:application": [("get", "my_applicant", "their_draft", None), ("get", "my_admin", "their_draft", None)],
    "api:findings": [("get", "my_applicant", "their_draft", None)],
    "api:pdf": [("get", "my_recommender_staff", "their_draft", None)],
    "api:seal": [("post", "my_admin", "their_draft", {})],
    "api:list_file": [("get", "my_recommender_staff", "their_list", None), ("get", "my_admin", "their_list", None)],
    **{
        f"api:transition-{name}": [("post", "my_applicant", "their_draft", {}), ("post", "my_admin", "their_draft", {})]
        for name in ("submit", "withdraw", "approve", "submit-to-recommender", "recommend", "not-recommend", "return")
    },
    "attachments:list": [("get", "my_applicant", "their_draft", None)],
    "attachments:upload": [("post", "my_applicant", "their_draft", {"kind": "other"})],
    "attachments:download": [
        ("get", "my_applicant", "their_attachment", None),
        ("get", "my_admin", "their_attachment", None),
    ],
    "attachments:delete": [("post", "my_applicant", "their_attachment", {})],
    "rules:registry_apply": [
        ("post", "my_admin", "registry_import", {}),
        ("post", "my_recommender_staff", "registry_import", {}),
    ],
    "rules:registry_rollback": [("post", "my_admin", "registry_import", {})],
}


def _args(url_name, target):
    """The URL arguments that name `target` in each view."""
    if url_name in ("applications:section", "applications:section_panels"):
        return [target.public_id, "basic"]
    if url_name in ("review:list_file", "api:list_file"):
        return [target.pk, "pdf"]
    if isinstance(target, Application):
        return [target.public_id]
    if isinstance(target, Attachment):
        return [target.application.public_id, target.public_id]
    return [target.pk]


def _state(obj) -> dict:
    # last_login moves when the attacker is the target itself (an applicant poking at its own account).
    return {f.name: getattr(obj, f.name) for f in obj._meta.concrete_fields if f.name != "last_login"}


def test_every_view_with_an_object_id_is_attacked():
    uncovered = set(_named_patterns_with_arguments()) - set(ATTACKS) - NOT_OBJECT_SCOPED
    assert not uncovered, f"add attacks for: {sorted(uncovered)}"


@pytest.mark.parametrize(
    ("url_name", "method", "attacker", "target", "data"),
    [(name, *attack) for name, attacks in ATTACKS.items() for attack in attacks],
)
def test_another_units_or_recommenders_object_is_never_shown_or_changed(
    client, world, url_name, method, attacker, target, data
):
    target_object = world[target]
    before = _state(target_object)
    client.force_login(world[attacker])
    headers = {}
    if url_name.startswith("api:") and url_name != "api:revoke":  # the API knows only tokens
        headers["HTTP_AUTHORIZATION"] = "Bearer " + ApiToken.issue(world[attacker], "attack")[1]
    response = getattr(client, method)(reverse(url_name, args=_args(url_name, target_object)), data, **headers)
    assert response.status_code in (403, 404)
    target_object.refresh_from_db()
    assert _state(target_object) == before
    body = b"".join(response.streaming_content) if response.streaming else response.content
    for secret in ("uscc", "original_name"):
        if hasattr(target_object, secret):
            assert getattr(target_object, secret) not in body.decode(errors="replace")
    assert "他人的申报书" not in body.decode(errors="replace")


@pytest.mark.parametrize(
    ("url_name", "role"),
    [
        ("organisations:registration_queue", "my_admin"),
        ("organisations:registration_queue", "my_applicant"),
        ("accounts:applicant_list", "my_applicant"),
        ("accounts:applicant_list", "my_recommender_staff"),
        ("accounts:applicant_create", "my_applicant"),
    ],
)
def test_a_page_of_another_role_is_forbidden(client, world, url_name, role):
    client.force_login(world[role])
    assert client.get(reverse(url_name)).status_code == 403


def test_the_registration_queue_lists_only_the_staffs_own_recommender(client, world):
    client.force_login(world["my_recommender_staff"])
    body = client.get(reverse("organisations:registration_queue")).content.decode()
    assert "本盟市待审单位" in body
    assert "他人待审单位" not in body and "直报待审单位" not in body


def test_department_staff_review_direct_report_units_but_not_a_bureaus(client, world, department_staff):
    client.force_login(department_staff)
    body = client.get(reverse("organisations:registration_queue")).content.decode()
    assert "直报待审单位" in body and "本盟市待审单位" not in body
    url = reverse("organisations:registration_decide", args=[world["my_pending_unit"].pk])
    assert client.post(url, {"decision": "approve"}).status_code == 404
