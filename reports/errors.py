"""Report errors; stable codes."""

from __future__ import annotations

from ticketing.errors import InvalidInput


class ReportRangeInvalid(InvalidInput):
    code = "invalid_report_range"
