"""The ranking per category: every accepted application with its aggregated score, requested funds,
priority tags (一(三)1-2) and 拟立项 decision, and the funding line drawn against the category budget."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from shenbao.applications.models import Application

from .facts import frozen_parts
from .models import Acceptance, CategoryBudget, FundingDecision, ScoreSheet
from .scoring import Aggregate, aggregate


@dataclass
class Row:
    application: Application
    pi_name: str
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
    # Only the three parts of each frozen document the ranking shows, not the whole documents.
    accepted = Application.objects.filter(call=call, acceptance__status=Acceptance.Status.ACCEPTED)
    applications = list(accepted.select_related("unit").defer("data").order_by("receipt_no", "pk"))
    parts = frozen_parts(accepted, {"tags": "priority_tags", "fiscal": "budget__fiscal", "pi": "pi__name"})
    totals = totals_by_application([a.pk for a in applications])
    decisions = {d.application_id: d for d in FundingDecision.objects.filter(application__in=applications)}
    budgets = {b.category: b.budget for b in CategoryBudget.objects.filter(call=call)}
    by_category: dict[str, list[Row]] = defaultdict(list)
    for application in applications:
        part = parts.get(application.pk, {})
        tags = part.get("tags")
        by_category[application.category].append(
            Row(
                application,
                str(part.get("pi") or ""),
                aggregate(totals.get(application.pk, []), review),
                requested_fiscal({"budget": {"fiscal": part.get("fiscal")}}),
                [str(t) for t in tags] if isinstance(tags, list) else [],
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
