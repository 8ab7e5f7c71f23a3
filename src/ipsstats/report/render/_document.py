"""An immutable document model that every renderer of ipsstats understands.

A result is rendered by describing it as a :class:`Document` made of blocks (sections,
paragraphs, tables, lists, figures) and passing it to a renderer: ``to_text``,
``to_markdown``, ``to_html`` or ``to_json``. Blocks hold plain text only; renderers are
responsible for escaping it for their format, so text taken from data (group labels, field
names) can never become markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypeAlias

import attrs

from ipsstats._arrays import fail

__all__ = [
    "Alignment",
    "Block",
    "BulletList",
    "Document",
    "Figure",
    "KeyValues",
    "Note",
    "Paragraph",
    "Section",
    "Table",
    "clean_text",
]

Alignment: TypeAlias = Literal["left", "right"]

_ALIGNMENTS: tuple[Alignment, ...] = ("left", "right")
# C0 and C1 control characters and DEL, plus the Unicode bidirectional embedding, override
# and isolate controls, which can make a terminal or browser show text in a misleading order.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("\r\n|[\t\n\r\x85\u2028\u2029]")
_SVG_START = re.compile(r"\s*<(\?xml|svg)[\s>]", re.IGNORECASE)
_REPLACEMENT = "\N{REPLACEMENT CHARACTER}"


def clean_text(text: object) -> str:
    r"""Return `text` as one line of safe plain text.

    Tabs and line breaks become spaces; other control characters (including terminal escape
    sequences) and bidirectional override characters become U+FFFD, the replacement
    character. Every renderer applies this to every piece of text before escaping it.

    Parameters
    ----------
    text : object
        The text; ``None`` gives an empty string, anything else is passed to ``str``.

    Returns
    -------
    str
        The cleaned text, on a single line.

    Examples
    --------
    >>> clean_text("Not\nknown")
    'Not known'
    >>> clean_text(None)
    ''
    """
    if text is None:
        return ""
    return _UNSAFE.sub(_REPLACEMENT, _LINE_BREAKS.sub(" ", str(text)))


def _text(value: object) -> str:
    """Attrs converter for text fields: ``None`` becomes ``""``, everything else ``str``."""
    return "" if value is None else str(value)


def _texts(value: Iterable[object], name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Iterable):
        raise fail(name, "be a sequence of strings", type(value).__name__)
    return tuple(_text(item) for item in value)


def _header(value: Iterable[object]) -> tuple[str, ...]:
    return _texts(value, "header")


def _notes(value: Iterable[object]) -> tuple[str, ...]:
    return _texts(value, "notes")


def _items(value: Iterable[object]) -> tuple[str, ...]:
    return _texts(value, "items")


def _pairs(value: Mapping[Any, Any] | Iterable[tuple[Any, Any]]) -> tuple[tuple[str, str], ...]:
    """Attrs converter: a mapping or an iterable of ``(key, value)`` pairs, kept in order."""
    items = value.items() if isinstance(value, Mapping) else value
    pairs: list[tuple[str, str]] = []
    for position, item in enumerate(items):
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise fail(
                "items",
                "be a mapping or a sequence of (key, value) pairs",
                f"{item!r} at position {position}",
            )
        key, text = item
        pairs.append((_text(key), _text(text)))
    return tuple(pairs)


def _blocks(value: Iterable[Block] | Block) -> tuple[Block, ...]:
    """Attrs converter for ``blocks``: a tuple whose items are all document blocks."""
    if isinstance(value, (str, *_BLOCK_TYPES)):
        value = (value,)
    blocks = tuple(value)
    for position, block in enumerate(blocks):
        if not isinstance(block, _BLOCK_TYPES):
            raise fail(
                "blocks",
                "hold only Section, Paragraph, Note, BulletList, KeyValues, Table or Figure",
                f"{type(block).__name__} at position {position}",
                hint="wrap plain strings in Paragraph(text=...).",
            )
    return blocks


def _rows(value: Iterable[Iterable[object]]) -> tuple[tuple[str, ...], ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise fail("rows", "be a sequence of rows", type(value).__name__)
    rows = []
    for position, row in enumerate(value):
        if isinstance(row, str) or not isinstance(row, Iterable):
            raise fail("rows", "hold one sequence of cells per row", f"{row!r} at row {position}")
        rows.append(tuple(_text(cell) for cell in row))
    return tuple(rows)


def _alignments(value: Iterable[str]) -> tuple[Alignment, ...]:
    aligned: list[Alignment] = []
    for position, item in enumerate(value):
        if item not in _ALIGNMENTS:
            raise fail("align", "hold only 'left' or 'right'", f"{item!r} at column {position}")
        aligned.append("left" if item == "left" else "right")
    return tuple(aligned)


def _as_dict(block: Block) -> dict[str, Any]:
    kind = type(block).__name__.lower()
    fields: dict[str, Any] = {"type": kind}
    for field in attrs.fields(type(block)):
        value = getattr(block, field.name)
        if field.name == "blocks":
            value = [_as_dict(child) for child in value]
        elif isinstance(value, tuple):
            value = [list(item) if isinstance(item, tuple) else item for item in value]
        fields[field.name] = value
    return fields


@attrs.frozen(kw_only=True)
class Paragraph:
    """A paragraph of plain text.

    Parameters
    ----------
    text : str
        Plain text; never markup (renderers escape it). Line breaks become spaces.
    emphasis : bool, default False
        Render with strong emphasis (bold in Markdown and HTML).
    """

    text: str = attrs.field(converter=_text)
    emphasis: bool = False


@attrs.frozen(kw_only=True)
class Note:
    """A short note or caveat, rendered with a leading label such as ``Caveat:``.

    Parameters
    ----------
    text : str
        Plain text of the note.
    kind : {"note", "caveat"}, default "note"
        ``"caveat"`` marks a limitation of validity (for example small expected counts);
        HTML renders it as a highlighted box.
    """

    text: str = attrs.field(converter=_text)
    kind: Literal["note", "caveat"] = attrs.field(default="note")

    @kind.validator
    def _check_kind(self, _attribute: attrs.Attribute[str], value: str) -> None:
        if value not in ("note", "caveat"):
            raise fail("kind", "be 'note' or 'caveat'", repr(value))

    @property
    def label(self) -> str:
        """The label printed before the text: ``"Note"`` or ``"Caveat"``."""
        return self.kind.capitalize()


@attrs.frozen(kw_only=True)
class BulletList:
    """An unordered list of short plain-text items.

    Parameters
    ----------
    items : sequence of str
        The items, in order.
    """

    items: tuple[str, ...] = attrs.field(converter=_items)


@attrs.frozen(kw_only=True)
class KeyValues:
    """A definition list of labelled values, such as ``Rows read: 539``.

    Parameters
    ----------
    items : mapping or sequence of (str, str) pairs
        Labels and their values, in display order (duplicates are kept).
    """

    items: tuple[tuple[str, str], ...] = attrs.field(converter=_pairs)


@attrs.frozen(kw_only=True)
class Table:
    """A table of already formatted text cells.

    Parameters
    ----------
    header : sequence of str
        Column headings; at least one column.
    rows : sequence of sequences of str
        Body rows, each with one cell per column. ``None`` cells become empty; other
        non-strings are passed to ``str`` (format numbers first, for example with
        :func:`format_number` or :func:`percent_cell`).
    caption : str, default ""
        Title shown above the table.
    notes : sequence of str, default ()
        Footnotes shown below the table.
    align : sequence of {"left", "right"}, optional
        Alignment of each column. Default: the first column left and the others right,
        as in journal tables of counts.
    row_header : bool, default True
        Whether the first cell of each row labels the row.

    Raises
    ------
    InvalidInputError
        If the header is empty, a row or `align` does not have one entry per column, or an
        alignment is not ``"left"`` or ``"right"``.

    Examples
    --------
    >>> table = Table(header=("Ethnicity", "n (%)"), rows=[("White", "134 (36.7)")])
    >>> table.align
    ('left', 'right')
    """

    header: tuple[str, ...] = attrs.field(converter=_header)
    rows: tuple[tuple[str, ...], ...] = attrs.field(converter=_rows)
    caption: str = attrs.field(default="", converter=_text)
    notes: tuple[str, ...] = attrs.field(default=(), converter=_notes)
    align: tuple[Alignment, ...] = attrs.field(default=(), converter=_alignments)
    row_header: bool = True

    def __attrs_post_init__(self) -> None:
        width = len(self.header)
        if width == 0:
            raise fail("header", "name at least one column", "an empty header")
        for position, row in enumerate(self.rows):
            if len(row) != width:
                raise fail(
                    "rows",
                    f"have {width} cells in every row (one per header column)",
                    f"{len(row)} cells in row {position}",
                )
        if not self.align:
            object.__setattr__(self, "align", ("left",) + ("right",) * (width - 1))
        elif len(self.align) != width:
            raise fail("align", f"have {width} entries (one per column)", str(len(self.align)))


@attrs.frozen(kw_only=True)
class Figure:
    """A figure: trusted SVG markup from ipsstats' own plotting code, or why it is missing.

    Parameters
    ----------
    svg : str or None
        An SVG image starting with ``<svg`` or an ``<?xml`` prolog; ``None`` when the figure
        could not be drawn. Only the HTML renderer embeds it, after removing any script.
    caption : str
        What the figure shows.
    unavailable_reason : str, default ""
        Why `svg` is ``None``, for example ``"matplotlib is not installed"``.

    Raises
    ------
    InvalidInputError
        If `svg` is given but does not start with ``<svg`` or ``<?xml``.
    """

    svg: str | None = attrs.field()
    caption: str = attrs.field(converter=_text)
    unavailable_reason: str = attrs.field(default="", converter=_text)

    @svg.validator
    def _check_svg(self, _attribute: attrs.Attribute[str | None], value: str | None) -> None:
        if value is not None and not (isinstance(value, str) and _SVG_START.match(value)):
            raise fail(
                "svg",
                "be None or SVG markup starting with '<svg' or '<?xml'",
                repr(value)[:40],
            )


@attrs.frozen(kw_only=True)
class Section:
    """A titled group of blocks; sections nest (their headings go one level deeper).

    Parameters
    ----------
    title : str
        The section heading.
    blocks : sequence of blocks
        Paragraphs, notes, lists, key-value lists, tables, figures and subsections.
    """

    title: str = attrs.field(converter=_text)
    blocks: tuple[Block, ...] = attrs.field(default=(), converter=_blocks)


Block: TypeAlias = Section | Paragraph | Note | BulletList | KeyValues | Table | Figure
_BLOCK_TYPES = (Section, Paragraph, Note, BulletList, KeyValues, Table, Figure)


@attrs.frozen(kw_only=True)
class Document:
    """A complete document: a title, its blocks and metadata about how it was made.

    Parameters
    ----------
    title : str
        The document title.
    blocks : sequence of blocks
        The content, in order.
    metadata : mapping or sequence of (str, str) pairs, default ()
        Provenance shown in a footer, e.g. ``{"Generated by": "ipsstats 0.1.0"}``.

    Examples
    --------
    >>> from ipsstats.report.render import Document, Paragraph, to_text
    >>> doc = Document(title="Equity report", blocks=[Paragraph(text="No difference.")])
    >>> print(to_text(doc))
    Equity report
    =============
    <BLANKLINE>
    No difference.
    """

    title: str = attrs.field(converter=_text)
    blocks: tuple[Block, ...] = attrs.field(default=(), converter=_blocks)
    metadata: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)

    def to_dict(self) -> dict[str, Any]:
        """Return the document as JSON-safe nested dictionaries.

        Each block becomes a dictionary with a ``"type"`` key (``"section"``,
        ``"paragraph"``, ``"note"``, ``"bulletlist"``, ``"keyvalues"``, ``"table"`` or
        ``"figure"``) and its fields; pairs and rows become lists.
        """
        return {
            "type": "document",
            "title": self.title,
            "metadata": [list(pair) for pair in self.metadata],
            "blocks": [_as_dict(block) for block in self.blocks],
        }
