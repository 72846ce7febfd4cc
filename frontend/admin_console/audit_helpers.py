"""What a settings form changed, for the audit log."""

from __future__ import annotations

from typing import Any

from django import forms


def form_changes(form: forms.BaseForm) -> dict[str, tuple[Any, Any]]:
    """``{field: (before, after)}`` for the fields the admin changed (files by name)."""
    changes = {}
    for name in form.changed_data:
        if name not in form.cleaned_data:
            continue
        before = form.initial.get(name, form.fields[name].initial)
        after = form.cleaned_data[name]
        if hasattr(after, "name") and not hasattr(after, "pk"):
            after = getattr(after, "name", "")  # an uploaded file
        changes[name] = (before, after)
    return changes
