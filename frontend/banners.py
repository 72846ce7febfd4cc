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

PROVIDERS: list[BannerProvider] = []


def page_banners(request: HttpRequest) -> list[Banner]:
    banners: list[Banner] = []
    for provider in PROVIDERS:
        banners.extend(provider(request))
    return banners
