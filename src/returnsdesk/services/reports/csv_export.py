"""The report's tables as CSV, safe to open in a spreadsheet.

Spreadsheets run a cell that starts with ``= + - @`` as a formula (and some also after a
leading tab or carriage return), so such cells get a leading apostrophe: the text reads the
same and nothing executes. Every such cell is treated alike, a negative number included:
telling "-2" from "-2+cmd|..." safely is not worth the risk.
"""

from __future__ import annotations

import csv
import io

from returnsdesk.services.reports.content import Table

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    if cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell


def table_csv(table: Table) -> str:
    """One table as CSV text (header row first), every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in table.columns])
    writer.writerows([neutralise(c) for c in row] for row in table.rows)
    return buffer.getvalue()
