"""Which recommender a unit belongs to (二(一)1, 二(二)2), and the recommender list of a call.

- a unit with a competent department (厅局) goes to it;
- a direct-report unit is approved by department staff, then recommends itself (its own recommender);
- otherwise the recommender whose division prefix is the longest match for the registration place,
  so 满洲里 (150781) and 二连浩特 (152501) reach their own bureaus, not 呼伦贝尔 / 锡林郭勒.
"""

from collections.abc import Iterable

from shenbao.calls.spec import CallSpec

from .models import Recommender, Unit


class NoRecommender(LookupError):
    """No recommender covers the unit's registration place."""


def recommender_for_division(division_code: str, recommenders: Iterable[Recommender]) -> Recommender:
    best, best_length = None, -1
    for recommender in recommenders:
        for prefix in recommender.divisions or []:
            if division_code.startswith(prefix) and len(prefix) > best_length:
                best, best_length = recommender, len(prefix)
    if best is None:
        raise NoRecommender(division_code)
    return best


def route_unit(unit: Unit) -> Recommender | None:
    """The recommender who approves the unit's registration; None means department staff do."""
    if unit.route == Unit.Route.COMPETENT_DEPARTMENT:
        return unit.competent_department
    if unit.route == Unit.Route.DIRECT:
        return None
    return recommender_for_division(
        unit.division_code, Recommender.objects.filter(kind=Recommender.Kind.CITY, is_active=True)
    )


def direct_recommender_for(unit: Unit, quota_type: str) -> Recommender:
    """A direct-report unit's own recommender, created when its registration is approved."""
    recommender, _ = Recommender.objects.get_or_create(
        code=f"direct-{unit.uscc}",
        defaults={"name": unit.name, "kind": Recommender.Kind.DIRECT, "quota_type": quota_type},
    )
    return recommender


def sync_recommenders(spec: CallSpec) -> None:
    """Create or update the recommenders a call file lists (names, kinds, divisions, quota types)."""
    for entry in spec.recommenders:
        Recommender.objects.update_or_create(
            code=entry.code,
            defaults={
                "name": entry.name,
                "name_en": spec.english.get(entry.name, ""),
                "kind": entry.kind,
                "divisions": list(entry.divisions),
                "quota_type": entry.quota_type,
            },
        )
