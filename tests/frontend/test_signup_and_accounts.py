"""Signup on the platform host, the hand-off into the new tenant, sign-in lockout, idle
sessions and language preferences."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from frontend.security import IDLE_SESSION_KEY
from notifications.models import Notification
from tenants.models import Tenant
from tests.conftest import TenantUnderTest
from tests.ticketing.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=False)

PLATFORM = "localhost"


@pytest.fixture(autouse=True)
def _fresh_signup_limits() -> None:
    caches["platform"].clear()


def _signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "company": "Delta Repairs",
        "slug": "delta",
        "admin_name": "Dana Admin",
        "email": "dana@delta.example",
        "password": "a-long-pass-phrase",
        "language": "pl",
        "timezone": "Europe/Warsaw",
        "website": "",
    }
    data.update(overrides)
    return data


def test_signup_provisions_the_tenant_and_hands_the_admin_over(
    session_tenants: dict[str, TenantUnderTest], mailoutbox: list[Any]
) -> None:
    response = Client(HTTP_HOST=PLATFORM).post("/signup/", _signup_data())
    assert response.status_code == 302, response.content.decode()[:3000]
    target = response["Location"]
    assert target.startswith("http://delta.localhost/welcome/")
    tenant = Tenant.objects.get(slug="delta")
    assert (tenant.name, tenant.language, tenant.timezone) == (
        "Delta Repairs",
        "pl",
        "Europe/Warsaw",
    )

    browser = Client(HTTP_HOST="delta.localhost")
    path = target.removeprefix("http://delta.localhost")
    landed = browser.get(path)
    assert landed.status_code == 302
    assert landed["Location"] == "/admin-console/?welcome=1"
    console = browser.get("/admin-console/?welcome=1")
    assert console.status_code == 200
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["dana@delta.example"]
    # The hand-off works once.
    assert Client(HTTP_HOST="delta.localhost").get(path).status_code == 410


def test_handoff_token_of_one_tenant_is_refused_by_another(
    session_tenants: dict[str, TenantUnderTest],
) -> None:
    response = Client(HTTP_HOST=PLATFORM).post(
        "/signup/", _signup_data(slug="echo", email="e@echo.example")
    )
    path = response["Location"].split("localhost", 1)[1]
    assert Client(HTTP_HOST="alpha.localhost").get(path).status_code == 410


def test_signup_errors_are_shown_and_nothing_is_created(
    session_tenants: dict[str, TenantUnderTest],
) -> None:
    client = Client(HTTP_HOST=PLATFORM)
    taken = client.post("/signup/", _signup_data(slug="alpha"))
    assert taken.status_code == 400
    assert "already taken" in taken.content.decode()
    assert 'value="Delta Repairs"' in taken.content.decode()  # what was typed is kept
    weak = client.post("/signup/", _signup_data(slug="foxtrot", password="123"))
    assert weak.status_code == 400
    assert "too short" in weak.content.decode()
    reserved = client.post("/signup/", _signup_data(slug="www"))
    assert "reserved" in reserved.content.decode()
    assert not Tenant.objects.filter(slug__in=["foxtrot", "www"]).exists()


def test_signup_is_rate_limited_and_refuses_bots(
    session_tenants: dict[str, TenantUnderTest], settings: Any
) -> None:
    settings.SIGNUP_RATE_PER_IP_PER_HOUR = 1
    client = Client(HTTP_HOST=PLATFORM)
    bot = client.post("/signup/", _signup_data(slug="golf", website="x"))
    assert bot.status_code == 400
    assert not Tenant.objects.filter(slug="golf").exists()
    assert client.post("/signup/", _signup_data(slug="hotel")).status_code == 302
    limited = client.post("/signup/", _signup_data(slug="india", email="i@india.example"))
    assert limited.status_code == 429
    assert not Tenant.objects.filter(slug="india").exists()


def test_slug_availability_is_checked_while_typing(
    session_tenants: dict[str, TenantUnderTest],
) -> None:
    client = Client(HTTP_HOST=PLATFORM)
    assert "is available" in client.get("/signup/check/?slug=juliet").content.decode()
    assert "already taken" in client.get("/signup/check/?slug=alpha").content.decode()
    assert "Use only lowercase" in client.get("/signup/check/?slug=Bad_Slug!").content.decode()


def test_landing_page_shows_the_plans(db: None) -> None:
    html = Client(HTTP_HOST=PLATFORM).get("/").content.decode()
    assert "Pricing" in html
    assert "Business" in html


def test_repeated_wrong_passwords_lock_the_account_and_warn_the_owner(
    in_alpha: TenantUnderTest, settings: Any
) -> None:
    settings.LOGIN_LOCK_AFTER_FAILURES = 3
    CustomerFactory.create(email="lock@example.com")
    client = in_alpha.client()
    for _attempt in range(3):
        client.post("/accounts/login/", {"login": "lock@example.com", "password": "wrong"})
    locked = client.post(
        "/accounts/login/", {"login": "lock@example.com", "password": "pass-word-123"}
    )
    assert "locked" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    warnings = Notification.objects.filter(event_kind="account.locked")
    assert [w.address for w in warnings] == ["lock@example.com"]
    # When the lock expires, the right password works again.
    from django.core.cache import cache

    cache.delete("login-locked:lock@example.com")
    opened = client.post(
        "/accounts/login/", {"login": "lock@example.com", "password": "pass-word-123"}
    )
    assert opened.status_code == 302
    assert opened["Location"] == "/tickets/"


def test_a_lock_in_one_tenant_does_not_lock_the_same_address_in_another(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest, settings: Any
) -> None:
    settings.LOGIN_LOCK_AFTER_FAILURES = 2
    for tenant in (tenant_a, tenant_b):
        with schema_context(tenant.tenant.schema_name):
            CustomerFactory.create(email="same@example.com")
    for _attempt in range(2):
        tenant_a.client().post(
            "/accounts/login/", {"login": "same@example.com", "password": "wrong"}
        )
    locked_on_a = tenant_a.client().post(
        "/accounts/login/", {"login": "same@example.com", "password": "pass-word-123"}
    )
    assert locked_on_a.status_code == 200  # the form again, with the lock message
    response = tenant_b.client().post(
        "/accounts/login/", {"login": "same@example.com", "password": "pass-word-123"}
    )
    assert response.status_code == 302


def test_idle_sessions_end_after_the_tenants_timeout(in_alpha: TenantUnderTest, agent: Any) -> None:
    client = in_alpha.signed_in_client(agent.user.email, "pass-word-123")
    assert client.get("/console/").status_code == 200
    session = client.session
    session[IDLE_SESSION_KEY] = time.time() - 3 * 3600  # default timeout: 120 minutes
    session.save()
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_tenant_language_is_the_default_and_a_person_can_choose_another(
    in_alpha: TenantUnderTest,
) -> None:
    tenant = in_alpha.tenant
    tenant.language = "fa"
    tenant.save(update_fields=["language"])
    try:
        from tenants.routing import router

        router.clear()
        client = in_alpha.client()
        page = client.get("/")
        assert 'dir="rtl"' in page.content.decode()
        client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
        assert 'lang="zh-hans"' in client.get("/").content.decode()
        CustomerFactory.create(email="pref@example.com")
        signed_in = in_alpha.signed_in_client("pref@example.com", "pass-word-123")
        signed_in.post("/i18n/setlang/", {"language": "pl", "next": "/"})
        assert User.objects.get(email="pref@example.com").language == "pl"
    finally:
        tenant.language = "en"
        tenant.save(update_fields=["language"])
        router.clear()


def test_persian_users_may_choose_jalali_dates(in_alpha: TenantUnderTest) -> None:
    from datetime import UTC, datetime

    from django.template import Context, Template
    from django.test import RequestFactory

    user = CustomerFactory.create(email="jalali@example.com").user
    assert user is not None
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load caseway %}{% when moment 'date' %}")
    moment = datetime(2026, 3, 21, 12, 0, tzinfo=UTC)  # Nowruz 1405
    user.calendar = "jalali"
    assert template.render(Context({"request": request, "moment": moment})) == "1405/01/01"
    user.calendar = "gregorian"
    assert "2026" in template.render(Context({"request": request, "moment": moment}))
