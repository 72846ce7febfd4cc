"""Which email, SMS and file-storage gateway the platform uses right now: the operators'
settings from the database (``GatewaySettings``) where a section is filled in, else the
environment (controlplane/settings.py).

The row is cached in the *platform* cache (``caches["platform"]``), whose keys are
deliberately not tenant-scoped: the gateways belong to the platform and are the same for
every tenant, so one entry serves deliveries in every schema, and saving the settings
deletes that one entry (after commit) instead of one copy per tenant — a tenant-scoped
key could never be invalidated for all tenants at once. No tenant data is in it. Each
process also keeps what it read for a second (``LOCAL_SECONDS``), so sending mail does not
ask Redis for every message.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, transaction

from controlplane.models import GatewaySettings, SmtpSecurity, StorageBackend
from controlplane.secrets import secret_decrypt

logger = logging.getLogger(__name__)

#: A Kavenegar sender line (digits) and what an API key of theirs looks like.
SENDER_LINE = re.compile(r"^\d{4,20}$")
KAVENEGAR_API_KEY = re.compile(r"^[A-Za-z0-9+/=._-]{16,200}$")

CACHE_KEY = "gateways:settings:v1"
CACHE_SECONDS = 300


#: Seconds a process keeps the row it read from the platform cache before asking again:
#: every email would otherwise cost a round trip to Redis. A save clears this process's
#: copy at once and the shared entry after commit; other processes follow within this.
LOCAL_SECONDS = 1.0
_local: tuple[float, dict[str, Any]] | None = None


def _stored() -> dict[str, Any]:
    """The settings row as plain values (secrets still encrypted); {} when none."""
    global _local
    held = _local
    if held is not None and time.monotonic() < held[0]:
        return dict(held[1])
    row = _shared()
    _local = (time.monotonic() + LOCAL_SECONDS, row)
    return dict(row)


def _shared() -> dict[str, Any]:
    cache = caches["platform"]
    try:
        row = cache.get(CACHE_KEY)
    except Exception:  # Redis down: read the database, deliveries go on
        logger.warning("platform cache unavailable; reading gateway settings directly")
        row = None
    if row is None:
        try:
            with transaction.atomic():  # a savepoint: a failure leaves the caller's work intact
                found = GatewaySettings.objects.filter(pk=1).values().first()
        except DatabaseError:  # not migrated yet (first deployment): the environment applies
            logger.warning("gateway settings unreadable; using the environment's")
            return {}
        row = {k: v for k, v in found.items() if k != "updated_at"} if found else {}
        try:
            cache.set(CACHE_KEY, row, CACHE_SECONDS)
        except Exception:
            logger.warning("platform cache unavailable; gateway settings not cached")
    return dict(row)


def gateway_cache_clear() -> None:
    global _local
    _local = None
    try:
        caches["platform"].delete(CACHE_KEY)
    except Exception:
        logger.warning("platform cache unavailable; gateway settings expire on their own")


# --- email ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MailGateway:
    host: str
    port: int
    username: str
    password: str
    use_tls: bool
    use_ssl: bool
    #: Sender of the platform's own mail (replaces ``DEFAULT_FROM_EMAIL``); may be "".
    from_email: str

    @property
    def fingerprint(self) -> str:
        """Changes whenever any connection parameter does (an open connection is
        replaced), without keeping the password in a key."""
        raw = "\0".join(
            [self.host, str(self.port), self.username, self.password,
             str(self.use_tls), str(self.use_ssl)]
        )  # fmt: skip
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


def mail_gateway() -> MailGateway | None:
    """The operators' SMTP server, or None: mail goes through ``EMAIL_URL``."""
    row = _stored()
    if not row.get("smtp_host"):
        return None
    security = row.get("smtp_security") or SmtpSecurity.STARTTLS
    return MailGateway(
        host=row["smtp_host"],
        port=int(row.get("smtp_port") or (465 if security == SmtpSecurity.SSL else 587)),
        username=row.get("smtp_username") or "",
        password=secret_decrypt(row.get("smtp_password") or ""),
        use_tls=security == SmtpSecurity.STARTTLS,
        use_ssl=security == SmtpSecurity.SSL,
        from_email=row.get("smtp_from_email") or "",
    )


def mail_from_address() -> str:
    """Who platform mail comes from: the operators' from address, else the environment."""
    gateway = mail_gateway()
    if gateway is not None and gateway.from_email:
        return gateway.from_email
    return str(settings.DEFAULT_FROM_EMAIL)


def mail_from_domain() -> str:
    """The domain of the platform's sender address (used in Message-IDs)."""
    address = parseaddr(mail_from_address())[1]
    return address.rsplit("@", 1)[-1] if "@" in address else str(settings.PLATFORM_DOMAIN)


# --- SMS -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmsRoute:
    """How one SMS goes out: ``backend`` is "kavenegar" or "console"."""

    backend: str
    api_key: str
    sender: str
    #: "tenant" (the tenant's own Kavenegar account), "database" or "environment".
    source: str


def sms_platform_route() -> SmsRoute:
    """The platform's SMS gateway: the operators' Kavenegar key, else the environment."""
    row = _stored()
    api_key = secret_decrypt(row.get("kavenegar_api_key") or "")
    if api_key:
        return SmsRoute("kavenegar", api_key, row.get("kavenegar_sender") or "", "database")
    if settings.SMS_BACKEND == "kavenegar":
        return SmsRoute(
            "kavenegar", settings.KAVENEGAR_API_KEY, settings.KAVENEGAR_SENDER, "environment"
        )
    return SmsRoute("console", "", settings.KAVENEGAR_SENDER, "environment")


# --- file storage ----------------------------------------------------------------------


def storage_backend() -> dict[str, Any]:
    """The ``STORAGES`` entry uploaded files use now (see controlplane.storage)."""
    row = _stored()
    kind = row.get("storage_backend") or StorageBackend.ENVIRONMENT
    if kind == StorageBackend.LOCAL:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {}}
    if kind == StorageBackend.S3 and row.get("s3_bucket"):
        options: dict[str, Any] = {
            "bucket_name": row["s3_bucket"],
            "region_name": row.get("s3_region") or None,
            "endpoint_url": row.get("s3_endpoint_url") or None,
            "default_acl": None,
            "querystring_auth": True,  # private files, reached through signed URLs
            "querystring_expire": 600,
            "file_overwrite": False,
        }
        if row.get("s3_access_key_id"):
            options["access_key"] = row["s3_access_key_id"]
            options["secret_key"] = secret_decrypt(row.get("s3_secret_access_key") or "")
        return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
    return dict(settings.DEFAULT_FILE_STORAGE_BACKEND)
