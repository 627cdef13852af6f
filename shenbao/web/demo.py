"""Demo data: the 2026 call, a demo copy of it that is open now, and one account per role.

Idempotent: a second run finds what the first made and changes nothing of it.
"""

import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from shenbao.accounts.models import User
from shenbao.applications.models import Application
from shenbao.applications.services import import_application
from shenbao.attachments.services import add_attachment
from shenbao.calls.loading import load_call, load_demo_copy
from shenbao.calls.models import Call
from shenbao.organisations.models import Recommender, Unit

EXAMPLE = Path(settings.BASE_DIR) / "docs" / "examples" / "application-1001.json"
# Printed for the newcomer; only ever used for demo accounts on a developer's machine.
DEMO_PASSWORD = "shenbao-demo"


@dataclass
class DemoAccount:
    username: str
    role: str
    who: str


def _user(username: str, **fields) -> User:
    user, created = User.objects.get_or_create(username=username, defaults=fields)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


@transaction.atomic
def seed_demo(now: dt.datetime) -> list[DemoAccount]:
    calls = sorted(Path(settings.CALLS_DIR).glob("*.toml"))
    loaded = [load_call(path)[0] for path in calls]
    for call in loaded:
        load_demo_copy(call, now)

    accounts = []
    _user("kjt", role=User.Role.DEPARTMENT, real_name="科技厅演示账号", is_staff=True, is_superuser=True)
    accounts.append(DemoAccount("kjt", "科技厅", "科技厅工作人员（含系统管理）"))
    for recommender in Recommender.objects.exclude(kind=Recommender.Kind.DIRECT):
        username = f"rec-{recommender.code}"
        _user(username, role=User.Role.RECOMMENDER, recommender=recommender, real_name=recommender.name)
        accounts.append(DemoAccount(username, "归口管理部门", recommender.name))

    kjt_as_department = Recommender.objects.get(code="dept-kjt")
    unit, _ = Unit.objects.get_or_create(
        uscc="12150000460012345Q",
        defaults=dict(
            name="内蒙古草原生态研究院",
            unit_type="科研院所",
            independent_legal_person=True,
            registered_on=dt.date(2003, 6, 18),
            division_code="150102",
            route=Unit.Route.COMPETENT_DEPARTMENT,
            competent_department=kjt_as_department,
            recommender=kjt_as_department,
            legal_representative="巴特尔",
            contact_name="其木格",
            phone="0471-6000000",
            email="office@example.org",
            address="呼和浩特市赛罕区大学东街1号",
            status=Unit.Status.APPROVED,
        ),
    )
    _user(unit.uscc, role=User.Role.UNIT_ADMIN, unit=unit, real_name="其木格")
    accounts.append(DemoAccount(unit.uscc, "单位管理员", unit.name))
    _user(
        "wuyun",
        role=User.Role.APPLICANT,
        unit=unit,
        real_name="乌云其其格",
        id_number="150105199007160025",
        sex=User.Sex.FEMALE,
        birth_date=dt.date(1990, 7, 16),
        phone="13800000000",
    )
    accounts.append(DemoAccount("wuyun", "申报人", f"乌云其其格（{unit.name}）"))
    demo_call = next((c for c in Call.objects.filter(is_demo=True, is_active=True)), None)
    if demo_call is not None:
        _demo_application(User.objects.get(username="wuyun"), demo_call, now)
    return accounts


def _blank_pdf(title: str) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo["/Title"] = title
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _demo_application(applicant: User, call: Call, now: dt.datetime) -> None:
    """The example 申报书 as a complete draft of the demo applicant, its attachments uploaded, so the
    whole flow can be walked at once."""
    if Application.objects.filter(call=call, applicant=applicant).exists():
        return
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    application = import_application(applicant, call, data, now)
    for kind, partner in (("joint_agreement", "北京草业科学研究中心"), ("integrity_commitment", "")):
        upload = SimpleUploadedFile(f"{kind}.pdf", _blank_pdf(kind), content_type="application/pdf")
        add_attachment(application, applicant, upload, kind=kind, partner=partner, year=None, now=now)
