"""CSV exports that open cleanly in a spreadsheet and cannot run as one.

UTF-8 with a byte-order mark (so Excel detects the encoding), CRLF rows, RFC 4180 quoting. Text
cells that a spreadsheet would evaluate as a formula are prefixed with an apostrophe (OWASP's
CSV-injection advice); numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import IO

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
    buffer = io.BytesIO()
    write_csv(buffer, header, rows, already_safe)
    return buffer.getvalue()


def csv_header(header: Sequence[str]) -> bytes:
    """The byte-order mark and the header row, as ``write_csv`` starts a file."""
    buffer = io.StringIO()
    buffer.write(BOM)
    csv.writer(buffer, lineterminator="\r\n").writerow(header)
    return buffer.getvalue().encode("utf-8")


Progress = Callable[[int, int | None], None]
PROGRESS_EVERY = 10_000  # rows between two progress reports


def write_csv(
    target: IO[bytes],
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    already_safe: bool = False,
    progress: Progress | None = None,
    total: int | None = None,
) -> int:
    """Write the CSV to ``target`` as the rows arrive (memory stays flat however many there are);
    return how many rows were written."""
    text = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=False)
    try:
        text.write(BOM)
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(header)
        count = 0
        batch: list[Sequence[object]] = []
        for row in rows:
            batch.append(row if already_safe else [_cell(v) for v in row])
            if len(batch) == PROGRESS_EVERY:
                writer.writerows(batch)
                count += len(batch)
                batch.clear()
                if progress:
                    progress(count, total)
        writer.writerows(batch)
        count += len(batch)
        text.flush()
    finally:
        text.detach()  # the caller owns ``target``: leave it open
    if progress:
        progress(count, total)
    return count
