"""The platform's gateways as operators set them in the console (public schema only).

One row. An empty section means "as configured in the environment" (``EMAIL_URL``,
``KAVENEGAR_*``, ``AWS_*`` in controlplane/settings.py), so a fresh installation works
from its environment and an operator can take over from the console at any time.
Secrets are stored encrypted (controlplane.secrets) and never shown back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SmtpSecurity(models.TextChoices):
    STARTTLS = "starttls", _("STARTTLS (usually port 587)")
    SSL = "ssl", _("TLS from the start (usually port 465)")
    NONE = "none", _("None (local relays only)")


class StorageBackend(models.TextChoices):
    ENVIRONMENT = "", _("As set in the environment")
    LOCAL = "local", _("Local files on the server")
    S3 = "s3", _("Amazon S3 or an S3-compatible service")


class GatewaySettings(models.Model):
    smtp_host = models.CharField(_("SMTP server"), max_length=253, blank=True)
    smtp_port = models.PositiveIntegerField(_("port"), null=True, blank=True)
    smtp_username = models.CharField(_("user name"), max_length=254, blank=True)
    #: Encrypted (controlplane.secrets).
    smtp_password = models.TextField(_("password"), blank=True)
    smtp_security = models.CharField(
        _("encryption"), max_length=10, choices=SmtpSecurity.choices, default=SmtpSecurity.STARTTLS
    )
    smtp_from_email = models.CharField(_("from address"), max_length=254, blank=True)

    #: Encrypted (controlplane.secrets).
    kavenegar_api_key = models.TextField(_("Kavenegar API key"), blank=True)
    kavenegar_sender = models.CharField(_("sender line"), max_length=20, blank=True)

    storage_backend = models.CharField(
        _("file storage"), max_length=10, choices=StorageBackend.choices, blank=True, default=""
    )
    s3_bucket = models.CharField(_("bucket"), max_length=63, blank=True)
    s3_region = models.CharField(_("region"), max_length=40, blank=True)
    s3_endpoint_url = models.URLField(_("endpoint URL"), blank=True)
    s3_access_key_id = models.CharField(_("access key ID"), max_length=128, blank=True)
    #: Encrypted (controlplane.secrets).
    s3_secret_access_key = models.TextField(_("secret access key"), blank=True)

    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("gateway settings")
        verbose_name_plural = _("gateway settings")

    def __str__(self) -> str:
        return "gateway settings"
