"""The attacker matrix (object permissions), derived from the URL configuration itself: every URL
pattern × every role × the role's own object and another unit's (or bureau's, or person's) object →
the expected outcome.

`test_every_url_pattern_is_classified` walks Django's resolver, so a new endpoint fails the suite until it
is classified here: nobody has to remember to add it.

HOW TO CLASSIFY A NEW URL — one line in `URLS`, keyed by its name ("namespace:name"):

    "evaluation:score": Route("post", "assignment", {DEPARTMENT}, {"score": "80"}),

- method: "get" or "post" (the request the matrix sends; its body is the optional fourth argument, whose
  values may be functions of the world, e.g. `lambda w: w.mine.people[APPLICANT].pk`);
- target: which object its URL names (a key of `OBJECTS`), or None for a page without an id;
- allowed: the roles that may use it on THEIR OWN object (or at all, for a page without an id):
  APPLICANT, UNIT_ADMIN, RECOMMENDER, DEPARTMENT, ANONYMOUS (the sets ANY_SIGNED_IN and EVERYONE help).
  Every other role must be refused (401/403/404, or the login page for a visitor), and EVERY role is
  refused on another unit's object, which must come out unchanged and unnamed in the answer.
- `SECRET_LINK` instead of a Route: the id in the URL is the credential (a registration's tracking
  link, a set-password link); the matrix checks that a made-up one is a 404 for everyone.

A new kind of object (an expert assignment, a score sheet) also needs one line in `OBJECTS`: how to
make it for a unit's side of the world, and `URL_ARGUMENTS` if its URL uses a new argument name.
"""

import json
import uuid
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from shenbao.accounts.models import User
from shenbao.api.models import ApiToken
from shenbao.applications.models import Application
from shenbao.attachments.models import Attachment
from shenbao.jobs.models import Job
from shenbao.organisations.models import Unit
from shenbao.review.models import RecommendationList

APPLICANT, UNIT_ADMIN, RECOMMENDER, DEPARTMENT, ANONYMOUS = (
    "applicant",
    "unit_admin",
    "recommender",
    "department",
    "anonymous",
)
ANY_SIGNED_IN = frozenset({APPLICANT, UNIT_ADMIN, RECOMMENDER, DEPARTMENT})
EVERYONE = ANY_SIGNED_IN | {ANONYMOUS}
ROLES = [APPLICANT, UNIT_ADMIN, RECOMMENDER, DEPARTMENT, ANONYMOUS]


@dataclass(frozen=True)
class Route:
    method: str
    target: str | None
    allowed: frozenset = field(default_factory=frozenset)
    data: dict | None = None

    def __post_init__(self):
        object.__setattr__(self, "allowed", frozenset(self.allowed))


SECRET_LINK = "secret link"
TRANSITION_ACTORS = {
    "submit": {APPLICANT},
    "withdraw": {APPLICANT},  # the applicant's withdrawal; the unit's is a page action
    "approve": {UNIT_ADMIN},
    "submit-to-recommender": {UNIT_ADMIN},
    "recommend": {RECOMMENDER},
    "not-recommend": {RECOMMENDER},
    "return": {UNIT_ADMIN, RECOMMENDER},
}

URLS = {
    # Public pages and the account pages of whoever is signed in.
    "web:home": Route("get", None, EVERYONE),
    "web:help": Route("get", None, EVERYONE),
    "web:favicon": Route("get", None, EVERYONE),
    "set_language": Route("post", None, EVERYONE, {"language": "en"}),
    "javascript-catalog": Route("get", None, EVERYONE),
    "accounts:login": Route("get", None, EVERYONE),
    "accounts:logout": Route("post", None, EVERYONE),
    "accounts:password_change": Route("get", None, ANY_SIGNED_IN),
    "accounts:set_password": SECRET_LINK,
    "organisations:register": Route("get", None, EVERYONE),
    "organisations:registration_status": SECRET_LINK,
    "organisations:lookup": Route("get", None, EVERYONE, None),
    "applications:schema": Route("get", None, EVERYONE),
    "applications:schema-1": Route("get", None, EVERYONE),
    "api:openapi": Route("get", None, EVERYONE),
    # The unit admin's applicant accounts.
    "accounts:applicant_list": Route("get", None, {UNIT_ADMIN}),
    "accounts:applicant_create": Route("get", None, {UNIT_ADMIN}),
    "accounts:applicant_set_active": Route("post", "applicant_account", {UNIT_ADMIN}, {"active": "1"}),
    "accounts:applicant_reset_password": Route("post", "applicant_account", {UNIT_ADMIN}),
    # Registration review: a bureau its own units, the department the direct-report ones.
    "organisations:registration_queue": Route("get", None, {RECOMMENDER, DEPARTMENT}),
    "organisations:registration_detail": Route("get", "registration", {RECOMMENDER, DEPARTMENT}),
    "organisations:registration_decide": Route(
        "post", "registration", {RECOMMENDER, DEPARTMENT}, {"decision": "reject", "reason": "材料不全"}
    ),
    # The 申报书: lists, drafts, sections, review, import and export, hand-over, PDF.
    "applications:list": Route("get", None, ANY_SIGNED_IN),
    "applications:start": Route("post", None, {APPLICANT}),
    "applications:import": Route("post", None, ANY_SIGNED_IN),  # without a file: a message for anyone
    "applications:section": Route("get", "draft", {APPLICANT, UNIT_ADMIN}),
    "applications:section_panels": Route("get", "draft", {APPLICANT}),  # the applicant's live panels
    "applications:review": Route("get", "application", ANY_SIGNED_IN),
    "applications:export": Route("get", "application", ANY_SIGNED_IN),
    "applications:submit": Route("post", "draft", {APPLICANT}),
    "applications:hand_over": Route(
        "post", "draft", {UNIT_ADMIN}, {"applicant": lambda w: w.mine.people[APPLICANT].pk}
    ),
    "documents:application_pdf": Route("get", "application", ANY_SIGNED_IN),
    # Attachments of a draft.
    "attachments:list": Route("get", "draft", {APPLICANT, UNIT_ADMIN}),
    "attachments:upload": Route("post", "draft", {APPLICANT}, {"kind": "other"}),
    "attachments:download": Route("get", "attachment", {APPLICANT, UNIT_ADMIN}),
    "attachments:delete": Route("post", "attachment", {APPLICANT}),
    # The flow after submission.
    "review:unit_queue": Route("get", None, {UNIT_ADMIN}),
    "review:unit_progress": Route("get", None, {UNIT_ADMIN}),
    "review:retry_job": Route("post", "failed_seal", {UNIT_ADMIN}),
    "review:window_extensions": Route("get", None, {DEPARTMENT}),
    "review:unit_action": Route("post", None, {UNIT_ADMIN}, {"action": "approve"}),
    "review:recommender_queue": Route("get", None, {RECOMMENDER}),
    "review:recommender_action": Route("post", None, {RECOMMENDER}, {"action": "recommend"}),
    "review:upload_letter": Route("post", "list", {RECOMMENDER}),
    "review:list_file": Route("get", "list", {RECOMMENDER, DEPARTMENT}),
    "review:list_letter": Route("get", "list", {RECOMMENDER, DEPARTMENT}),
    "review:overview": Route("get", None, {RECOMMENDER, DEPARTMENT}),  # a recommender: its own applications
    "review:export_applications": Route("get", None, {RECOMMENDER, DEPARTMENT}),
    "review:inbox": Route("get", None, ANY_SIGNED_IN),
    "review:return": Route("post", "application", {UNIT_ADMIN, RECOMMENDER}, {"reason": "请补充"}),
    "review:withdraw": Route("post", "application", {APPLICANT}),
    # The token API (a bearer token of the role's user; a visitor sends none).
    "api:tokens": Route("get", None, ANY_SIGNED_IN),
    "api:revoke": Route("post", "token", ANY_SIGNED_IN),
    "api:applications": Route("get", None, ANY_SIGNED_IN),
    "api:application": Route("get", "application", ANY_SIGNED_IN),
    "api:findings": Route("get", "application", ANY_SIGNED_IN),
    "api:pdf": Route("get", "application", ANY_SIGNED_IN),
    "api:seal": Route("post", "application", {UNIT_ADMIN}),
    "api:confirm_list": Route("post", None, {RECOMMENDER}),
    "api:list_file": Route("get", "list", {RECOMMENDER, DEPARTMENT}),
    **{f"api:transition-{name}": Route("post", "application", actors) for name, actors in TRANSITION_ACTORS.items()},
}
# Django's admin guards its own namespace (is_staff); checked once below rather than URL by URL.
# The department stage (evaluation, publicity) is attacked in evaluation/tests/test_attacks.py for now;
# fold its URLs into URLS (one line each) when its objects join OBJECTS.
WHOLE_NAMESPACES = {"admin", "evaluation", "publicity"}
# Attacked in their own files until their objects join OBJECTS: the registry imports (department staff
# only; shenbao/rules/tests/test_registry_import.py and test_object_permissions.py) and the stateless
# review of a posted document (it reads and writes nothing of anyone's; api/tests).
ATTACKED_ELSEWHERE = {
    "rules:registries",
    "rules:registry_template",
    "rules:registry_upload",
    "rules:registry_apply",
    "rules:registry_rollback",
    "api:review",
}
# Pages that refuse a wrong role inside the page (a message) rather than with a status: they are listed
# as allowed above, and the matrix checks that nothing changed for those roles.
REFUSED_IN_PAGE = {"applications:import": {UNIT_ADMIN, RECOMMENDER, DEPARTMENT}}

# Which argument of a URL names what: the object the matrix targets gives its value.
URL_ARGUMENTS = {
    "public_id": lambda obj: (obj.application if isinstance(obj, Attachment) else obj).public_id,
    "attachment_id": lambda obj: obj.public_id,
    "pk": lambda obj: obj.pk,
    "slug": lambda obj: "basic",
    "kind": lambda obj: "pdf",
}


def _url_names(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in WHOLE_NAMESPACES:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}" if pattern.name else f"(unnamed) {pattern.pattern}"


def _converters(url_name: str) -> list[str]:
    namespace, _, name = url_name.rpartition(":")
    resolver = get_resolver()
    for part in namespace.split(":") if namespace else []:
        resolver = next(p for p in resolver.url_patterns if isinstance(p, URLResolver) and p.namespace == part)
    pattern = next(p for p in resolver.url_patterns if isinstance(p, URLPattern) and p.name == name)
    return list(pattern.pattern.converters)


# --- the world: two units under two bureaus, each with its people and objects --------------------


class Side:
    """One unit's side of the world: its people and every kind of object the URLs name."""

    def __init__(self, make_unit, make_user, call, division, recommender_code, tag):
        self.unit = make_unit(division=division, recommender_code=recommender_code, name=f"{tag}单位")
        people = {
            APPLICANT: make_user(User.Role.APPLICANT, unit=self.unit, real_name=f"{tag}申报人"),
            UNIT_ADMIN: make_user(User.Role.UNIT_ADMIN, unit=self.unit),
            RECOMMENDER: make_user(User.Role.RECOMMENDER, recommender=self.unit.recommender),
        }
        self.people = people
        self.title = f"{tag}的申报书标题"
        self.application = Application.objects.create(
            call=call,
            unit=self.unit,
            applicant=people[APPLICANT],
            title=self.title,
            data={"title": self.title},
            state=Application.State.SUBMITTED_TO_RECOMMENDER,
            receipt_no=f"R-{tag}",
        )
        self.draft = Application.objects.create(
            call=call, unit=self.unit, applicant=people[APPLICANT], title=self.title, data={"title": self.title}
        )
        self.attachment = Attachment(
            application=self.draft,
            kind="other",
            original_name=f"{tag}的附件.pdf",
            size=9,
            sha256="0" * 64,
            pages=1,
            uploaded_by=people[APPLICANT],
        )
        self.attachment.file.save("x.pdf", ContentFile(b"%PDF-1.7\n"), save=True)
        self.list = RecommendationList(
            call=call, recommender=self.unit.recommender, confirmed_at=timezone.now(), confirmed_by=people[RECOMMENDER]
        )
        self.list.pdf.save("list.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
        self.list.letter.save("letter.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
        self.list.xlsx.save("list.xlsx", ContentFile(b"PK"), save=True)
        self.registration = make_unit(
            division=division, recommender_code=recommender_code, status=Unit.Status.PENDING, name=f"{tag}待审单位"
        )
        self.tokens = {role: ApiToken.issue(user, "matrix")[0] for role, user in people.items()}
        self.failed_seal = Job.objects.create(
            key=f"seal:{self.draft.pk}:matrix",
            handler="shenbao.documents.tasks.seal",
            queue="sealing",
            accepted_at=timezone.now(),
            run_after=timezone.now(),
            state=Job.State.FAILED,
            application=self.draft,
            requested_by=people[UNIT_ADMIN],
        )


@dataclass
class World:
    mine: Side
    theirs: Side
    department: User
    direct_registration: Unit
    department_token: ApiToken

    def user(self, role):
        return self.department if role == DEPARTMENT else self.mine.people.get(role)


# target → (own object for a role, another unit's object for a role, or None when the role has no "other").
OBJECTS = {
    "application": (
        lambda w, role: w.mine.application,
        lambda w, role: None if role == DEPARTMENT else w.theirs.application,  # the department sees every one
    ),
    "draft": (lambda w, role: w.mine.draft, lambda w, role: w.theirs.draft),
    "attachment": (lambda w, role: w.mine.attachment, lambda w, role: w.theirs.attachment),
    "list": (lambda w, role: w.mine.list, lambda w, role: None if role == DEPARTMENT else w.theirs.list),
    "token": (
        lambda w, role: w.department_token if role == DEPARTMENT else w.mine.tokens.get(role, w.mine.tokens[APPLICANT]),
        lambda w, role: w.theirs.tokens[APPLICANT],
    ),
    "registration": (
        lambda w, role: w.direct_registration if role == DEPARTMENT else w.mine.registration,
        lambda w, role: w.mine.registration if role == DEPARTMENT else w.theirs.registration,
    ),
    "applicant_account": (lambda w, role: w.mine.people[APPLICANT], lambda w, role: w.theirs.people[APPLICANT]),
    "failed_seal": (lambda w, role: w.mine.failed_seal, lambda w, role: w.theirs.failed_seal),
}


@pytest.fixture
def world(make_unit, make_user, call, media):
    mine = Side(make_unit, make_user, call, "150102", "150100", "本单位")
    theirs = Side(make_unit, make_user, call, "150203", "150200", "他单位")
    department = make_user(User.Role.DEPARTMENT, is_staff=True, is_superuser=True)
    direct = make_unit(status=Unit.Status.PENDING, route=Unit.Route.DIRECT, recommender=None, name="直报待审单位")
    return World(mine, theirs, department, direct, ApiToken.issue(department, "matrix")[0])


# --- the cases ------------------------------------------------------------------------------------


def _cases():
    for name, route in URLS.items():
        if route == SECRET_LINK:
            continue
        for role in ROLES:
            if route.target is None:
                yield pytest.param(name, role, "none", id=f"{name}-{role}")
            else:
                yield pytest.param(name, role, "own", id=f"{name}-{role}-own")
                yield pytest.param(name, role, "other", id=f"{name}-{role}-other")


def _request(client, world, url_name, role, target):
    route = URLS[url_name]
    user = world.user(role)
    headers = {}
    if url_name.startswith("api:") and url_name not in ("api:tokens", "api:revoke"):
        if user is not None:
            token = world.department_token if role == DEPARTMENT else world.mine.tokens[role]
            token.refresh_from_db()
            key = "sb_matrix_" + uuid.uuid4().hex  # a fresh key for the role's token
            from shenbao.api.models import digest

            ApiToken.objects.filter(pk=token.pk).update(key_hash=digest(key), revoked=False)
            headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    elif user is not None:
        client.force_login(user)
    args = {name: URL_ARGUMENTS[name](target) for name in _converters(url_name)} if target is not None else {}
    url = reverse(url_name, kwargs=args)
    data = {key: value(world) if callable(value) else value for key, value in (route.data or {}).items()}
    if headers and route.method == "post":  # the API reads JSON
        return getattr(client, route.method)(url, json.dumps(data), content_type="application/json", **headers)
    return getattr(client, route.method)(url, data, **headers)


def _refused(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    return response.status_code == 302 and response["Location"].startswith(("/accounts/login/", "/admin/login/"))


def _snapshot(obj) -> dict:
    return {f.name: getattr(obj, f.name) for f in obj._meta.concrete_fields if f.name != "last_login"}


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


def test_every_url_pattern_is_classified():
    unclassified = sorted(set(_url_names()) - set(URLS) - ATTACKED_ELSEWHERE)
    assert not unclassified, f"classify these URLs in test_attacker_matrix.URLS (see its docstring): {unclassified}"
    stale = sorted((set(URLS) | ATTACKED_ELSEWHERE) - set(_url_names()))
    assert not stale, f"no such URL any more: {stale}"


def test_every_argument_of_a_classified_url_has_a_value():
    missing = {
        (name, argument)
        for name, route in URLS.items()
        if route != SECRET_LINK and route.target is not None
        for argument in _converters(name)
        if argument not in URL_ARGUMENTS
    }
    assert not missing


@pytest.mark.parametrize(("url_name", "role", "whose"), list(_cases()))
def test_attacker_matrix(client, world, url_name, role, whose):
    route = URLS[url_name]
    target = None
    if whose != "none":
        own, other = OBJECTS[route.target]
        target = (own if whose == "own" else other)(world, role)
        if target is None:
            pytest.skip("this role sees every unit's objects: there is no 'other' one")
    before = _snapshot(target) if target is not None else None
    response = _request(client, world, url_name, role, target)
    assert response.status_code < 500
    if whose == "other":
        assert _refused(response), f"{role} reached another unit's object: {response.status_code}"
        target.refresh_from_db()
        assert _snapshot(target) == before
        body = _body(response)
        assert world.theirs.title not in body and "他单位的附件" not in body
    elif role in route.allowed:
        assert not _refused(response), f"{role} was refused its own: {response.status_code}"
        if role in REFUSED_IN_PAGE.get(url_name, ()):
            assert response.status_code in (200, 302, 400)
    else:
        assert _refused(response), f"{role} may not use {url_name}: got {response.status_code}"
        if target is not None:
            target.refresh_from_db()
            assert _snapshot(target) == before


@pytest.mark.parametrize("url_name", [name for name, route in URLS.items() if route == SECRET_LINK])
@pytest.mark.parametrize("role", ROLES)
def test_a_made_up_secret_link_is_a_404_for_everyone(client, world, url_name, role):
    if world.user(role) is not None:
        client.force_login(world.user(role))
    args = {"token": uuid.uuid4()} if url_name.endswith("registration_status") else {"uidb64": "MQ", "token": "x-y"}
    response = client.get(reverse(url_name, kwargs=args))
    assert response.status_code in (404, 200)
    if response.status_code == 200:  # Django's set-password view says the link is invalid, and offers no form
        assert response.context.get("validlink") is False


@pytest.mark.parametrize("role", ROLES)
def test_djangos_admin_is_the_departments_alone(client, world, role):
    if world.user(role) is not None:
        client.force_login(world.user(role))
    response = client.get(reverse("admin:index"))
    if role == DEPARTMENT:
        assert response.status_code == 200
    else:
        assert _refused(response)
