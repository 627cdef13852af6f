import pytest
from django.utils import timezone

from shenbao.accounts.models import User
from shenbao.applications import services


@pytest.fixture
def make_submitted(make_complete, during_filing):
    """A complete application of the example, submitted by `applicant` to its unit."""

    def make(applicant, **changes):
        return services.submit_application(make_complete(applicant, **changes), applicant, timezone.now())

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
