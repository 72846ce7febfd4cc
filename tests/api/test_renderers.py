"""The API's orjson renderer writes what DRF's JSONRenderer writes."""

from __future__ import annotations

import datetime
import decimal
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from api.renderers import ApiJSONRenderer

UTC = datetime.UTC
TEHRAN = datetime.timezone(datetime.timedelta(hours=3, minutes=30))


@dataclass
class Point:
    x: int


def _both(data: Any, media_type: str = "application/json") -> tuple[bytes, bytes]:
    return (
        ApiJSONRenderer().render(data, media_type, {}),
        JSONRenderer().render(data, media_type, {}),
    )


PAYLOADS = {
    "ticket page": ReturnList(
        [
            {
                "id": 7,
                "subject": "Drukarka nie działa — 打印机坏了 — چاپگر خراب است",
                "tags": ["vpn", "ładowarka"],
                "custom_fields": {"serial": "AB1234", "count": 3, "ok": True, "none": None},
                "score": 0.1,
                "sla": [],
            }
        ],
        serializer=None,
    ),
    "datetimes, dates and times": {
        "utc": datetime.datetime(2026, 12, 1, 4, 13, 15, 123456, tzinfo=UTC),
        "tehran": datetime.datetime(2026, 12, 1, 7, 43, 15, tzinfo=TEHRAN),
        "naive": datetime.datetime(2026, 12, 1, 4, 13),
        "date": datetime.date(2026, 12, 1),
        "time": datetime.time(9, 30, 5, 250),
        "duration": datetime.timedelta(minutes=90),
    },
    "values orjson does not know": {
        "lazy": gettext_lazy("Service unavailable"),
        "decimal": decimal.Decimal("12.50"),
        "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "tuple": (1, 2),
    },
    "problem with field errors": ReturnDict(
        {
            "type": "https://caseway.dev/problems/invalid_input",
            "status": 422,
            "errors": {"subject": [ErrorDetail("This field is required.", code="required")]},
        },
        serializer=None,
    ),
    "integer keys": {1: "one", 2: {"3": 4}},
    "line and paragraph separators": {"body": "one\u2028two\u2029three"},
    "escapes": {"quote": 'say "hi"\\', "control": "tab\tnew\nline\x01", "slash": "a/b"},
    "integers beyond 64 bits": {"big": 2**70, "small": -(2**70)},
    "empty": {},
}


@pytest.mark.parametrize("name", PAYLOADS)
def test_same_bytes_as_drf(name: str) -> None:
    fast, drf = _both(PAYLOADS[name])
    assert fast == drf


def test_pretty_printing_is_asked_through_the_media_type() -> None:
    fast, drf = _both({"a": [1, 2]}, "application/json; indent=2")
    assert fast == drf
    assert b"\n" in fast


def test_nothing_to_render() -> None:
    assert ApiJSONRenderer().render(None) == b""


@pytest.mark.parametrize("value", [object(), Point(3)], ids=["object", "dataclass"])
def test_what_drf_cannot_write_fails_as_it_does(value: object) -> None:
    for renderer in (ApiJSONRenderer(), JSONRenderer()):
        with pytest.raises(TypeError):
            renderer.render({"x": value}, "application/json", {})
