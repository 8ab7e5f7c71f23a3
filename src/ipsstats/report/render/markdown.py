"""GitHub-flavoured Markdown rendering of a :class:`~ipsstats.report.render.Document`."""

from __future__ import annotations

import re

from ipsstats._arrays import fail
from ipsstats.report.render._document import (
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

__all__ = ["escape_markdown", "to_markdown"]

# Characters that start inline markup anywhere in a line: escapes, code spans, emphasis,
# strikethrough, links and images, raw HTML and autolinks, table cell boundaries, and
# heading markers (including a closing sequence of hashes).
_INLINE = re.compile(r"([\\`*_~\[\]<>|#])")
# An ampersand that would start an entity or numeric character reference.
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# Text at the start of a block that Markdown would read as a list item or thematic break
# ("-", "+", or a number followed by "." or ")"); "#", ">" and "*" are escaped everywhere.
_LIST_MARKER = re.compile(r"^([+-]|\d{1,9}(?=[.)]))")
_DEEPEST = 6


def escape_markdown(text: object, *, block_start: bool = False) -> str:
    r"""Escape text so that Markdown shows it literally, on one line.

    Line breaks become spaces and runs of whitespace collapse to one space (Markdown
    would collapse them anyway). Backslashes, backticks, ``*``, ``_``, ``~``, ``[``,
    ``]``, ``<``, ``>``, ``|`` and ``#`` are escaped with a backslash, as is an ``&`` that would
    start a character reference, so the text can neither add a table column nor create
    emphasis, code, links, images or raw HTML.

    Parameters
    ----------
    text : object
        The text (``None`` gives ``""``).
    block_start : bool, default False
        Also escape a leading ``+``, ``-`` or list number (``1.``), for text that starts
        a paragraph or list item.

    Returns
    -------
    str
        The escaped text.

    Notes
    -----
    GitHub also turns bare ``http://``, ``https://`` and ``www.`` addresses into links;
    such a link shows its own address as its text, so it cannot disguise its target.

    Examples
    --------
    >>> print(escape_markdown("a|b *c* [d](e)"))
    a\|b \*c\* \[d\](e)
    >>> print(escape_markdown("- not a list item", block_start=True))
    \- not a list item
    """
    escaped = _INLINE.sub(r"\\\1", " ".join(clean_text(text).split()))
    escaped = _ENTITY.sub(r"\\&", escaped)
    match = _LIST_MARKER.match(escaped) if block_start else None
    if match is None:
        return escaped
    marker = match.group(0)
    if marker[0].isdigit():  # "1." or "1)": escape the delimiter after the number
        return f"{marker}\\{escaped[len(marker) :]}"
    return f"\\{escaped}"


def _opening(text: str) -> str:
    return escape_markdown(text, block_start=True)


def _heading(title: str, level: int) -> str:
    return "#" * min(level, _DEEPEST) + " " + _opening(title)


def _row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(escape_markdown(cell) for cell in cells) + " |"


def _table(table: Table) -> list[str]:
    lines: list[str] = []
    if table.caption:
        lines += [f"**{escape_markdown(table.caption)}**", ""]
    rule = "| " + " | ".join(":---" if a == "left" else "---:" for a in table.align) + " |"
    lines += [_row(table.header), rule, *(_row(row) for row in table.rows)]
    for note in table.notes:
        lines += ["", f"*{escape_markdown(note)}*"]
    return lines


def _strong(text: str) -> str:
    escaped = escape_markdown(text)
    return f"**{escaped}**" if escaped else ""


def _key_values(items: tuple[tuple[str, str], ...]) -> list[str]:
    return [f"- {_strong(key + ':')} {escape_markdown(value)}" for key, value in items]


def _figure(block: Figure) -> list[str]:
    caption = _strong(f"Figure: {block.caption}")
    if block.svg is None:
        reason = escape_markdown(block.unavailable_reason or "no reason given")
        return [f"{caption} (not available: {reason})"]
    return [f"{caption} (shown in the HTML report)"]


def _block(block: Block, level: int) -> list[str]:
    if isinstance(block, Section):
        lines = [_heading(block.title, level)]
        for child in block.blocks:
            lines += ["", *_block(child, level + 1)]
        return lines
    if isinstance(block, Paragraph):
        return [_strong(block.text) if block.emphasis else _opening(block.text)]
    if isinstance(block, Note):
        return [f"> **{block.label}:** {escape_markdown(block.text)}"]
    if isinstance(block, BulletList):
        return [f"- {_opening(item)}" for item in block.items]
    if isinstance(block, KeyValues):
        return _key_values(block.items)
    if isinstance(block, Table):
        return _table(block)
    return _figure(block)


def to_markdown(doc: Document) -> str:
    r"""Render a document as GitHub-flavoured Markdown.

    Parameters
    ----------
    doc : Document
        The document.

    Returns
    -------
    str
        Markdown ending with a newline: the title as a level-1 heading, sections one level
        deeper each (at most level 6), tables as pipe tables with the column alignment,
        captions in bold above and notes in italics below. Every piece of text is escaped
        with :func:`escape_markdown`, so labels from the data cannot break a table or add
        markup. Figures are named with their caption only (SVG is embedded in HTML output).

    Raises
    ------
    InvalidInputError
        If `doc` is not a :class:`Document`.

    Examples
    --------
    >>> from ipsstats.report.render import Document, Table
    >>> table = Table(header=("Group", "n (%)"), rows=[("a|b", "3 (50.0)")])
    >>> print(to_markdown(Document(title="Access", blocks=[table])))
    # Access
    <BLANKLINE>
    | Group | n (%) |
    | :--- | ---: |
    | a\|b | 3 (50.0) |
    <BLANKLINE>
    """
    if not isinstance(doc, Document):
        raise fail("doc", "be an ipsstats.report.render.Document", type(doc).__name__)
    lines = [_heading(doc.title, 1)]
    for block in doc.blocks:
        lines += ["", *_block(block, 2)]
    if doc.metadata:
        lines += ["", "---", ""]
        lines += _key_values(doc.metadata)
    return "\n".join(lines) + "\n"
