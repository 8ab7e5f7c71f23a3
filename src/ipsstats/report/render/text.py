"""Plain-text (terminal) rendering of a :class:`~ipsstats.report.render.Document`."""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Sequence

from ipsstats._arrays import fail
from ipsstats.report.render._document import (
    Alignment,
    Block,
    BulletList,
    Document,
    Figure,
    KeyValues,
    Note,
    Paragraph,
    Section,
    Table,
    clean_text,
)

__all__ = ["display_width", "to_text"]

_UNDERLINES = ("=", "-", "~", ".")
_GAP = "  "
_MIN_WIDTH = 20
# A left-aligned last column wider than this holds sentences: wrapped to fit the width.
_SENTENCE = 60


def display_width(text: str) -> int:
    """Return the number of terminal columns `text` occupies.

    East Asian wide and full-width characters take two columns; combining marks and
    zero-width format characters take none; every other character takes one.

    Parameters
    ----------
    text : str
        One line of text.

    Returns
    -------
    int
        The display width.

    Examples
    --------
    >>> display_width("White")
    5
    >>> display_width("日本")
    4
    """
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _pad(text: str, width: int, align: Alignment) -> str:
    space = " " * (width - display_width(text))
    return space + text if align == "right" else text + space


def _wrap(text: str, width: int, *, first: str = "", rest: str = "") -> list[str]:
    lines = textwrap.wrap(
        clean_text(text),
        width=width,
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,
    )
    return lines or [first.rstrip()]


def _heading(title: str, level: int, width: int) -> list[str]:
    lines = _wrap(title, width)
    rule = _UNDERLINES[min(level, len(_UNDERLINES) - 1)]
    return [*lines, rule * max(display_width(line) for line in lines)]


def _table(table: Table, width: int) -> list[str]:
    grid = [tuple(clean_text(cell) for cell in row) for row in (table.header, *table.rows)]
    widths = [max(display_width(row[k]) for row in grid) for k in range(len(table.header))]
    lines = _table_lines(grid, widths, table.align)
    room = width - sum(widths[:-1]) - len(_GAP) * (len(widths) - 1)
    if (
        sum(widths) + len(_GAP) * (len(widths) - 1) > width
        and table.align[-1] == "left"
        and widths[-1] > _SENTENCE
    ):
        # a ragged last column of long text (such as sentences) wraps within the width
        widths[-1] = max(room, _MIN_WIDTH)
        lines = []
        for row in grid:
            pieces = _wrap(row[-1], widths[-1]) if row[-1] else [""]
            for k, piece in enumerate(pieces):
                cells = row[:-1] if k == 0 else ("",) * (len(row) - 1)
                lines += _table_lines([(*cells, piece)], widths, table.align)
        head = len(_wrap(grid[0][-1], widths[-1]) if grid[0][-1] else [""])
        lines = ["\n".join(lines[:head]), *lines[head:]]
    if table.align[-1] == "left":  # drop the padding after a ragged last column
        lines = [line.rstrip(" ") for line in lines]
    rule = "-" * (sum(widths) + len(_GAP) * (len(widths) - 1))
    out = _wrap(table.caption, width) if table.caption else []
    out += [rule, lines[0], rule, *lines[1:], rule]
    for note in table.notes:
        out += _wrap(note, width)
    return out


def _table_lines(
    grid: Sequence[Sequence[str]], widths: Sequence[int], align: Sequence[Alignment]
) -> list[str]:
    return [
        _GAP.join(_pad(cell, w, a) for cell, w, a in zip(row, widths, align, strict=True))
        for row in grid
    ]


def _key_values(block: KeyValues, width: int) -> list[str]:
    keys = [clean_text(key) + ":" for key, _ in block.items]
    column = max((display_width(key) for key in keys), default=0) + 1
    lines: list[str] = []
    for key, (_, value) in zip(keys, block.items, strict=True):
        first = _pad(key, column, "left")
        lines += _wrap(value, width, first=first, rest=" " * column)
    return lines


def _figure(block: Figure, width: int) -> list[str]:
    if block.svg is None:
        reason = block.unavailable_reason or "no reason given"
        text = f"Figure: {block.caption} (not available: {reason})"
    else:
        text = f"Figure: {block.caption} (shown in the HTML report)"
    return _wrap(text, width)


def _block(block: Block, level: int, width: int) -> list[str]:
    if isinstance(block, Section):
        lines = _heading(block.title, level, width)
        for child in block.blocks:
            lines += ["", *_block(child, level + 1, width)]
        return lines
    if isinstance(block, Paragraph):
        return _wrap(block.text, width)
    if isinstance(block, Note):
        label = f"{block.label}: "
        return _wrap(block.text, width, first=label, rest=" " * len(label))
    if isinstance(block, BulletList):
        return [line for item in block.items for line in _wrap(item, width, first="- ", rest="  ")]
    if isinstance(block, KeyValues):
        return _key_values(block, width)
    if isinstance(block, Table):
        return _table(block, width)
    return _figure(block, width)


def _join(blocks: Sequence[list[str]]) -> str:
    return "\n".join(line for lines in blocks for line in lines)


def to_text(doc: Document, width: int = 100) -> str:
    """Render a document as plain text for a terminal.

    Parameters
    ----------
    doc : Document
        The document.
    width : int, default 100
        Paragraphs, notes and lists are wrapped to this many columns (at least 20).
        Tables are never wrapped, so a wide table keeps its columns aligned and may be
        wider.

    Returns
    -------
    str
        The text, without a trailing newline. The title and section headings are
        underlined (``=``, then ``-``, ``~`` and ``.`` for deeper levels); table columns
        are aligned by display width (wide characters count two); control characters from
        the data, such as terminal escape sequences, are replaced by U+FFFD. Paragraph
        emphasis is not marked in plain text.

    Raises
    ------
    InvalidInputError
        If `doc` is not a :class:`Document` or `width` is not an integer of at least 20.

    Examples
    --------
    >>> from ipsstats.report.render import Document, Table, percent_cell
    >>> table = Table(
    ...     header=("Ethnicity", "n (%)"),
    ...     rows=[("White", percent_cell(134, 365)), ("Other", percent_cell(0, 7))],
    ... )
    >>> print(to_text(Document(title="Access", blocks=[table])))
    Access
    ======
    <BLANKLINE>
    ---------------------
    Ethnicity       n (%)
    ---------------------
    White      134 (36.7)
    Other           0 (0)
    ---------------------
    """
    if not isinstance(doc, Document):
        raise fail("doc", "be an ipsstats.report.render.Document", type(doc).__name__)
    if isinstance(width, bool) or not isinstance(width, int) or width < _MIN_WIDTH:
        raise fail("width", f"be an integer of at least {_MIN_WIDTH}", repr(width))
    parts = [_heading(doc.title, 0, width)]
    parts += [["", *_block(block, 1, width)] for block in doc.blocks]
    if doc.metadata:
        parts.append(["", *_key_values(KeyValues(items=doc.metadata), width)])
    return _join(parts)
