from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tenants", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="tenantsettings",
            name="maintenance_mode",
            field=models.BooleanField(default=False, verbose_name="maintenance mode"),
        ),
        migrations.AddField(
            model_name="tenantsettings",
            name="maintenance_message",
            field=models.TextField(blank=True, verbose_name="maintenance notice"),
        ),
        migrations.AddField(
            model_name="tenantsettings",
            name="require_staff_mfa",
            field=models.BooleanField(
                default=False, verbose_name="require two-factor authentication for staff"
            ),
        ),
    ]
