"""CSV files an instructor opens in a spreadsheet: one writer, and formula cells neutralised.

Every CSV the grader writes (``grades.csv``, the gradebooks, ``manual-grades.csv``,
``mapping.csv``) goes through :func:`write_csv`. A text cell a spreadsheet would read as a formula
(OWASP, "CSV Injection": https://owasp.org/www-community/attacks/CSV_Injection) gets a leading
apostrophe, which spreadsheets read as "text": a cell that starts, after any spaces, with ``=``,
``+``, ``-``, ``@``, a tab, a carriage return or a line feed, or their full-width forms (＝ ＋ －
＠, which some spreadsheets fold to the ASCII ones). A cell that already starts with an apostrophe
gets one more, so the rule is reversible: :func:`restore` removes exactly one leading apostrophe
(the one rule for reading back what the grader wrote, e.g. ``manual-grades.csv``). So a student
folder named ``=HYPERLINK(...)`` is written as ``'=HYPERLINK(...)``: the name is all there, and no
spreadsheet runs it. Numbers stay numbers: ints and floats, and text that is a plain decimal number
(``-3``, ``+2.5``, ``1e3``), are written unchanged.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

FORMULA = tuple("=+-@\t\r\n") + ("\uff1d", "\uff0b", "\uff0d", "\uff20")  # ASCII and full-width
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise(cell):
    """``cell`` as written to a CSV: formula-like text prefixed with ``'``; anything else unchanged."""
    if not isinstance(cell, str) or _NUMBER.fullmatch(cell):
        return cell
    if cell.lstrip(" ").startswith(FORMULA) or cell.startswith("'"):
        return "'" + cell
    return cell


def restore(cell: str) -> str:
    """The original of a cell :func:`neutralise` wrote (one leading apostrophe removed)."""
    return cell[1:] if isinstance(cell, str) and cell.startswith("'") else cell


def write_csv(path, header, rows) -> None:
    """Write a CSV atomically (a temporary file renamed over ``path``), every cell neutralised."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        if header:
            writer.writerow([neutralise(c) for c in header])
        writer.writerows([neutralise(c) for c in row] for row in rows)
    os.replace(tmp, path)
