"""Writes of billing: trials, subscriptions, seats, webhook events, dunning, SMS usage.

Stripe is called only through ``billing.stripe_api`` and never inside a transaction:
each service fetches from Stripe first, then writes what it learnt in one transaction,
and schedules side effects (emails, suspension notices) after the commit.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from billing import stripe_api
from billing.errors import BillingError, NoSubscription, PlanUnavailable, StripeUnavailable
from billing.models import (
    AccountStatus,
    BillingAccount,
    Invoice,
    Plan,
    SmsUsage,
    StripeEvent,
    StripeEventStatus,
)
from billing.plans import DEFAULT_PLANS
from tenants.models import SUSPENDED_FOR_BILLING, Tenant, TenantStatus
from tenants.routing import routing_invalidate
from tenants.services import tenant_resume, tenant_suspend

logger = logging.getLogger(__name__)

#: ``Tenant.status_reason`` of a tenant suspended for an unpaid invoice: only these are
#: reactivated by a payment.
SUSPENSION_REASON = SUSPENDED_FOR_BILLING

#: Re-enqueued by housekeeping until this many attempts (each attempt retries itself).
MAX_EVENT_ATTEMPTS = 25

HANDLED_EVENTS = {
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_succeeded",
    "invoice.payment_failed",
    "invoice.upcoming",
}


# --- Plans -------------------------------------------------------------------------------


def plans_seed() -> list[Plan]:
    """Create the default plans that are missing (Free, Team, Business); never changes a
    plan an operator has edited."""
    plans = []
    for definition in DEFAULT_PLANS:
        plan, _created = Plan.objects.get_or_create(code=definition["code"], defaults=definition)
        plans.append(plan)
    return plans


def _free_plan() -> Plan:
    plan = Plan.objects.filter(code=settings.BILLING_FREE_PLAN).first()
    return plan or plans_seed()[0]


def _trial_plan() -> Plan:
    plan = Plan.objects.filter(code=settings.BILLING_TRIAL_PLAN, is_active=True).first()
    if plan is None:
        plans_seed()
        plan = Plan.objects.get(code=settings.BILLING_TRIAL_PLAN)
    return plan


def _apply_limits(account: BillingAccount) -> None:
    """Write the plan's limits where the core reads them (``tenant.limits``)."""
    limits = account.plan.limits_json()
    Tenant.objects.filter(pk=account.tenant_id).update(plan_limits=limits)
    account.tenant.plan_limits = limits
    # Processes cache the tenant with its route; they re-read it after the commit.
    transaction.on_commit(routing_invalidate)


# --- Trial and customer ------------------------------------------------------------------


def account_start_trial(*, tenant: Tenant) -> BillingAccount:
    """Provisioning hook: a new tenant starts a trial of the trial plan, no card needed.
    Runs in the provisioning transaction; the Stripe customer is created after it."""
    plan = _trial_plan()
    days = plan.trial_days or settings.BILLING_TRIAL_DAYS
    account, created = BillingAccount.objects.get_or_create(
        tenant=tenant,
        defaults={
            "plan": plan,
            "status": AccountStatus.TRIALING,
            "trial_ends_at": timezone.now() + timedelta(days=days),
        },
    )
    if created:
        _apply_limits(account)
        tenant_id = tenant.pk
        transaction.on_commit(lambda: _enqueue("billing.ensure_customer", tenant_id))
    return account


def _enqueue(task_name: str, *args: Any) -> None:
    """Call after the commit. A failed enqueue is logged; the beat task catches up on
    events, and seats are re-counted on the next change."""
    from celery import current_app

    from billing import tasks  # noqa: F401 - registers the tasks

    try:
        current_app.tasks[task_name].apply_async(args=args, queue=settings.BILLING_QUEUE)
    except Exception:
        logger.warning("could not enqueue %s", task_name, exc_info=True)


def account_ensure_customer(*, tenant_id: int) -> str:
    """The tenant's Stripe customer, created once (the idempotency key makes a retried
    creation return the same customer). Without Stripe configured, nothing happens."""
    account = BillingAccount.objects.select_related("tenant").get(tenant_id=tenant_id)
    if account.stripe_customer_id or not stripe_api.configured():
        return account.stripe_customer_id
    tenant = account.tenant
    customer_id = stripe_api.customer_create(
        schema_name=tenant.schema_name,
        name=tenant.name,
        email=tenant.admin_email,
        tenant_id=tenant.pk,
    )
    BillingAccount.objects.filter(tenant_id=tenant_id, stripe_customer_id="").update(
        stripe_customer_id=customer_id
    )
    return customer_id


def account_for(*, tenant: Tenant) -> BillingAccount:
    """The tenant's account; tenants created before billing existed get one now, on the
    free plan (nothing they have is taken away: free limits only stop new additions)."""
    account = BillingAccount.objects.select_related("plan", "tenant").filter(tenant=tenant).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            account = BillingAccount.objects.create(
                tenant=tenant, plan=_free_plan(), status=AccountStatus.FREE
            )
            _apply_limits(account)
    except IntegrityError:
        pass
    return BillingAccount.objects.select_related("plan", "tenant").get(tenant=tenant)


# --- What a tenant admin does -----------------------------------------------------------


def checkout_start(
    *, tenant: Tenant, plan: Plan, success_url: str, cancel_url: str, nonce: str = ""
) -> str:
    """Start Stripe Checkout for ``plan``; returns the URL to redirect the admin to.
    A tenant that already has a live subscription changes plan instead."""
    if not plan.is_active or not plan.stripe_price_id:
        raise PlanUnavailable(_("This plan cannot be chosen."))
    account = account_for(tenant=tenant)
    customer_id = account.stripe_customer_id or account_ensure_customer(tenant_id=tenant.pk)
    session = stripe_api.checkout_session_create(
        customer_id=customer_id,
        price_id=plan.stripe_price_id,
        quantity=max(1, _active_agents(tenant)),
        tenant_id=tenant.pk,
        success_url=success_url,
        cancel_url=cancel_url,
        nonce=nonce or uuid.uuid4().hex,
    )
    return str(session["url"])


def has_live_subscription(account: BillingAccount) -> bool:
    return bool(account.stripe_subscription_id) and account.stripe_status not in (
        "",
        "canceled",
        "incomplete_expired",
    )


def subscription_change_plan(*, tenant: Tenant, plan: Plan, nonce: str = "") -> BillingAccount:
    """Move a live subscription to another plan's price (Stripe prorates)."""
    if not plan.is_active or not plan.stripe_price_id:
        raise PlanUnavailable(_("This plan cannot be chosen."))
    account = account_for(tenant=tenant)
    if not has_live_subscription(account):
        raise NoSubscription(_("There is no subscription to change; subscribe first."))
    subscription = stripe_api.subscription_retrieve(account.stripe_subscription_id)
    item = _first_item(subscription)
    updated = stripe_api.subscription_update(
        account.stripe_subscription_id,
        params={"items": [{"id": item["id"], "price": plan.stripe_price_id}]},
        key=stripe_api.idempotency_key(
            "plan", account.stripe_subscription_id, plan.pk, nonce or uuid.uuid4().hex
        ),
    )
    return subscription_sync(subscription=updated) or account


def subscription_set_cancel(*, tenant: Tenant, cancel: bool, nonce: str = "") -> BillingAccount:
    """Cancel at the end of the period (``cancel=True``) or take that back (resume)."""
    account = account_for(tenant=tenant)
    if not has_live_subscription(account):
        raise NoSubscription(_("There is no subscription to cancel or resume."))
    updated = stripe_api.subscription_update(
        account.stripe_subscription_id,
        params={"cancel_at_period_end": cancel},
        key=stripe_api.idempotency_key(
            "cancel", account.stripe_subscription_id, cancel, nonce or uuid.uuid4().hex
        ),
    )
    return subscription_sync(subscription=updated) or account


def billing_portal_url(*, tenant: Tenant, return_url: str) -> str:
    account = account_for(tenant=tenant)
    customer_id = account.stripe_customer_id or account_ensure_customer(tenant_id=tenant.pk)
    return stripe_api.billing_portal_session_create(
        customer_id=customer_id, return_url=return_url, nonce=uuid.uuid4().hex
    )


# --- Seats -------------------------------------------------------------------------------


def _active_agents(tenant: Tenant) -> int:
    from ticketing.models import Agent

    with schema_context(tenant.schema_name):
        return Agent.objects.filter(is_active=True, user__is_active=True).count()


def seats_sync(*, tenant_id: int, change_id: str) -> int:
    """Make the subscription's quantity the number of active agents. ``change_id`` names
    the agent change that asked for it, so a retried task reuses its idempotency key
    while a later change gets a new one."""
    from billing.usage import usage_set_agents

    account = BillingAccount.objects.select_related("tenant").get(tenant_id=tenant_id)
    active = _active_agents(account.tenant)
    usage_set_agents(tenant_id=tenant_id, agents=active)
    seats = max(1, active)
    if has_live_subscription(account) and stripe_api.configured():
        subscription = stripe_api.subscription_retrieve(account.stripe_subscription_id)
        item = _first_item(subscription)
        if int(item.get("quantity") or 0) != seats:
            subscription = stripe_api.subscription_update(
                account.stripe_subscription_id,
                params={"items": [{"id": item["id"], "quantity": seats}]},
                key=stripe_api.idempotency_key("seats", account.stripe_subscription_id, change_id),
            )
        subscription_sync(subscription=subscription)
    else:
        BillingAccount.objects.filter(tenant_id=tenant_id).update(seats=seats)
    return seats


# --- Webhook events ----------------------------------------------------------------------


def stripe_event_receive(*, payload: bytes, signature: str) -> tuple[StripeEvent, bool]:
    """Verify and store an event by its id; the handling task is enqueued after the
    commit. Returns the row and whether it is new (a duplicate delivery is a no-op)."""
    import stripe

    from billing.errors import InvalidWebhook

    if not settings.STRIPE_WEBHOOK_SECRET:
        raise InvalidWebhook("No webhook secret is configured.")
    try:
        event = stripe_api.construct_event(payload=payload, signature=signature)
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise InvalidWebhook(str(error)) from error
    data = event.to_dict()
    with transaction.atomic():
        row, created = StripeEvent.objects.get_or_create(
            event_id=str(data["id"]),
            defaults={"type": str(data.get("type", "")), "payload": data},
        )
        if created:
            pk = row.pk
            transaction.on_commit(lambda: _enqueue("billing.handle_event", pk))
    return row, created


def stripe_event_process(*, event_pk: int) -> str:
    """Handle one stored event; safe to run twice. Stripe errors propagate (the task
    retries); an event about a customer we do not know is ignored."""
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update(skip_locked=True).filter(pk=event_pk).first()
        if event is None or event.status in (
            StripeEventStatus.PROCESSED,
            StripeEventStatus.IGNORED,
        ):
            return event.status if event else "missing"
        event.attempts += 1
        event.save(update_fields=["attempts"])
    handler = _HANDLERS.get(event.type)
    if handler is None:
        _event_done(event, StripeEventStatus.IGNORED, "")
        return StripeEventStatus.IGNORED
    obj = (event.payload.get("data") or {}).get("object") or {}
    try:
        outcome = handler(obj)
    except (KeyError, TypeError, ValueError) as error:  # a malformed event: kept, not retried
        logger.exception("Stripe event %s could not be handled", event.event_id)
        _event_done(event, StripeEventStatus.FAILED, f"{type(error).__name__}: {error}")
        return StripeEventStatus.FAILED
    except BillingError as error:
        if isinstance(error, StripeUnavailable):
            StripeEvent.objects.filter(pk=event.pk).update(last_error=str(error)[:2000])
            raise
        _event_done(event, StripeEventStatus.FAILED, str(error))
        return StripeEventStatus.FAILED
    status = StripeEventStatus.PROCESSED if outcome else StripeEventStatus.IGNORED
    _event_done(event, status, "" if outcome else "not one of our customers")
    return status


def _event_done(event: StripeEvent, status: str, error: str) -> None:
    StripeEvent.objects.filter(pk=event.pk).update(
        status=status, processed_at=timezone.now(), last_error=error[:2000]
    )


def stripe_events_stuck(*, older_than: timedelta = timedelta(minutes=5)) -> list[int]:
    """Events whose task was lost (Redis down at enqueue, worker died)."""
    return list(
        StripeEvent.objects.filter(
            status=StripeEventStatus.RECEIVED,
            received_at__lte=timezone.now() - older_than,
            attempts__lt=MAX_EVENT_ATTEMPTS,
        ).values_list("pk", flat=True)[:500]
    )


def _on_checkout_completed(session: dict[str, Any]) -> bool:
    subscription_id = session.get("subscription")
    if isinstance(subscription_id, dict):
        subscription_id = subscription_id.get("id")
    if not subscription_id:
        return False
    account = _account_by_stripe(
        customer=session.get("customer"), tenant_id=session.get("client_reference_id")
    )
    if account is None:
        return False
    if not account.stripe_customer_id and session.get("customer"):
        BillingAccount.objects.filter(pk=account.pk).update(
            stripe_customer_id=str(session["customer"])
        )
    return (
        subscription_sync(subscription=stripe_api.subscription_retrieve(subscription_id))
        is not None
    )


def _on_subscription_event(subscription: dict[str, Any]) -> bool:
    # Re-fetched, never trusted as sent: events arrive out of order and late.
    fresh = stripe_api.subscription_retrieve(str(subscription["id"]))
    return subscription_sync(subscription=fresh) is not None


def _on_invoice_paid(invoice: dict[str, Any]) -> bool:
    fresh = stripe_api.invoice_retrieve(str(invoice["id"]))
    account = invoice_sync(invoice=fresh)
    if account is None:
        return False
    subscription_id = _invoice_subscription(fresh)
    if subscription_id:
        subscription_sync(subscription=stripe_api.subscription_retrieve(subscription_id))
    return True


def _on_invoice_failed(invoice: dict[str, Any]) -> bool:
    fresh = stripe_api.invoice_retrieve(str(invoice["id"]))
    subscription_id = _invoice_subscription(fresh)
    if fresh.get("status") == "open":
        fresh["_payment_failed"] = True
    account = invoice_sync(invoice=fresh)
    if account is None:
        return False
    if subscription_id:
        subscription_sync(subscription=stripe_api.subscription_retrieve(subscription_id))
    return True


def _on_invoice_upcoming(invoice: dict[str, Any]) -> bool:
    account = _account_by_stripe(customer=invoice.get("customer"), tenant_id=None)
    if account is None or not account.stripe_subscription_id:
        return False
    preview = stripe_api.invoice_preview(
        customer_id=account.stripe_customer_id,
        subscription_id=account.stripe_subscription_id,
        key=stripe_api.idempotency_key(
            "preview", account.stripe_subscription_id, timezone.now().date()
        ),
    )
    when = preview.get("next_payment_attempt") or preview.get("period_end")
    BillingAccount.objects.filter(pk=account.pk).update(
        next_invoice_at=_from_timestamp(when),
        next_invoice_amount=int(preview.get("amount_due") or 0),
    )
    tenant_id = account.tenant_id
    transaction.on_commit(lambda: _enqueue("billing.email_admins", tenant_id, "upcoming"))
    return True


_HANDLERS: dict[str, Callable[[dict[str, Any]], bool]] = {
    "checkout.session.completed": _on_checkout_completed,
    "customer.subscription.created": _on_subscription_event,
    "customer.subscription.updated": _on_subscription_event,
    "customer.subscription.deleted": _on_subscription_event,
    "invoice.paid": _on_invoice_paid,
    "invoice.payment_succeeded": _on_invoice_paid,
    "invoice.payment_failed": _on_invoice_failed,
    "invoice.upcoming": _on_invoice_upcoming,
}


# --- Applying what Stripe says ---------------------------------------------------------


def _from_timestamp(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=UTC) if value else None


def _first_item(subscription: dict[str, Any]) -> dict[str, Any]:
    items = (subscription.get("items") or {}).get("data") or []
    if not items:
        raise BillingError(f"subscription {subscription.get('id')} has no items")
    return dict(items[0])


def _invoice_subscription(invoice: dict[str, Any]) -> str:
    subscription = invoice.get("subscription")
    if not subscription:
        parent = invoice.get("parent") or {}
        subscription = (parent.get("subscription_details") or {}).get("subscription")
    if isinstance(subscription, dict):
        subscription = subscription.get("id")
    return str(subscription or "")


def _account_by_stripe(*, customer: Any, tenant_id: Any) -> BillingAccount | None:
    if isinstance(customer, dict):
        customer = customer.get("id")
    accounts = BillingAccount.objects.select_related("plan", "tenant")
    if customer:
        account = accounts.filter(stripe_customer_id=str(customer)).first()
        if account is not None:
            return account
    if tenant_id and str(tenant_id).isdigit():
        return accounts.filter(
            tenant_id=int(tenant_id), stripe_customer_id__in=["", str(customer or "")]
        ).first()
    return None


def subscription_sync(*, subscription: dict[str, Any]) -> BillingAccount | None:
    """Make the account what Stripe says the subscription is now."""
    metadata = subscription.get("metadata") or {}
    account = _account_by_stripe(
        customer=subscription.get("customer"), tenant_id=metadata.get("tenant_id")
    )
    if account is None:
        return None
    item = _first_item(subscription)
    price = item.get("price") or item.get("plan") or {}
    price_id = price.get("id") if isinstance(price, dict) else str(price)
    stripe_status = str(subscription.get("status", ""))
    now = timezone.now()
    with transaction.atomic():
        account = (
            BillingAccount.objects.select_for_update()
            .select_related("plan", "tenant")
            .get(pk=account.pk)
        )
        ended = stripe_status in ("canceled", "incomplete_expired")
        if ended and account.stripe_subscription_id not in ("", subscription["id"]):
            return account  # an older subscription ended; the tenant has a newer one
        was_past_due = account.past_due_since is not None
        account.stripe_subscription_id = str(subscription["id"])
        account.stripe_status = stripe_status
        if not account.stripe_customer_id and subscription.get("customer"):
            account.stripe_customer_id = str(subscription["customer"])
        account.seats = int(item.get("quantity") or 1)
        account.cancel_at_period_end = bool(subscription.get("cancel_at_period_end"))
        account.current_period_end = _from_timestamp(
            item.get("current_period_end") or subscription.get("current_period_end")
        )
        account.trial_ends_at = _from_timestamp(subscription.get("trial_end")) or (
            account.trial_ends_at if stripe_status == "trialing" else None
        )
        plan = Plan.objects.filter(stripe_price_id=price_id).first() if price_id else None
        comped = account.status == AccountStatus.COMPED and (
            account.comped_until is None or account.comped_until > now
        )
        if stripe_status in ("active", "trialing"):
            if not comped:
                account.plan = plan or account.plan
                account.status = (
                    AccountStatus.TRIALING if stripe_status == "trialing" else AccountStatus.ACTIVE
                )
            if _open_failed_invoices(account):  # Stripe still retrying a failed invoice
                account.past_due_since = account.past_due_since or now
                if not comped:
                    account.status = AccountStatus.PAST_DUE
            else:
                account.past_due_since = None
        elif stripe_status in ("past_due", "unpaid"):
            account.plan = plan or account.plan
            account.status = AccountStatus.PAST_DUE
            account.past_due_since = account.past_due_since or now
        elif ended:
            if not comped:
                account.plan = _free_plan()
                account.status = AccountStatus.CANCELED
            account.past_due_since = None
        else:  # incomplete: the first payment is not through yet
            if not comped:
                account.status = AccountStatus.INCOMPLETE
        if account.current_period_end and not ended:
            account.next_invoice_at = account.current_period_end
            account.next_invoice_amount = account.seats * (plan or account.plan).unit_amount
        else:
            account.next_invoice_at = None
            account.next_invoice_amount = None
        account.synced_at = now
        account.save()
        _apply_limits(account)
        _after_dunning_change(account, was_past_due=was_past_due)
    return account


def _open_failed_invoices(account: BillingAccount) -> bool:
    return Invoice.objects.filter(
        tenant_id=account.tenant_id, payment_failed=True, status="open"
    ).exists()


def invoice_sync(*, invoice: dict[str, Any]) -> BillingAccount | None:
    """Store the invoice for the history; a failed, still open invoice starts dunning."""
    account = _account_by_stripe(customer=invoice.get("customer"), tenant_id=None)
    if account is None:
        return None
    status = str(invoice.get("status") or "")
    failed_now = bool(invoice.get("_payment_failed")) and status == "open"
    with transaction.atomic():
        account = (
            BillingAccount.objects.select_for_update()
            .select_related("plan", "tenant")
            .get(pk=account.pk)
        )
        was_past_due = account.past_due_since is not None
        row, _created = Invoice.objects.update_or_create(
            stripe_invoice_id=str(invoice["id"]),
            defaults={
                "tenant_id": account.tenant_id,
                "number": str(invoice.get("number") or ""),
                "status": status,
                "amount_due": int(invoice.get("amount_due") or invoice.get("total") or 0),
                "amount_paid": int(invoice.get("amount_paid") or 0),
                "currency": str(invoice.get("currency") or "usd"),
                "hosted_invoice_url": str(invoice.get("hosted_invoice_url") or ""),
                "invoice_pdf": str(invoice.get("invoice_pdf") or ""),
                "created_at": _from_timestamp(invoice.get("created")) or timezone.now(),
            },
        )
        if failed_now:
            Invoice.objects.filter(pk=row.pk).update(payment_failed=True)
            account.past_due_since = account.past_due_since or timezone.now()
            account.status = AccountStatus.PAST_DUE
            account.save(update_fields=["past_due_since", "status", "updated_at"])
        elif (
            status in ("paid", "void", "uncollectible")
            and account.past_due_since
            and not _open_failed_invoices(account)
        ):
            account.past_due_since = None
            if account.status == AccountStatus.PAST_DUE:
                account.status = AccountStatus.ACTIVE
            account.save(update_fields=["past_due_since", "status", "updated_at"])
        _after_dunning_change(account, was_past_due=was_past_due)
    return account


def _after_dunning_change(account: BillingAccount, *, was_past_due: bool) -> None:
    """Inside the writing transaction: tell the admins, reactivate a tenant whose
    payment came through."""
    tenant_id = account.tenant_id
    if account.past_due_since is not None and not was_past_due:
        transaction.on_commit(lambda: _enqueue("billing.email_admins", tenant_id, "payment_failed"))
    if account.past_due_since is None and (was_past_due or account.suspended_for_billing):
        if account.suspended_for_billing:
            tenant = Tenant.objects.get(pk=tenant_id)
            if (
                tenant.status == TenantStatus.SUSPENDED
                and tenant.status_reason == SUSPENSION_REASON
            ):
                tenant_resume(slug=tenant.slug)
            BillingAccount.objects.filter(pk=tenant_id).update(suspended_for_billing=False)
            account.suspended_for_billing = False
        transaction.on_commit(lambda: _enqueue("billing.email_admins", tenant_id, "reactivated"))


# --- Dunning and trials over time ------------------------------------------------------


def accounts_enforce_grace(*, now: datetime | None = None) -> list[str]:
    """Suspend tenants whose payment is overdue past the grace period. Nothing is
    deleted: the portal shows a notice and a later payment reactivates at once."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.BILLING_GRACE_DAYS)
    suspended = []
    overdue = BillingAccount.objects.filter(
        past_due_since__lte=cutoff,
        suspended_for_billing=False,
        tenant__status=TenantStatus.ACTIVE,
    ).select_related("tenant")
    for account in overdue:
        with transaction.atomic():
            tenant_suspend(slug=account.tenant.slug, reason=SUSPENSION_REASON)
            BillingAccount.objects.filter(pk=account.pk).update(suspended_for_billing=True)
            tenant_id = account.tenant_id
            transaction.on_commit(
                functools.partial(_enqueue, "billing.email_admins", tenant_id, "suspended")
            )
        suspended.append(account.tenant.slug)
    return suspended


def trials_expire(*, now: datetime | None = None) -> list[str]:
    """A trial that ended without a subscription falls back to the free plan (its
    limits stop new agents; nothing is taken away)."""
    now = now or timezone.now()
    expired = []
    ended = BillingAccount.objects.filter(
        status=AccountStatus.TRIALING, trial_ends_at__lte=now, stripe_subscription_id=""
    ).select_related("tenant")
    for account in ended:
        with transaction.atomic():
            locked = (
                BillingAccount.objects.select_for_update()
                .select_related("tenant")
                .get(pk=account.pk)
            )
            if locked.status != AccountStatus.TRIALING or locked.stripe_subscription_id:
                continue
            locked.plan = _free_plan()
            locked.status = AccountStatus.FREE
            locked.save(update_fields=["plan", "status", "updated_at"])
            _apply_limits(locked)
            tenant_id = locked.tenant_id
            transaction.on_commit(
                functools.partial(_enqueue, "billing.email_admins", tenant_id, "trial_ended")
            )
        expired.append(account.tenant.slug)
    return expired


# --- Operators -------------------------------------------------------------------------


def trial_extend(*, tenant: Tenant, days: int) -> BillingAccount:
    if days < 1 or days > 365:
        raise BillingError(_("Extend a trial by 1 to 365 days."))
    account = account_for(tenant=tenant)
    if has_live_subscription(account):
        raise BillingError(
            _("This tenant already has a subscription; its trial cannot be extended here.")
        )
    with transaction.atomic():
        account = (
            BillingAccount.objects.select_for_update()
            .select_related("plan", "tenant")
            .get(pk=account.pk)
        )
        start = max(account.trial_ends_at or timezone.now(), timezone.now())
        account.trial_ends_at = start + timedelta(days=days)
        if account.status in (AccountStatus.FREE, AccountStatus.CANCELED):
            account.plan = _trial_plan()
        account.status = AccountStatus.TRIALING
        account.save()
        _apply_limits(account)
    return account


def plan_comp(*, tenant: Tenant, plan: Plan, until: date | None = None) -> BillingAccount:
    """Give a tenant a plan for free (until a date, or for good). Stripe is untouched."""
    account = account_for(tenant=tenant)
    with transaction.atomic():
        account = (
            BillingAccount.objects.select_for_update()
            .select_related("plan", "tenant")
            .get(pk=account.pk)
        )
        account.plan = plan
        account.status = AccountStatus.COMPED
        account.comped_until = (
            datetime.combine(until, datetime.min.time(), tzinfo=UTC) if until else None
        )
        was_past_due = account.past_due_since is not None
        account.past_due_since = None
        account.save()
        _apply_limits(account)
        _after_dunning_change(account, was_past_due=was_past_due)
    return account


# --- SMS usage ---------------------------------------------------------------------------


def _month(now: datetime | None = None) -> date:
    return (now or timezone.now()).date().replace(day=1)


def sms_allowed(*, schema_name: str, now: datetime | None = None) -> bool:
    """May this tenant send one more SMS this month? A refusal is counted, and the
    admins are told once a month."""
    tenant = Tenant.objects.filter(schema_name=schema_name).only("pk", "plan_limits").first()
    if tenant is None:
        return True
    limit = tenant.limits.sms_per_month
    if limit is None:
        return True
    month = _month(now)
    usage, _created = SmsUsage.objects.get_or_create(tenant_id=tenant.pk, month=month)
    if usage.sent < limit:
        return True
    SmsUsage.objects.filter(pk=usage.pk).update(refused=F("refused") + 1)
    told = SmsUsage.objects.filter(pk=usage.pk, admin_told_at__isnull=True).update(
        admin_told_at=timezone.now()
    )
    if told:
        _enqueue("billing.email_admins", tenant.pk, "sms_quota")
    return False


def sms_record_sent(*, schema_name: str, now: datetime | None = None) -> None:
    tenant_id = Tenant.objects.filter(schema_name=schema_name).values_list("pk", flat=True).first()
    if tenant_id is None:
        return
    month = _month(now)
    updated = SmsUsage.objects.filter(tenant_id=tenant_id, month=month).update(sent=F("sent") + 1)
    if not updated:
        try:
            with transaction.atomic():
                SmsUsage.objects.create(tenant_id=tenant_id, month=month, sent=1)
        except IntegrityError:
            SmsUsage.objects.filter(tenant_id=tenant_id, month=month).update(sent=F("sent") + 1)
