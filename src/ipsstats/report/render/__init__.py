"""Rendering of ipsstats results and reports as text, Markdown, HTML, CSV and JSON.

Describe what to show as a :class:`Document` of blocks (sections, paragraphs, notes, lists,
key-value lists, tables and figures) holding plain text, then render it. Every renderer
escapes text for its own format, so labels taken from the data are always shown as text.

Examples
--------
>>> from ipsstats.report.render import Document, Table, percent_cell, to_markdown
>>> table = Table(header=("Ethnicity", "n (%)"), rows=[("White", percent_cell(134, 365))])
>>> print(to_markdown(Document(title="Access", blocks=[table])))
# Access
<BLANKLINE>
| Ethnicity | n (%) |
| :--- | ---: |
| White | 134 (36.7) |
<BLANKLINE>
"""

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
from ipsstats.report.render._format import format_number, format_pvalue, percent_cell
from ipsstats.report.render.csv import neutralise_formula, to_csv
from ipsstats.report.render.html import sanitize_svg, to_html
from ipsstats.report.render.json import to_json
from ipsstats.report.render.markdown import escape_markdown, to_markdown
from ipsstats.report.render.text import display_width, to_text

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
    "display_width",
    "escape_markdown",
    "format_number",
    "format_pvalue",
    "neutralise_formula",
    "percent_cell",
    "sanitize_svg",
    "to_csv",
    "to_html",
    "to_json",
    "to_markdown",
    "to_text",
]
