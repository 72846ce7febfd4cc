from __future__ import annotations

from django.db.models import QuerySet

from audit.models import AuditEntry


def audit_list(*, action_prefix: str = "", search: str = "") -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.all()
    if action_prefix:
        entries = entries.filter(action__startswith=action_prefix)
    if search:
        entries = entries.filter(target__icontains=search) | entries.filter(
            actor_label__icontains=search
        )
    return entries.order_by("-at", "-id")
