"""Two staff members recommending the last place at the same moment: exactly one succeeds."""

import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone

from shenbao.accounts.models import User
from shenbao.applications.models import Application
from shenbao.documents.sealing import seal_application
from shenbao.review import services

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_last_place_of_a_quota_goes_to_exactly_one_of_two_simultaneous_recommendations(
    make_submitted, applicant, admin, staff, unit, make_user, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are what is tested; SQLite serialises all writers anyway")
    unit.recommender.quota_overrides = {"1001": 1}
    unit.recommender.save()
    colleague = make_user(User.Role.APPLICANT, unit=unit, id_number="150105199007160041", real_name="巴图")
    second_staff = make_user(User.Role.RECOMMENDER, recommender=unit.recommender)
    applications = []
    for person, title in ((applicant, "第一个项目"), (colleague, "第二个项目")):
        application = make_submitted(person, title=title)
        services.approve(application, admin, timezone.now())
        seal_application(application, admin, timezone.now())
        applications.append(services.submit_to_recommender(application, admin, timezone.now()))

    # Widen the race: each recommendation pauses between reading the quota and counting, so without
    # the row lock both would count 0 recommended and both would take the last place.
    quota_of = services.quota_of

    def slow_quota_of(*args):
        time.sleep(0.3)
        return quota_of(*args)

    monkeypatch.setattr(services, "quota_of", slow_quota_of)
    barrier, outcomes = threading.Barrier(2), []

    def recommend(application, who):
        try:
            barrier.wait()
            services.recommend(application, who, timezone.now())
            outcomes.append("recommended")
        except services.TransitionRefused as refusal:
            outcomes.append(str(refusal))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=recommend, args=(applications[0], staff)),
        threading.Thread(target=recommend, args=(applications[1], second_staff)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(outcomes) == 2 and outcomes.count("recommended") == 1
    assert "推荐限额为1项" in next(o for o in outcomes if o != "recommended")
    assert Application.objects.filter(state=Application.State.RECOMMENDED).count() == 1
