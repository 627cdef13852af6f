"""The overview's numbers (review/statistics.py): the rush curve against the deadline, applications by
recommender, 盟市 and state, quota used against quota, requested funds, PI age and sex, priority tags;
department staff count the whole call, a recommender only the applications it handles."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from shenbao.accounts.models import User
from shenbao.applications.models import Application
from shenbao.review import statistics

State = Application.State
BEIJING = dt.timezone(dt.timedelta(hours=8))
DEADLINE = dt.datetime(2025, 11, 14, 16, 0, tzinfo=BEIJING)
AFTER = DEADLINE + dt.timedelta(days=2)
TAG_1001 = "京蒙协作科技创新倍增计划标志性合作项目"


def _at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 11, day, hour, minute, tzinfo=BEIJING)


def _ms(day: int, hour: int, minute: int = 0) -> int:
    """A Beijing wall-clock time as the charts carry it (milliseconds, read as UTC)."""
    return int(dt.datetime(2025, 11, day, hour, minute, tzinfo=dt.UTC).timestamp() * 1000)


# --- The rush curve, from moments alone ----------------------------------------------------------------


def test_the_rush_curve_counts_each_hour_of_the_last_week_up_to_the_deadline(spec):
    submitted = [_at(1, 9), _at(13, 10, 30), _at(14, 15, 0), _at(14, 15, 59), _at(14, 16, 0)]
    chart = statistics.rush_curve(submitted, DEADLINE, spec.tz, AFTER)
    hours = dict(chart.data["hours"])
    # Each bar sits in the middle of its hour, and an hour counts up to and including its end:
    # 15:00-16:00 on the 14th holds 15:59 and 16:00; 15:00 itself belongs to the hour before.
    assert hours[_ms(14, 15, 30)] == 2 and hours[_ms(14, 14, 30)] == 1
    assert sum(hours.values()) == 4 and len(hours) == 7 * 24
    # The running total starts from what came before the week (1 November) and ends with all of them.
    assert chart.data["cumulative"][0][1] == 1 and chart.data["cumulative"][-1][1] == 5
    assert chart.data["deadline"] == _ms(14, 16)
    assert chart.data["end"] == chart.data["deadline"]


def test_the_rush_curve_says_how_much_came_in_the_last_day_and_tabulates_each_day(spec):
    submitted = [_at(1, 9), _at(13, 10, 30), _at(14, 15, 0), _at(14, 15, 59)]
    chart = statistics.rush_curve(submitted, DEADLINE, spec.tz, AFTER)
    assert "2025-11-14 16:00" in chart.summary and "最后24小时提交 2 份（50%）" in chart.summary
    table = {row[0]: row[1:] for row in chart.rows}
    assert table["此前"] == [1, 1] and table["11-13"] == [1, 2] and table["11-14"] == [2, 4]


def test_weeks_before_the_deadline_the_curve_shows_the_week_up_to_now(spec):
    now = _at(1, 10, 20)
    chart = statistics.rush_curve([_at(1, 9)], DEADLINE, spec.tz, now)
    assert chart.data["end"] == _ms(1, 11)
    assert chart.data["cumulative"][-1][1] == 1


def test_a_submission_after_the_deadline_under_an_extension_stays_on_the_curve(spec):
    late = DEADLINE + dt.timedelta(hours=5, minutes=10)
    chart = statistics.rush_curve([late], DEADLINE, spec.tz, AFTER)
    assert chart.data["cumulative"][-1][1] == 1 and chart.data["end"] > chart.data["deadline"]


# --- Counts over a small call ------------------------------------------------------------------------


@pytest.fixture
def world(call, make_unit, make_user):
    """Two bureaus' units (呼和浩特, 包头) with applications in several states, and a draft."""
    hohhot = make_unit(division="150102", recommender_code="150100")
    baotou = make_unit(division="150203", recommender_code="150200")
    people = {}

    def application(unit, state, *, category="1001", fiscal=100_000, pi="150105199007160025", tags=(), at=None):
        applicant = people.setdefault(unit.pk, make_user(User.Role.APPLICANT, unit=unit))
        data = {
            "title": f"项目{Application.objects.count() + 1}",
            "category": category,
            "pi": {"name": "负责人", "id_number": pi},
            "lead_unit": {"name": unit.name},
            "priority_tags": list(tags),
            "budget": {"fiscal": {"设备费": fiscal, "业务费": 0}},
        }
        return Application.objects.create(
            call=call, unit=unit, applicant=applicant, data=data, state=state, submitted_at=at or _at(10, 9)
        )

    # 呼和浩特: two recommended 1001 (a woman born 1990, a man born 1970), one sent, one 2001 not recommended.
    application(hohhot, State.RECOMMENDED, fiscal=950_000, tags=[TAG_1001])
    application(hohhot, State.RECOMMENDED, pi="15010219700101001X", fiscal=1_200_000)
    application(hohhot, State.SUBMITTED_TO_RECOMMENDER, fiscal=50_000, at=_at(14, 15, 30))
    application(hohhot, State.NOT_RECOMMENDED, category="2001", pi="", fiscal=300_000)
    # 包头: one still at its unit, and a draft nobody above the applicant may count.
    application(baotou, State.SUBMITTED, pi="15010219700101001X", at=_at(14, 15, 45))
    application(baotou, State.DRAFT)
    return hohhot, baotou


def _charts(user, call, now=AFTER):
    found = statistics.charts(statistics.scope_for(user, call), now)
    return found, {chart.key: chart for chart in found["charts"]}


def test_the_department_counts_every_submitted_application_by_recommender_and_state(world, call, department_staff):
    hohhot, baotou = world
    found, charts = _charts(department_staff, call)
    assert found["total"] == 5 and found["recommended"] == 2
    chart = charts["by_recommender"]
    assert chart.headers == ["归口管理部门", "已提交单位", "已报送归口管理部门", "已推荐", "不予推荐", "合计"]
    assert chart.rows == [
        [hohhot.recommender.name, 0, 1, 2, 1, 4],
        [baotou.recommender.name, 1, 0, 0, 0, 1],
    ]
    assert charts["by_league"].rows == [["呼和浩特市", 0, 1, 2, 1, 4], ["包头市", 1, 0, 0, 0, 1]]


def test_quota_used_is_shown_against_each_recommenders_quota_per_category(world, call, department_staff):
    hohhot, baotou = world
    _found, charts = _charts(department_staff, call)
    # 二(二)3: a 盟市 may recommend 7 in 1001 and 4 in 2001.
    assert charts["quota_1001"].rows == [[hohhot.recommender.name, 2, 7], [baotou.recommender.name, 0, 7]]
    assert charts["quota_2001"].rows == [[hohhot.recommender.name, 0, 4], [baotou.recommender.name, 0, 4]]
    assert "已推荐 2 项，限额合计 14 项" in charts["quota_1001"].summary


def test_requested_funds_are_counted_in_steps_up_to_the_highest_cap(world, call, department_staff):
    _found, charts = _charts(department_staff, call)
    table = {row[0]: row[1:] for row in charts["funds"].rows}
    assert charts["funds"].headers == ["申请财政资金", "1001 国内科技合作", "2001 国际科技合作"]
    assert table["0–10万元"] == [2, 0]  # 5万 and 10万 (a step's upper end belongs to it)
    assert table["20–30万元"] == [0, 1] and table["90–100万元"] == [1, 0] and table["100万元以上"] == [1, 0]
    assert sum(sum(counts) for counts in table.values()) == 5


def test_pi_age_sex_and_priority_tags_are_counted_with_their_shares(world, call, department_staff):
    found, charts = _charts(department_staff, call)
    # Born 1990-07-16: 35 when the call opened; born 1970: 55; one PI without an ID number.
    assert charts["pi_age"].rows == [["45岁及以下", 2, "40%"], ["45岁以上", 2, "40%"], ["身份证号未能识别", 1, "20%"]]
    assert charts["pi_sex"].rows == [["女", 2, "40%"], ["男", 2, "40%"], ["未能识别", 1, "20%"]]
    assert (found["young"], found["female"]) == (2, 2)
    tags = dict(charts["tags"].rows)
    assert tags[TAG_1001] == 1 and tags["无优先支持情形"] == 4 and tags["一带一路联合实验室"] == 0


def test_the_rush_curve_of_the_call_counts_submissions_not_drafts(world, call, department_staff):
    _found, charts = _charts(department_staff, call)
    assert charts["rush"].data["cumulative"][-1][1] == 5
    assert "截止前最后24小时提交 2 份（40%）" in charts["rush"].summary


def test_a_recommender_counts_only_the_applications_it_handles(world, call, make_user):
    hohhot, baotou = world
    staff = make_user(User.Role.RECOMMENDER, recommender=hohhot.recommender)
    found, charts = _charts(staff, call)
    assert found["total"] == 4
    assert "by_recommender" not in charts and "quota_1001" not in charts
    assert charts["by_category"].rows == [["1001 国内科技合作", 1, 2, 0, 3], ["2001 国际科技合作", 0, 0, 1, 1]]
    assert charts["quota"].rows == [["1001 国内科技合作", 2, 7], ["2001 国际科技合作", 0, 4]]
    # 包头's application, still at its unit, is nowhere in 呼和浩特's numbers.
    other = make_user(User.Role.RECOMMENDER, recommender=baotou.recommender)
    assert _charts(other, call)[0]["total"] == 0


@pytest.mark.parametrize("role", [User.Role.APPLICANT, User.Role.UNIT_ADMIN])
def test_applicants_and_unit_admins_have_no_statistics(call, make_user, unit, role):
    with pytest.raises(PermissionDenied):
        statistics.scope_for(make_user(role, unit=unit), call)


# --- The page ----------------------------------------------------------------------------------------


def test_the_overview_page_carries_the_charts_data_and_a_table_for_each_chart(client, world, call, department_staff):
    client.force_login(department_staff)
    response = client.get(reverse("review:overview"))
    body = response.content.decode()
    assert '<script id="overview-charts" type="application/json">' in body
    for chart in response.context["charts"]:
        assert f'data-chart="{chart.key}"' in body and f'id="chart-{chart.key}-summary"' in body
    assert body.count("<details>") == len(response.context["charts"])


def test_a_recommenders_overview_lists_only_its_own_applications(client, world, call, make_user):
    hohhot, baotou = world
    client.force_login(make_user(User.Role.RECOMMENDER, recommender=baotou.recommender))
    response = client.get(reverse("review:overview"))
    assert response.status_code == 200 and response.context["page_obj"].paginator.count == 0
    # Naming another bureau in the filter shows nothing of it either.
    response = client.get(reverse("review:overview"), {"recommender": hohhot.recommender.pk})
    assert response.context["page_obj"].paginator.count == 0
    assert hohhot.name not in response.content.decode()
