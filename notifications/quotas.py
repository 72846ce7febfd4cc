"""Quotas on SMS, set by whoever sells them (billing registers in its ``ready``), so
notifications need not import billing. With nothing registered every SMS may go."""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

#: schema name → may one more SMS be sent now?
AllowedCheck = Callable[[str], bool]
#: schema name → one SMS was sent.
SentRecorder = Callable[[str], None]

_allowed: list[AllowedCheck] = []
_sent: list[SentRecorder] = []


def register(*, allowed: AllowedCheck, sent: SentRecorder) -> None:
    if allowed not in _allowed:
        _allowed.append(allowed)
    if sent not in _sent:
        _sent.append(sent)


def sms_allowed(schema_name: str) -> bool:
    return all(check(schema_name) for check in _allowed)


def sms_sent(schema_name: str) -> None:
    for record in _sent:
        try:
            record(schema_name)
        except Exception:  # counting must never turn a sent SMS into a failed one
            logger.exception("recording an SMS for %s failed", schema_name)
