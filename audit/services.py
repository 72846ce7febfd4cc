"""Writing the audit log. Callers record an entry in the same transaction as the change
it describes, so a change that rolls back leaves no entry and none is missed."""

from __future__ import annotations

from typing import Any

from audit.models import AuditEntry


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return ", ".join(_text(item) for item in value)
    if hasattr(value, "all") and callable(value.all):  # a queryset of choices
        return ", ".join(str(item) for item in value.all())
    return str(value)[:500]


def audit_record(
    *, actor: Any, action: str, target: object = "", changes: dict[str, Any] | None = None
) -> AuditEntry:
    """Record one change. ``changes`` maps field names to ``(before, after)``."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_label=getattr(user, "email", "") if user else "",
        action=action[:60],
        target=str(target)[:250],
        changes={
            name: [_text(before), _text(after)] for name, (before, after) in (changes or {}).items()
        },
    )
