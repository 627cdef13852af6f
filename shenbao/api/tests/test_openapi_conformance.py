"""Schemathesis against /api/v1/openapi.json, through Django's WSGI application (no server), with the
token of each role that can hold one: every answer the API gives (status, media type, headers, body)
is one the document describes, and none is a server error.

Bounded and repeatable: a fixed seed, derandomised generation, a few examples per operation, no
example database. Each request runs in a savepoint rolled back after it, so an import, a submission
or a seal leaves the world as the next request expects it. Besides the generated ids (which name
nothing), every operation with an id is also called with the id of each application and list of the
world, so that answers about real objects, the role's and others', are checked too.
"""

import datetime as dt
import json
import uuid
from contextlib import contextmanager

import pytest
import schemathesis
import time_machine
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, transaction
from django.test import override_settings
from django.utils import timezone
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from conftest import CALL_FILE, DURING_FILING, EXAMPLE_APPLICATION, attach_example_files, make_uscc
from shenbao.accounts.models import User
from shenbao.api.models import ApiToken
from shenbao.applications.models import Application
from shenbao.applications.services import import_application, submit_application
from shenbao.calls.loading import load_call
from shenbao.documents.sealing import confirm_list
from shenbao.documents.tasks import queue_seal
from shenbao.organisations.models import Recommender, Unit
from shenbao.review import services as flow
from shenbao.review.models import RecommendationList

pytestmark = [
    pytest.mark.usefixtures("during_filing"),
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="runs once, on SQLite: the API's answers do not depend on the database"
    ),
]

# Every check Schemathesis has, but one: the document's strings are any strings, while the API refuses
# characters the PDF's fonts cannot print (emoji, control characters) with a 400 naming the field, a
# rule of the print that JSON Schema cannot state.
NOT_CHECKED = [positive_data_acceptance]
ROLES = ["applicant", "unit_admin", "recommender", "department"]


# The world's objects have fixed identifiers, so that the examples can name them before it exists.
APPLICATION_IDS = {
    name: str(uuid.uuid5(uuid.NAMESPACE_URL, f"shenbao-test:{name}"))
    for name in ("draft", "submitted", "approved", "at_recommender", "recommended_elsewhere")
}
LIST_ID = 7
DOCUMENT = json.loads(EXAMPLE_APPLICATION.read_text(encoding="utf-8"))


def _unit(recommender_code: str) -> Unit:
    return Unit.objects.create(
        name=f"测试单位{recommender_code}",
        uscc=make_uscc(),
        unit_type="科研院所",
        independent_legal_person=True,
        registered_on=dt.date(2010, 1, 1),
        division_code="150102",
        route=Unit.Route.LOCAL,
        recommender=Recommender.objects.get(code=recommender_code),
        legal_representative="张三",
        contact_name="李四",
        phone="0471-1234567",
        email="unit@example.org",
        address="呼和浩特市",
        status=Unit.Status.APPROVED,
    )


def _user(username: str, role: str, **fields) -> User:
    return User.objects.create(username=username, role=role, **fields)


def _complete(applicant: User, call) -> Application:
    """The example 申报书 imported as the applicant's draft, with the attachments it needs."""
    data = json.loads(json.dumps(DOCUMENT))
    data["subprojects"][0]["leader_id_number"] = applicant.id_number  # the PI leads a 课题
    application = import_application(applicant, call, data, timezone.now())
    attach_example_files(application, applicant)
    return application


def _build_world() -> dict[str, str]:
    call = load_call(CALL_FILE)[0]
    now = timezone.now()
    unit, other_unit = _unit("150100"), _unit("150781")
    applicant = _user(
        "applicant", User.Role.APPLICANT, unit=unit, real_name="乌云其其格", id_number="150105199007160025"
    )
    admin = _user("admin", User.Role.UNIT_ADMIN, unit=unit, real_name="单位管理员")
    staff = _user("staff", User.Role.RECOMMENDER, recommender=unit.recommender, real_name="推荐部门")
    department = _user("department", User.Role.DEPARTMENT, real_name="科技厅", is_staff=True)
    other_applicant = _user(
        "other_applicant", User.Role.APPLICANT, unit=other_unit, real_name="其木格", id_number="15010519850101001X"
    )
    other_admin = _user("other_admin", User.Role.UNIT_ADMIN, unit=other_unit, real_name="单位管理员")
    other_staff = _user("other_staff", User.Role.RECOMMENDER, recommender=other_unit.recommender)

    def submitted(person):
        return submit_application(_complete(person, call), person, now)

    world = {
        "draft": _complete(applicant, call),
        "submitted": submitted(applicant),
        "approved": flow.approve(submitted(applicant), admin, now),
        "at_recommender": flow.approve(submitted(applicant), admin, now),
        "recommended_elsewhere": flow.approve(submitted(other_applicant), other_admin, now),
    }
    queue_seal(world["at_recommender"], admin, now, submit=True)
    queue_seal(world["recommended_elsewhere"], other_admin, now, submit=True)
    flow.recommend(world["recommended_elsewhere"], other_staff, now)
    entry = confirm_list(flow.acting_recommender(other_staff), call, other_staff, now)
    RecommendationList.objects.filter(pk=entry.pk).update(id=LIST_ID)
    for name, application in world.items():
        Application.objects.filter(pk=application.pk).update(public_id=APPLICATION_IDS[name])
    users = {"applicant": applicant, "unit_admin": admin, "recommender": staff, "department": department}
    return {role: ApiToken.issue(user, "schemathesis")[1] for role, user in users.items()}


@pytest.fixture(scope="module")
def tokens(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once for the module's tests (each in its own savepoint) and rolled back after
    them: applications in every state a role acts on, another recommender's confirmed list, and a
    token for each role."""
    media = tmp_path_factory.mktemp("media")
    storages = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=media,
            STORAGES=storages,
            TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
            JOBS_IMMEDIATE=True,
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ),
        time_machine.travel(DURING_FILING, tick=False),
        transaction.atomic(),
    ):
        yield _build_world()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def in_process_requests():
    """Requests handled in the test's own connection and transaction, as Django's test client does:
    the WSGI handler would otherwise close the connection at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 2026,
        "generation": {"deterministic": True, "database": "none", "max-examples": 8},
        "phases": {"stateful": {"enabled": False}},
        "operations": [
            # The interchange schema's every boundary (some 1,600 cases each) is the interchange tests'
            # business; here the generated and the example documents suffice.
            {"include-name": ["POST /applications", "POST /review"], "phases": {"coverage": {"enabled": False}}}
        ],
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler(), config=CONFIG)


@schema.hook
def before_add_examples(context, examples):
    """Besides generated ids, which name nothing: each application and list of the world, and the
    example 申报书 as a body."""
    operation = context.operation
    if "{id}" in operation.path:
        examples.extend(operation.Case(path_parameters={"id": id}) for id in APPLICATION_IDS.values())
    elif "{list}" in operation.path:
        examples.append(operation.Case(path_parameters={"list": LIST_ID}))
    elif operation.method == "post" and operation.path in ("/applications", "/review"):
        examples.append(operation.Case(body=DOCUMENT, media_type="application/json"))


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@schema.parametrize()
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.django_db
def test_every_answer_of_the_api_is_one_its_document_describes(case, role, tokens, in_process_requests):
    authorization = {"Authorization": f"Bearer {tokens[role]}"}
    with rolled_back():
        response = case.call(headers=authorization)
    # Told which credentials are the real ones, ignored_auth sends the request again without them.
    case.validate_response(response, headers=authorization, excluded_checks=NOT_CHECKED)
