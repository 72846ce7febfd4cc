"""CSV export of any report table: the same columns as the page, spreadsheet-safe."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    # A customer's name such as "=HYPERLINK(...)" must not become a formula in Excel.
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def rows_to_csv(*, columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, Any]]) -> str:
    """``columns`` are (key, heading) pairs; a UTF-8 BOM lets Excel read Persian and
    Chinese names correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([heading for _key, heading in columns])
    for row in rows:
        writer.writerow([_cell(row.get(key)) for key, _heading in columns])
    return "\ufeff" + buffer.getvalue()
