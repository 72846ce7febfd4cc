"""JSON out of the API: DRF's ``JSONRenderer`` output, written by orjson.

A 50-row ticket page took the standard library's encoder about half a millisecond, as
much as the rest of the API layer's per-request work besides the query. orjson writes
the same JSON (compact, UTF-8, ``\\u2028``/``\\u2029`` escaped) several times faster.
What orjson would write differently goes through DRF's own encoder instead: date and time
values (DRF's ``Z`` for UTC), and anything orjson does not know (lazy translations,
decimals, query sets) through ``default``; whatever orjson refuses outright (integers
beyond 64 bits) falls back to the standard renderer. Pretty-printing (``; indent=N``)
also takes the standard path. One difference remains: a float NaN or infinity, which DRF
refuses with an error (nothing the API returns holds one), is written as ``null``.
"""

from __future__ import annotations

from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = (
    orjson.OPT_PASSTHROUGH_DATETIME  # DRF's encoder writes them (UTC as "Z")
    | orjson.OPT_PASSTHROUGH_DATACLASS  # as DRF would: through its encoder
    | orjson.OPT_NON_STR_KEYS  # integer keys become strings, as json.dumps makes them
)
_LINE_SEPARATOR = "\u2028".encode()
_PARAGRAPH_SEPARATOR = "\u2029".encode()

_drf_encoder = JSONEncoder()


def _default(value: Any) -> Any:
    return _drf_encoder.default(value)


class ApiJSONRenderer(JSONRenderer):
    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        fast = (
            self.compact
            and not self.ensure_ascii
            and self.get_indent(accepted_media_type, renderer_context or {}) is None
        )
        if not fast:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=_default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        if _LINE_SEPARATOR in body or _PARAGRAPH_SEPARATOR in body:
            # JSON allows them raw, JavaScript string literals do not: DRF escapes them.
            body = body.replace(_LINE_SEPARATOR, b"\\u2028").replace(
                _PARAGRAPH_SEPARATOR, b"\\u2029"
            )
        return body
