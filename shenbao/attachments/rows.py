"""The uploaded attachments as the rules read them. A leaf below the rules: it imports only models,
so `rules` can read attachments without importing the services that edit them (which import the
application services, which run the rules: the import circle this module breaks)."""

from .models import Attachment


def attachment_rows(applications) -> dict[int, list[dict]]:
    """The attachments of many applications in one query, as the rules read them."""
    rows: dict[int, list[dict]] = {}
    for application_id, kind, partner, year, name in Attachment.objects.filter(
        application__in=applications
    ).values_list("application_id", "kind", "partner", "year", "original_name"):
        row = {"kind": kind, "file": name}
        if partner:
            row["partner"] = partner
        if year:
            row["year"] = year
        rows.setdefault(application_id, []).append(row)
    return rows
