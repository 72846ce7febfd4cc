"""Every language ships complete: no message is left untranslated or fuzzy."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.test import Client
from django.utils import translation

LOCALE = Path(__file__).resolve().parent.parent / "locale"
CATALOGS = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


def test_the_three_translated_languages_exist() -> None:
    assert {path.parts[-3] for path in CATALOGS} == {"fa", "pl", "zh_Hans"}


@pytest.mark.parametrize("catalog_path", CATALOGS, ids=lambda p: p.parts[-3])
def test_catalog_is_complete(catalog_path: Path) -> None:
    with catalog_path.open("rb") as handle:
        catalog = read_po(handle)
    untranslated = [
        message.id
        for message in catalog
        if message.id
        and (
            message.fuzzy
            or not (
                message.string if isinstance(message.string, str) else all(message.string or ())
            )
        )
    ]
    assert untranslated == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fa", "موقتاً"), ("pl", "Chwilowo"), ("zh-hans", "暂时")],
)
def test_compiled_catalogs_are_used(language: str, expected: str) -> None:
    with translation.override(language):
        assert expected in translation.gettext("Temporarily unavailable")


@pytest.mark.parametrize(
    ("language", "direction", "text"),
    [("fa", "rtl", "میز پشتیبانی"), ("pl", "ltr", "centrum pomocy"), ("zh-hans", "ltr", "服务台")],
)
def test_unknown_host_page_in_each_language(
    db: None, language: str, direction: str, text: str
) -> None:
    response = Client(HTTP_HOST="nosuch.localhost", HTTP_ACCEPT_LANGUAGE=language).get("/")
    body = response.content.decode()
    assert f'dir="{direction}"' in body
    assert text in body
