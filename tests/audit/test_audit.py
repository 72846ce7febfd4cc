"""The audit log records who changed what, in the schema where it happened."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from audit.selectors import audit_list
from audit.services import audit_record
from tests.conftest import TenantUnderTest

pytestmark = pytest.mark.django_db


def test_entries_keep_actor_and_changes_as_text(in_alpha: TenantUnderTest) -> None:
    entry = audit_record(
        actor=in_alpha.admin,
        action="department.updated",
        target="Support",
        changes={"name": ("Old", "Support"), "skills": ([], ["a", "b"]), "x": (None, 3)},
    )
    assert entry.actor_label == in_alpha.admin.email
    assert entry.changes == {"name": ["Old", "Support"], "skills": ["", "a, b"], "x": ["", "3"]}
    assert list(audit_list(search="supp")) == [entry]


def test_entries_stay_in_their_tenant(tenant_a: TenantUnderTest, tenant_b: TenantUnderTest) -> None:
    with schema_context(tenant_a.tenant.schema_name):
        audit_record(actor=None, action="settings.limits", target="alpha only")
    with schema_context(tenant_b.tenant.schema_name):
        assert not AuditEntry.objects.filter(target="alpha only").exists()
    with schema_context("public"):
        assert not AuditEntry.objects.filter(target="alpha only").exists()
