from django.db import migrations


class Migration(migrations.Migration):
    """Plan limits (billing) and maintenance/MFA settings (consoles) were added side by side."""

    dependencies = [
        ("tenants", "0002_maintenance_and_staff_mfa"),
        ("tenants", "0002_tenant_plan_limits"),
    ]

    operations: list[migrations.operations.base.Operation] = []
