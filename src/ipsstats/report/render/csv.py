"""CSV export of a :class:`~ipsstats.report.render.Table`, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import re

from ipsstats._arrays import fail
from ipsstats.report.render._document import Table

__all__ = ["neutralise_formula", "to_csv"]

# A plain decimal number such as "-1.5", "+3", "1e-4" or ".5": a spreadsheet reads it as
# that number, never as a formula, so it is written unchanged.
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(cell: str) -> str:
    """Stop a spreadsheet from reading a cell as a formula.

    A cell is prefixed with a single quote (``'``) when, after any leading spaces and line
    breaks, it starts with ``=``, ``+``, ``-`` or ``@``, or when it starts with a tab or
    carriage return, unless the whole cell is a plain decimal number (such as ``-1.5``,
    ``+3`` or ``2e-4``), which a spreadsheet reads as that number. These are the
    characters that start a formula in common spreadsheet programs [1]_.

    Parameters
    ----------
    cell : str
        The cell text.

    Returns
    -------
    str
        The cell, prefixed with ``'`` if it could be read as a formula.

    References
    ----------
    .. [1] OWASP Foundation. *CSV Injection*.
       https://owasp.org/www-community/attacks/CSV_Injection

    Examples
    --------
    >>> neutralise_formula("=1+1")
    "'=1+1"
    >>> neutralise_formula("-1.5")
    '-1.5'
    >>> neutralise_formula("-A1")
    "'-A1"
    """
    if _NUMBER.fullmatch(cell):
        return cell
    if cell.startswith(_TRIGGERS) or cell.lstrip(" \n").startswith(_TRIGGERS):
        return "'" + cell
    return cell


def to_csv(table: Table) -> str:
    """Write a table as CSV text (RFC 4180), safe to open in a spreadsheet.

    Parameters
    ----------
    table : Table
        The table; its header is the first record. The caption and notes are not written.

    Returns
    -------
    str
        Comma-separated records ending in CRLF, quoted where needed (commas, quotes, line
        breaks). Every cell, header included, passes through :func:`neutralise_formula`.

    Raises
    ------
    InvalidInputError
        If `table` is not a :class:`Table`.

    Examples
    --------
    >>> from ipsstats.report.render import Table
    >>> table = Table(header=("Group", "Change"), rows=[("=HYPERLINK(1)", "-1.5")])
    >>> to_csv(table).splitlines()
    ['Group,Change', "'=HYPERLINK(1),-1.5"]
    """
    if not isinstance(table, Table):
        raise fail("table", "be an ipsstats.report.render.Table", type(table).__name__)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in (table.header, *table.rows):
        writer.writerow([neutralise_formula(cell) for cell in row])
    return buffer.getvalue()
