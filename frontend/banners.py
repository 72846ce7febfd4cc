"""Notices shown at the top of every page of a host: maintenance, billing trouble and
the like. Each provider looks at the request and returns the banners that apply;
providers are listed here, in the interface layer, and call down into the features."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class Banner:
    text: str
    level: str = "warning"  # info, warning, error
    link: str = ""
    link_text: str = ""


BannerProvider = Callable[[HttpRequest], list[Banner]]


def maintenance_banner(request: HttpRequest) -> list[Banner]:
    """The tenant admin suspended the ticketing system: say so on every page."""
    from django.utils.translation import gettext as _

    from tenants.services import tenant_in_maintenance

    tenant = getattr(request, "tenant", None)
    if getattr(tenant, "schema_name", "public") == "public" or not tenant_in_maintenance(tenant):
        return []
    message = tenant.settings.maintenance_message.strip()  # type: ignore[union-attr]
    return [
        Banner(
            text=message
            or _("The help desk is in maintenance. New tickets cannot be submitted right now.")
        )
    ]


def _billing(request: HttpRequest) -> list[Banner]:
    from frontend.billing.banners import billing_banners

    return billing_banners(request)


PROVIDERS: list[BannerProvider] = [maintenance_banner, _billing]


def page_banners(request: HttpRequest) -> list[Banner]:
    banners: list[Banner] = []
    for provider in PROVIDERS:
        banners.extend(provider(request))
    return banners
