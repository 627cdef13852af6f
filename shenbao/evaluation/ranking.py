"""The ranking per category: every accepted application with its aggregated score, requested funds,
priority tags (一(三)1-2) and 拟立项 decision, and the funding line drawn against the category budget."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from shenbao.applications.models import Application

from .models import Acceptance, CategoryBudget, FundingDecision, ScoreSheet
from .scoring import Aggregate, aggregate


@dataclass
class Row:
    application: Application
    data: dict
    aggregate: Aggregate
    requested: int
    priority_tags: list[str]
    decision: FundingDecision | None
    within_budget: bool = False  # above the funding line
    cumulative: int = 0


def totals_by_application(application_ids) -> dict[int, list[Decimal]]:
    """The submitted sheets' totals per application, in one query."""
    totals: dict[int, list[Decimal]] = defaultdict(list)
    for application_id, total in ScoreSheet.objects.filter(
        assignment__application_id__in=application_ids, submitted_at__isnull=False, total__isnull=False
    ).values_list("assignment__application_id", "total"):
        totals[application_id].append(total)
    return totals


def ranking(call) -> dict[str, list[Row]]:
    """Category code → rows best first (by the ranking score, then the lower request, then receipt)."""
    from .services import requested_fiscal

    review = call.spec.review
    applications = list(
        Application.objects.filter(call=call, acceptance__status=Acceptance.Status.ACCEPTED)
        .select_related("unit", "acceptance__snapshot")
        .order_by("receipt_no", "pk")
    )
    totals = totals_by_application([a.pk for a in applications])
    decisions = {d.application_id: d for d in FundingDecision.objects.filter(application__in=applications)}
    budgets = {b.category: b.budget for b in CategoryBudget.objects.filter(call=call)}
    by_category: dict[str, list[Row]] = defaultdict(list)
    for application in applications:
        snapshot = application.acceptance.snapshot
        data = snapshot.data if snapshot is not None else application.data
        tags = data.get("priority_tags") if isinstance(data.get("priority_tags"), list) else []
        by_category[application.category].append(
            Row(
                application,
                data,
                aggregate(totals.get(application.pk, []), review),
                requested_fiscal(data),
                [str(t) for t in tags],
                decisions.get(application.pk),
            )
        )
    for category, rows in by_category.items():
        rows.sort(
            key=lambda r: (r.aggregate.score is None, -(r.aggregate.score or 0), r.requested, r.application.receipt_no)
        )
        budget, running = budgets.get(category), 0
        for row in rows:
            running += row.decision.amount if row.decision and row.decision.proposed else row.requested
            row.cumulative = running
            row.within_budget = budget is not None and running <= budget
    return dict(sorted(by_category.items()))
