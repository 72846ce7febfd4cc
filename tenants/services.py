"""Writes of the tenants app: create, suspend, resume, delete, purge, custom domains."""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.models import User
from tenants import validators
from tenants.db import connection
from tenants.errors import (
    DomainUnavailable,
    FeatureNotInPlan,
    InvalidTenantInput,
    InvalidTenantTransition,
    SlugUnavailable,
    TenantNotFound,
)
from tenants.hooks import run_provisioned_hooks, run_purged_hooks
from tenants.limits import TenantLimits
from tenants.models import Domain, Tenant, TenantSettings, TenantStatus
from tenants.provisioning.pool import pool_claim
from tenants.provisioning.template import current_template, schema_build, schema_drop
from tenants.routing import routing_invalidate

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class TenantCreated:
    tenant: Tenant
    admin: User
    #: True when the schema came from the warm pool, False when built from the script.
    from_pool: bool
    #: False when an identical earlier request had already created the tenant.
    created: bool = True


def platform_operation(function: Callable[P, R]) -> Callable[P, R]:
    """Tenant rows live in the public schema: run the service there, whatever schema the
    caller is in (a request on a tenant host, a task, a test inside a tenant)."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with schema_context(get_public_schema_name()):
            return function(*args, **kwargs)

    return wrapper


def _check(validator: object, value: str, field: str) -> None:
    try:
        validator(value)  # type: ignore[operator]
    except ValidationError as error:
        raise InvalidTenantInput(" ".join(error.messages), field=field) from error


@platform_operation
def tenant_create(
    *,
    slug: str,
    name: str,
    admin_email: str,
    admin_password: str | None = None,
    admin_name: str = "",
    domain: str | None = None,
    language: str = "en",
    timezone_name: str = "UTC",
) -> TenantCreated:
    """Provision a tenant: schema (pool or script), rows, first admin — all or nothing.

    Repeating a request that already succeeded (same slug and admin email) returns the
    existing tenant instead of failing, so a retried signup is harmless.
    """
    slug = validators.normalise_slug(slug)
    admin_email = admin_email.strip().lower()
    _check(validators.validate_slug, slug, "slug")
    _check(validators.validate_admin_email, admin_email, "admin_email")
    _check(validators.validate_language, language, "language")
    _check(validators.validate_timezone, timezone_name, "timezone")
    name = name.strip()
    if not name:
        raise InvalidTenantInput("A display name is required.", field="name")
    hostname = validators.normalise_hostname(domain) if domain else None
    if hostname:
        _check(validators.validate_custom_domain, hostname, "domain")

    existing = Tenant.objects.filter(slug=slug).first()
    if existing is not None:
        if existing.status == TenantStatus.ACTIVE and existing.admin_email == admin_email:
            with schema_context(existing.schema_name):
                admin = User.objects.get(email=admin_email)
            return TenantCreated(tenant=existing, admin=admin, from_pool=False, created=False)
        raise SlugUnavailable(f"The address “{slug}” is already taken.", field="slug")
    if hostname and Domain.objects.filter(domain=hostname).exists():
        raise DomainUnavailable(f"The domain “{hostname}” is already in use.", field="domain")

    template = current_template()  # fail before any write if migrate was not run
    schema_name = validators.schema_name_for(slug)
    with transaction.atomic():
        tenant = Tenant.objects.create(
            schema_name=schema_name,
            slug=slug,
            name=name,
            language=language,
            timezone=timezone_name,
            admin_email=admin_email,
            status=TenantStatus.PROVISIONING,
        )
        from_pool = pool_claim(schema_name=schema_name)
        if not from_pool:
            schema_build(schema_name, template=template)
        TenantSettings.objects.create(tenant=tenant, portal_title=name)
        if hostname:
            Domain.objects.create(domain=hostname, tenant=tenant, is_primary=True)
        admin = _create_first_admin(
            tenant, email=admin_email, password=admin_password, full_name=admin_name
        )
        tenant.status = TenantStatus.ACTIVE
        tenant.save(update_fields=["status", "updated_at"])
        transaction.on_commit(routing_invalidate)
        transaction.on_commit(_schedule_pool_refill)
    logger.info("tenant %s provisioned (%s)", slug, "pool" if from_pool else "script")
    return TenantCreated(tenant=tenant, admin=admin, from_pool=from_pool)


def _create_first_admin(
    tenant: Tenant, *, email: str, password: str | None, full_name: str
) -> User:
    with schema_context(tenant.schema_name):
        admin = User(
            email=email,
            full_name=full_name,
            language=tenant.language,
            timezone=tenant.timezone,
            is_staff=True,
            is_superuser=True,
        )
        if password:
            admin.set_password(password)
        else:
            admin.set_unusable_password()
        admin.save()
        run_provisioned_hooks(tenant, admin)
    return admin


def _schedule_pool_refill() -> None:
    from tenants.tasks import refill_pool

    try:
        refill_pool.delay()
    except Exception:  # the beat schedule refills the pool anyway
        logger.warning("could not enqueue pool refill", exc_info=True)


def _locked(slug: str) -> Tenant:
    tenant = Tenant.objects.select_for_update().filter(slug=slug).first()
    if tenant is None:
        raise TenantNotFound(f"No tenant with the address “{slug}”.", field="slug")
    return tenant


@platform_operation
def tenant_suspend(*, slug: str, reason: str = "") -> Tenant:
    with transaction.atomic():
        tenant = _locked(slug)
        if tenant.status != TenantStatus.ACTIVE:
            raise InvalidTenantTransition(
                f"Only an active tenant can be suspended; “{slug}” is {tenant.status}."
            )
        tenant.status = TenantStatus.SUSPENDED
        tenant.status_reason = reason
        tenant.save(update_fields=["status", "status_reason", "updated_at"])
        transaction.on_commit(routing_invalidate)
    return tenant


@platform_operation
def tenant_resume(*, slug: str) -> Tenant:
    with transaction.atomic():
        tenant = _locked(slug)
        if tenant.status != TenantStatus.SUSPENDED:
            raise InvalidTenantTransition(
                f"Only a suspended tenant can be resumed; “{slug}” is {tenant.status}."
            )
        tenant.status = TenantStatus.ACTIVE
        tenant.status_reason = ""
        tenant.save(update_fields=["status", "status_reason", "updated_at"])
        transaction.on_commit(routing_invalidate)
    return tenant


@platform_operation
def tenant_delete(*, slug: str, purge: bool = False) -> Tenant:
    """Take the tenant offline at once; the schema is dropped after the grace period
    (``purge_deleted``) or now with ``purge=True``."""
    with transaction.atomic():
        tenant = _locked(slug)
        if tenant.status != TenantStatus.DELETED:
            tenant.status = TenantStatus.DELETED
            tenant.deleted_at = timezone.now()
            tenant.save(update_fields=["status", "deleted_at", "updated_at"])
        transaction.on_commit(routing_invalidate)
    if purge:
        tenant_purge(slug=slug)
    return tenant


@platform_operation
def tenant_purge(*, slug: str) -> None:
    """Drop a deleted tenant's schema and forget it; its slug becomes free again."""
    with transaction.atomic():
        tenant = _locked(slug)
        if tenant.status != TenantStatus.DELETED:
            raise InvalidTenantTransition(f"Delete “{slug}” before purging it.")
        schema_drop(tenant.schema_name)
        run_purged_hooks(tenant.schema_name)
        Domain.objects.filter(tenant=tenant).delete()
        # Model.delete() would try django-tenants' own schema drop; delete the row directly.
        Tenant.objects.filter(pk=tenant.pk).delete()
        transaction.on_commit(routing_invalidate)
    connection.set_schema_to_public()


@platform_operation
def tenants_purge_expired(*, now: datetime | None = None) -> list[str]:
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TENANT_PURGE_GRACE_DAYS)
    slugs = list(
        Tenant.objects.filter(status=TenantStatus.DELETED, deleted_at__lte=cutoff).values_list(
            "slug", flat=True
        )
    )
    for slug in slugs:
        tenant_purge(slug=slug)
    return slugs


@platform_operation
def domain_add(*, slug: str, domain: str, primary: bool = False) -> Domain:
    hostname = validators.normalise_hostname(domain)
    _check(validators.validate_custom_domain, hostname, "domain")
    with transaction.atomic():
        tenant = _locked(slug)
        if Domain.objects.filter(domain=hostname).exists():
            raise DomainUnavailable(f"The domain “{hostname}” is already in use.", field="domain")
        if primary:
            Domain.objects.filter(tenant=tenant).update(is_primary=False)
        created = Domain.objects.create(domain=hostname, tenant=tenant, is_primary=primary)
        transaction.on_commit(routing_invalidate)
    return created


@platform_operation
def domain_remove(*, domain: str) -> None:
    with transaction.atomic():
        Domain.objects.filter(domain=validators.normalise_hostname(domain)).delete()
        transaction.on_commit(routing_invalidate)


def _plan_limits_locked(tenant_id: int) -> TenantLimits:
    """The tenant's limits read fresh under a lock on its row (the routing cache may
    hold an older copy), so a check and the write it guards cannot interleave."""
    row = (
        Tenant.objects.select_for_update()
        .filter(pk=tenant_id)
        .values_list("plan_limits", flat=True)
        .first()
    )
    return TenantLimits.from_json(row)


def _upgrade_message(limits: TenantLimits, feature: str) -> str:
    plan = limits.plan_name or _("current")
    if feature == "custom_domain":
        return _(
            "Your plan (%(plan)s) does not include a custom domain. Upgrade the plan on "
            "the billing page to use your own domain."
        ) % {"plan": plan}
    return _(
        "Your plan (%(plan)s) does not include removing “Powered by Caseway”. Upgrade "
        "the plan on the billing page to hide it."
    ) % {"plan": plan}


@platform_operation
def custom_domain_add(*, tenant_id: int, domain: str) -> Domain:
    """A tenant admin adds their own domain. Only plans with ``custom_domain`` may;
    domains added before a downgrade stay routed (nothing is taken away)."""
    hostname = validators.normalise_hostname(domain)
    _check(validators.validate_custom_domain, hostname, "domain")
    with transaction.atomic():
        limits = _plan_limits_locked(tenant_id)
        if not limits.has_feature("custom_domain"):
            raise FeatureNotInPlan(_upgrade_message(limits, "custom_domain"), field="domain")
        if Domain.objects.filter(domain=hostname).exists():
            raise DomainUnavailable(
                _("The domain “%(domain)s” is already in use.") % {"domain": hostname},
                field="domain",
            )
        primary = not Domain.objects.filter(tenant_id=tenant_id).exists()
        created = Domain.objects.create(domain=hostname, tenant_id=tenant_id, is_primary=primary)
        transaction.on_commit(routing_invalidate)
    return created


@platform_operation
def custom_domain_remove(*, tenant_id: int, domain: str) -> bool:
    """Remove one of this tenant's domains (never another tenant's)."""
    with transaction.atomic():
        deleted, _rows = Domain.objects.filter(
            tenant_id=tenant_id, domain=validators.normalise_hostname(domain)
        ).delete()
        transaction.on_commit(routing_invalidate)
    return bool(deleted)


def random_password() -> str:
    return secrets.token_urlsafe(12)


SETTINGS_FIELDS = frozenset(
    field.name for field in TenantSettings._meta.concrete_fields if field.name != "tenant"
)


@platform_operation
def tenant_settings_update(*, tenant_id: int, **fields: object) -> TenantSettings:
    """Change a tenant's branding, limits, maintenance mode or security settings. The
    host router caches settings with the tenant, so every process re-reads them."""
    unknown = set(fields) - SETTINGS_FIELDS
    if unknown:
        raise InvalidTenantInput(f"Unknown settings: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        current = TenantSettings.objects.select_for_update().get(tenant_id=tenant_id)
        if fields.get("hide_powered_by") and not current.hide_powered_by:
            limits = _plan_limits_locked(tenant_id)
            if not limits.has_feature("branding_removal"):
                raise FeatureNotInPlan(
                    _upgrade_message(limits, "branding_removal"), field="hide_powered_by"
                )
        for name, value in fields.items():
            setattr(current, name, value)
        try:
            current.full_clean(exclude=["tenant"])
        except ValidationError as error:
            first = next(iter(error.message_dict.items()))
            raise InvalidTenantInput(" ".join(first[1]), field=first[0]) from error
        current.save()
        transaction.on_commit(routing_invalidate)
    return current


def tenant_shows_powered_by(tenant: object) -> bool:
    """The “Powered by Caseway” footer is hidden only when the admin asked for it *and*
    the plan has ``branding_removal``: after a downgrade it shows again."""
    current = getattr(tenant, "settings", None)
    limits = getattr(tenant, "limits", None)
    if not getattr(current, "hide_powered_by", False) or limits is None:
        return True
    return not limits.has_feature("branding_removal")


def tenant_in_maintenance(tenant: object) -> bool:
    """True while the tenant admin has suspended the ticketing system."""
    current = getattr(tenant, "settings", None)
    return bool(getattr(current, "maintenance_mode", False))
