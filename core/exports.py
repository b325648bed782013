"""CSV exports that open cleanly in a spreadsheet and cannot run as one.

UTF-8 with a byte-order mark (so Excel detects the encoding), CRLF rows, RFC 4180 quoting. Text
cells that a spreadsheet would evaluate as a formula are prefixed with an apostrophe (OWASP's
CSV-injection advice); numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime

from db.captions import FORMULA_TRIGGERS

BOM = "\ufeff"


def neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return neutralise(value)


def rows_to_csv(header: Sequence[str], rows: Iterable[Sequence[object]], already_safe: bool = False) -> bytes:
    """``already_safe``: the rows come from a query that neutralised its text (db.captions.formula_safe)."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows if already_safe else ([_cell(v) for v in row] for row in rows))
    return buffer.getvalue().encode("utf-8")
