"""Confirming a list (二(二)4) freezes the recommended set: what the sealed list names is what the
database says, whatever the recommender's colleagues click while the list is being rendered (issue 9
items 1 and 6)."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from shenbao.accounts.models import User
from shenbao.applications.models import Application
from shenbao.documents import sealing
from shenbao.documents.sealing import ListAlreadyConfirmed, confirm_list, seal_application
from shenbao.review import services
from shenbao.review.models import RecommendationList

State = Application.State


def _at_recommender(application, admin):
    services.approve(application, admin, timezone.now())
    seal_application(application, admin, timezone.now())
    return services.submit_to_recommender(application, admin, timezone.now())


@pytest.fixture
def two_at_recommender(make_submitted, applicant, admin, unit, make_user):
    colleague = make_user(User.Role.APPLICANT, unit=unit, id_number="150105199007160041", real_name="巴图")
    first = _at_recommender(make_submitted(applicant, title="第一个项目"), admin)
    second = _at_recommender(make_submitted(colleague, title="第二个项目"), admin)
    return first, second


def _listed(entry) -> set[int]:
    return {application_id for application_id, *_ in entry.frozen}


def _stored_lists(media) -> list[str]:
    return sorted(p.name for p in (media / "lists").glob("*")) if (media / "lists").exists() else []


def test_a_recommendation_sent_while_the_list_renders_is_refused_and_the_list_matches_the_database(
    two_at_recommender, staff, monkeypatch
):
    first, second = two_at_recommender
    services.recommend(first, staff, timezone.now())
    services.not_recommend(second, staff, "", timezone.now())
    render, during = sealing.list_pdf, []

    def render_while_a_colleague_clicks(*args):
        # The rendering runs outside any transaction: a colleague's clicks arrive now.
        for click in (
            lambda: services.recommend(second, staff, timezone.now()),
            lambda: services.not_recommend(first, staff, "", timezone.now()),
            lambda: services.return_to_unit(second, staff, "补充材料", timezone.now()),
        ):
            with pytest.raises(services.TransitionRefused, match="正在确认") as refusal:
                click()
            during.append(str(refusal.value))
        return render(*args)

    monkeypatch.setattr(sealing, "list_pdf", render_while_a_colleague_clicks)
    entry = confirm_list(staff.recommender, first.call, staff, timezone.now())
    assert len(during) == 3
    assert entry.state == RecommendationList.State.CONFIRMED and _listed(entry) == {first.pk}
    recommended = set(Application.objects.filter(state=State.RECOMMENDED).values_list("pk", flat=True))
    assert recommended == _listed(entry)


def test_a_failed_rendering_leaves_no_list_and_no_file_and_the_recommender_can_go_on(
    two_at_recommender, staff, monkeypatch, media
):
    first, second = two_at_recommender
    services.recommend(first, staff, timezone.now())
    services.not_recommend(second, staff, "", timezone.now())
    monkeypatch.setattr(sealing, "list_xlsx", lambda *a: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        confirm_list(staff.recommender, first.call, staff, timezone.now())
    assert not RecommendationList.objects.exists() and _stored_lists(media) == []
    services.recommend(second, staff, timezone.now())  # not blocked by the failed confirmation


def test_a_confirmation_whose_process_died_stops_blocking_after_its_lease(two_at_recommender, staff, during_filing):
    first, second = two_at_recommender
    services.recommend(first, staff, timezone.now())
    RecommendationList.objects.create(
        call=first.call,
        recommender=staff.recommender,
        confirmed_at=timezone.now(),
        confirmed_by=staff,
        state=RecommendationList.State.CONFIRMING,
        lease_until=timezone.now() + dt.timedelta(minutes=5),
    )
    with pytest.raises(services.TransitionRefused, match="正在确认"):
        services.recommend(second, staff, timezone.now())
    during_filing.shift(dt.timedelta(minutes=6))
    services.recommend(second, staff, timezone.now())
    entry = confirm_list(staff.recommender, first.call, staff, timezone.now())
    assert _listed(entry) == {first.pk, second.pk}


def test_confirming_twice_gives_the_existing_list_with_409_on_the_page_and_in_the_api(
    two_at_recommender, staff, client, media
):
    from shenbao.api.models import ApiToken

    first, second = two_at_recommender
    services.recommend(first, staff, timezone.now())
    services.recommend(second, staff, timezone.now())
    entry = confirm_list(staff.recommender, first.call, staff, timezone.now())
    with pytest.raises(ListAlreadyConfirmed) as again:
        confirm_list(staff.recommender, first.call, staff, timezone.now())
    assert again.value.entry == entry

    client.force_login(staff)
    page = client.post(reverse("review:recommender_action"), {"action": "confirm"})
    assert page.status_code == 409 and "无需重复确认" in page.content.decode()
    assert reverse("review:list_file", args=[entry.pk, "pdf"]) in page.content.decode()

    _, key = ApiToken.issue(staff, "test")
    api = client.post(reverse("api:confirm_list"), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.status_code == 409 and api.json()["list"]["id"] == entry.pk
    assert RecommendationList.objects.count() == 1 and len(_stored_lists(media)) == 2


def test_a_listed_sealed_file_that_went_missing_is_refused_before_confirming(two_at_recommender, staff):
    first, second = two_at_recommender
    services.recommend(first, staff, timezone.now())
    services.not_recommend(second, staff, "", timezone.now())
    first.refresh_from_db()
    first.sealed_pdf.storage.delete(first.sealed_pdf.name)
    with pytest.raises(services.TransitionRefused, match=r"第一个项目.*已签章申报书的文件已丢失"):
        confirm_list(staff.recommender, first.call, staff, timezone.now())
    assert not RecommendationList.objects.exists()


# --- real races on PostgreSQL: two connections, a barrier, an injected delay -----------------------


def _race(*actions):
    barrier, outcomes = threading.Barrier(len(actions)), [None] * len(actions)

    def run(i, action):
        try:
            barrier.wait()
            outcomes[i] = action()
        except Exception as error:
            outcomes[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("late_click", ["recommend", "not_recommend"])
def test_a_click_0_2_s_after_confirm_cannot_make_the_sealed_list_disagree(
    two_at_recommender, staff, monkeypatch, late_click
):
    if connection.vendor != "postgresql":
        pytest.skip("two real connections racing is what is tested; SQLite serialises all writers")
    first, second = two_at_recommender
    services.recommend(first, staff, timezone.now())
    if late_click == "recommend":
        services.not_recommend(second, staff, "", timezone.now())
    else:
        services.recommend(second, staff, timezone.now())
    render = sealing.list_pdf

    def slow_render(*args):
        time.sleep(0.6)  # the ≈1 s rendering of the report
        return render(*args)

    monkeypatch.setattr(sealing, "list_pdf", slow_render)

    def click():
        time.sleep(0.2)
        if late_click == "recommend":
            return services.recommend(second, staff, timezone.now())
        return services.not_recommend(second, staff, "", timezone.now())

    confirmed, clicked = _race(lambda: confirm_list(staff.recommender, first.call, staff, timezone.now()), click)
    assert isinstance(confirmed, RecommendationList) and isinstance(clicked, services.TransitionRefused)
    recommended = set(Application.objects.filter(state=State.RECOMMENDED).values_list("pk", flat=True))
    assert recommended == _listed(confirmed)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_confirming_at_once_give_one_list_one_409_and_no_orphan_file(two_at_recommender, staff, media):
    if connection.vendor != "postgresql":
        pytest.skip("two real connections racing is what is tested; SQLite serialises all writers")
    first, second = two_at_recommender
    services.recommend(first, staff, timezone.now())
    services.recommend(second, staff, timezone.now())
    outcomes = _race(*[lambda: confirm_list(staff.recommender, first.call, staff, timezone.now())] * 2)
    assert sorted(type(o).__name__ for o in outcomes) == ["ListAlreadyConfirmed", "RecommendationList"]
    assert RecommendationList.objects.count() == 1 and len(_stored_lists(media)) == 2
