"""Validation of what names a tenant: slug, custom domain, language, time zone."""

from __future__ import annotations

import re
import zoneinfo
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

SLUG_MIN_LENGTH = 3
SLUG_MAX_LENGTH = 50
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
HOSTNAME_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")

#: Names that route to the platform or that a tenant could use to impersonate it.
RESERVED_SLUGS = frozenset(
    {
        "admin", "api", "app", "apps", "assets", "auth", "billing", "blog", "cdn",
        "caseway", "console", "dashboard", "dev", "docs", "email", "ftp", "help",
        "imap", "internal", "localhost", "login", "mail", "media", "mx", "ns1", "ns2",
        "ops", "platform", "pop", "pop3", "portal", "public", "root", "signup", "smtp",
        "static", "staging", "status", "support", "system", "test", "webhooks", "webmail",
        "www",
    }
)  # fmt: skip


def normalise_slug(raw: str) -> str:
    return raw.strip().lower()


def validate_slug(slug: str) -> None:
    """Raise ValidationError unless ``slug`` can be a DNS label under the platform domain."""
    if not SLUG_MIN_LENGTH <= len(slug) <= SLUG_MAX_LENGTH:
        raise ValidationError(
            _("The address must be %(min)d to %(max)d characters long.")
            % {"min": SLUG_MIN_LENGTH, "max": SLUG_MAX_LENGTH},
            code="length",
        )
    if not SLUG_PATTERN.match(slug):
        raise ValidationError(
            _(
                "Use only lowercase letters a–z, digits and hyphens; "
                "the address cannot start or end with a hyphen."
            ),
            code="characters",
        )
    if "--" in slug:
        raise ValidationError(_("The address cannot contain two hyphens in a row."), code="hyphens")
    if slug in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is reserved; please choose another address.") % {"slug": slug},
            code="reserved",
        )


def schema_name_for(slug: str) -> str:
    """Schema names never collide with platform schemas: they all start with ``t_``."""
    return "t_" + slug.replace("-", "_")


def normalise_hostname(raw: str) -> str:
    return raw.strip().lower().rstrip(".")


def validate_custom_domain(hostname: str) -> None:
    labels = hostname.split(".")
    if len(hostname) > 253 or len(labels) < 2 or not all(HOSTNAME_LABEL.match(x) for x in labels):
        raise ValidationError(
            _("“%(domain)s” is not a valid domain name.") % {"domain": hostname}, code="invalid"
        )
    platform = settings.PLATFORM_DOMAIN
    if hostname == platform or hostname.endswith("." + platform):
        raise ValidationError(
            _("Custom domains cannot be under %(platform)s.") % {"platform": platform},
            code="platform",
        )


def validate_language(code: str) -> None:
    if code not in dict(settings.LANGUAGES):
        raise ValidationError(
            _("Unknown language “%(code)s”; choose one of %(choices)s.")
            % {"code": code, "choices": ", ".join(dict(settings.LANGUAGES))},
            code="language",
        )


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(name: str) -> None:
    if name not in _time_zones():
        raise ValidationError(
            _("Unknown time zone “%(name)s”; use a name such as Europe/Warsaw.") % {"name": name},
            code="timezone",
        )


def validate_admin_email(email: str) -> None:
    validate_email(email)
