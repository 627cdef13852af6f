"""A unit's registration reaches the right recommender (二(一)1, 二(二)2)."""

import pytest

from shenbao.organisations.models import Recommender, Unit
from shenbao.organisations.routing import NoRecommender, recommender_for_division, route_unit


def _route(division, route=Unit.Route.LOCAL, department=None):
    return route_unit(Unit(division_code=division, route=route, competent_department=department))


@pytest.mark.parametrize(
    ("division", "expected"),
    [
        ("150102", "150100"),  # 呼和浩特市新城区
        ("150203", "150200"),  # 包头市昆都仑区
        ("150702", "150700"),  # 呼伦贝尔市海拉尔区
        ("152502", "152500"),  # 锡林浩特市
        ("152921", "152900"),  # 阿拉善左旗
        ("152201", "152200"),  # 乌兰浩特市
    ],
)
def test_a_local_unit_goes_to_the_bureau_of_its_registration_place(call, division, expected):
    assert _route(division).code == expected


def test_manzhouli_goes_to_its_own_bureau_not_to_hulunbuir(call):
    assert _route("150781").name == "满洲里市工信和科技局"


def test_erenhot_goes_to_its_own_bureau_not_to_xilingol(call):
    assert _route("152501").name == "二连浩特市教育科技局"


def test_a_unit_with_a_competent_department_goes_to_that_department(call):
    department = Recommender.objects.get(code="dept-wsjkw")
    assert _route("150781", Unit.Route.COMPETENT_DEPARTMENT, department) == department


def test_a_direct_report_unit_is_approved_by_department_staff(call):
    assert _route("150102", Unit.Route.DIRECT) is None


def test_a_place_outside_the_region_has_no_recommender(call):
    with pytest.raises(NoRecommender):
        _route("110105")


def test_the_longest_prefix_wins_whatever_the_order_of_the_list():
    broad = Recommender(code="a", divisions=["15"])
    narrow = Recommender(code="b", divisions=["150781"])
    middle = Recommender(code="c", divisions=["1507"])
    assert recommender_for_division("150781", [narrow, broad, middle]) is narrow
    assert recommender_for_division("150781", [broad, middle, narrow]) is narrow
