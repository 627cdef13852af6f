import json

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from conftest import EXAMPLE_APPLICATION
from shenbao.accounts.models import User
from shenbao.applications import services
from shenbao.attachments.models import Attachment


@pytest.fixture
def make_submitted(call, media, during_filing):
    """An application of the example, with its attachments, submitted by `applicant` to its unit."""

    def make(applicant, **changes):
        data = json.loads(EXAMPLE_APPLICATION.read_text(encoding="utf-8"))
        data.update(changes)
        data["subprojects"][0]["leader_id_number"] = applicant.id_number  # the PI leads a 课题
        application = services.import_application(applicant, call, data, timezone.now())
        for kind, partner in (("joint_agreement", "北京草业科学研究中心"), ("integrity_commitment", "")):
            attachment = Attachment(
                application=application,
                kind=kind,
                partner=partner,
                original_name=f"{kind}.pdf",
                size=9,
                sha256="0" * 64,
                pages=1,
                uploaded_by=applicant,
            )
            attachment.file.save("x.pdf", ContentFile(b"%PDF-1.7\n"), save=True)
        return services.submit_application(application, applicant, timezone.now())

    return make


@pytest.fixture
def submitted(make_submitted, applicant):
    return make_submitted(applicant)


@pytest.fixture
def admin(make_user, unit):
    return make_user(User.Role.UNIT_ADMIN, unit=unit, email="admin@example.org", real_name="单位管理员")


@pytest.fixture
def staff(make_user, unit):
    return make_user(User.Role.RECOMMENDER, recommender=unit.recommender, email="rec@example.org")
