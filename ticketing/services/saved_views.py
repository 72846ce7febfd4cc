"""Saved views of the console's ticket list. An agent keeps private views; supervisors
share them with a department they supervise or with all staff, admins with any
department or all staff. Only the owner renames, changes or deletes a view.

The filters are the list's query parameters. They are validated here, key by key, so a
stored view never holds an unknown key or a value the list cannot apply; a refusal is an
``InvalidInput`` whose ``field_errors`` name the offending filter as ``filters.<key>``
(unknown keys under ``filters``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ticketing import permissions
from ticketing.errors import AlreadyExists, InvalidInput, PermissionDenied
from ticketing.models import (
    Agent,
    AgentRole,
    Category,
    Department,
    Priority,
    Product,
    SavedView,
    SavedViewVisibility,
    TicketStatus,
)

#: The list's sort orders (labels live with the console's filter form).
SORT_KEYS = ("priority", "sla", "waiting", "updated", "newest")
#: Built-in views a saved view may narrow further.
PRESET_KEYS = ("mine", "unassigned", "at_risk")
FILTER_KEYS = (
    "q",
    "preset",
    "status",
    "department",
    "assignee",
    "priority",
    "category",
    "product",
    "tag",
    "created_after",
    "created_before",
    "sort",
)
MAX_VIEWS_PER_AGENT = 50
MAX_NAME_LENGTH = 80

_MODELS: dict[str, Any] = {
    "department": Department,
    "priority": Priority,
    "category": Category,
    "product": Product,
}


def _text(value: Any, *, limit: int) -> str | None:
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    text = str(value).strip()
    if "\x00" in text or len(text) > limit:
        return None
    return text


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def saved_view_clean_filters(filters: Any) -> dict[str, str]:
    """The filters as the list reads them (strings, empty ones dropped), or
    ``InvalidInput`` naming each unknown key and bad value."""
    if not isinstance(filters, dict):
        raise InvalidInput(
            _("The filters are not valid."), field_errors={"filters": [_("Not a set of filters.")]}
        )
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    for key, raw in filters.items():
        if key not in FILTER_KEYS:
            errors.setdefault("filters", []).append(
                _("Unknown filter: %(key)s.") % {"key": str(key)[:50]}
            )
            continue
        value = _text(raw, limit=200 if key == "q" else 50)
        if value is None:
            errors[f"filters.{key}"] = [_("This value is not valid.")]
            continue
        if value == "":
            continue
        valid = True
        if key == "status":
            valid = value == "all" or value in TicketStatus.values
        elif key == "sort":
            valid = value in SORT_KEYS
        elif key == "preset":
            valid = value in PRESET_KEYS
        elif key in _MODELS:
            valid = value.isdigit() and _MODELS[key].objects.filter(pk=int(value)).exists()
        elif key == "assignee":
            valid = value in ("me", "none") or (
                value.isdigit() and Agent.objects.filter(pk=int(value)).exists()
            )
        elif key in ("created_after", "created_before"):
            valid = _date(value) is not None
        if not valid:
            errors[f"filters.{key}"] = [_("This value is not valid.")]
        else:
            cleaned[key] = value
    after, before = cleaned.get("created_after"), cleaned.get("created_before")
    if after and before and after > before:
        errors["filters.created_before"] = [_("This date is before the start date.")]
    if errors:
        raise InvalidInput(_("Some filters are not valid."), field_errors=errors)
    return cleaned


def _check_sharing(*, owner: Agent, visibility: str, department: Department | None) -> None:
    if visibility not in SavedViewVisibility.values:
        raise InvalidInput(
            _("Choose who sees this view."), field_errors={"visibility": [_("Not a choice.")]}
        )
    if visibility == SavedViewVisibility.PRIVATE:
        return
    if owner.role == AgentRole.AGENT:
        message = _("Only supervisors and admins can share views.")
        raise PermissionDenied(message, field_errors={"visibility": [message]})
    if visibility == SavedViewVisibility.DEPARTMENT:
        if department is None:
            message = _("Choose the department to share the view with.")
            raise InvalidInput(message, field_errors={"department": [message]})
        if not permissions.can_manage(owner, department):
            message = _("You can share views only with departments you supervise.")
            raise PermissionDenied(message, field_errors={"department": [message]})


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME_LENGTH or "\x00" in name:
        message = _("Give the view a name of at most %(count)d characters.") % {
            "count": MAX_NAME_LENGTH
        }
        raise InvalidInput(message, field_errors={"name": [message]})
    return name


def _name_taken(owner: Agent, name: str, *, exclude: int = 0) -> None:
    if SavedView.objects.filter(owner=owner, name__iexact=name).exclude(pk=exclude).exists():
        message = _("You already have a view with this name.")
        raise AlreadyExists(message, field_errors={"name": [message]})


def saved_view_create(
    *,
    owner: Agent,
    name: str,
    filters: Any,
    visibility: str = SavedViewVisibility.PRIVATE,
    department: Department | None = None,
) -> SavedView:
    name = _clean_name(name)
    cleaned = saved_view_clean_filters(filters)
    _check_sharing(owner=owner, visibility=visibility, department=department)
    if SavedView.objects.filter(owner=owner).count() >= MAX_VIEWS_PER_AGENT:
        message = _("You have %(count)d saved views; delete one first.") % {
            "count": MAX_VIEWS_PER_AGENT
        }
        raise InvalidInput(message, field_errors={"name": [message]})
    _name_taken(owner, name)
    try:
        with transaction.atomic():
            return SavedView.objects.create(
                owner=owner,
                name=name,
                filters=cleaned,
                visibility=visibility,
                department=department if visibility == SavedViewVisibility.DEPARTMENT else None,
            )
    except IntegrityError as error:  # the same name saved concurrently
        raise AlreadyExists(_("You already have a view with this name.")) from error


def _require_owner(view: SavedView, actor: Agent) -> None:
    if view.owner_id != actor.pk:
        raise PermissionDenied(_("Only the agent who saved this view can change it."))


def saved_view_update(
    *,
    view: SavedView,
    actor: Agent,
    name: str,
    visibility: str,
    department: Department | None = None,
    filters: Any = None,
) -> SavedView:
    """Rename or re-share a view; with ``filters``, replace what it shows."""
    _require_owner(view, actor)
    name = _clean_name(name)
    cleaned = saved_view_clean_filters(filters) if filters is not None else None
    _check_sharing(owner=actor, visibility=visibility, department=department)
    _name_taken(actor, name, exclude=view.pk)
    with transaction.atomic():
        locked = SavedView.objects.select_for_update().get(pk=view.pk)
        locked.name = name
        locked.visibility = visibility
        locked.department = department if visibility == SavedViewVisibility.DEPARTMENT else None
        if cleaned is not None:
            locked.filters = cleaned
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError as error:
            raise AlreadyExists(_("You already have a view with this name.")) from error
    return locked


def saved_view_delete(*, view: SavedView, actor: Agent) -> None:
    _require_owner(view, actor)
    SavedView.objects.filter(pk=view.pk).delete()
