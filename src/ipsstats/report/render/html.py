"""Self-contained HTML rendering of a :class:`~ipsstats.report.render.Document`."""

from __future__ import annotations

import html
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
from ipsstats.report.render._svg import sanitize_svg

__all__ = ["sanitize_svg", "to_html"]

_DEEPEST = 6
# A content security policy that forbids scripts and every external resource, so even a
# mistake in escaping could not run code or fetch anything.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_CSS = """
body { font-family: Georgia, "Times New Roman", serif; color: #111; margin: 2em auto;
       max-width: 60em; padding: 0 1em; line-height: 1.45; }
h1, h2, h3, h4, h5, h6 { font-family: Helvetica, Arial, sans-serif; line-height: 1.2; }
table.journal { border-collapse: collapse; margin: 1em 0; border-top: 2px solid #111;
                border-bottom: 2px solid #111; font-variant-numeric: tabular-nums;
                max-width: 100%; font-size: 0.92em; }
table.journal caption { caption-side: top; text-align: left; font-weight: bold;
                        padding-bottom: 0.4em; }
table.journal thead th { border-bottom: 1px solid #111; font-weight: bold;
                         vertical-align: bottom; }
table.journal th, table.journal td { padding: 0.25em 0.6em; overflow-wrap: break-word; }
table.journal td { overflow-wrap: anywhere; }
table.journal tbody th { min-width: 6em; }
div.table { max-width: 100%; }
table.journal tbody th { font-weight: normal; }
.left { text-align: left; }
.right { text-align: right; }
td.light { font-family: Helvetica, Arial, sans-serif; font-weight: bold; white-space: nowrap; }
td.light::before { content: "\\25CF\\00A0"; font-size: 1.2em; }
td.light-red::before { color: #c0392b; }
td.light-amber::before { color: #e69500; }
td.light-green::before { color: #1e8449; }
td.light-not-assessed::before, td.light-for-information::before { color: #888; }
section.headline { border: 2px solid #111; padding: 0 1em 0.5em; background: #f7f7f2; }
section.headline table.journal { width: 100%; }
nav.contents ol { columns: 2; }
p.table-note { font-size: 0.9em; margin: 0.2em 0; }
aside.note { margin: 1em 0; }
aside.caveat { margin: 1em 0; padding: 0.5em 0.8em; border-left: 4px solid #b35900;
               background: #fff4e5; }
dl.values { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dl.values dt { font-weight: bold; }
dl.values dd { margin: 0; }
figure { margin: 1.5em 0; }
figure svg { max-width: 100%; height: auto; }
figure.unavailable p { font-style: italic; }
footer { margin-top: 3em; border-top: 1px solid #999; font-size: 0.9em; }
@page { size: A4; margin: 15mm 14mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  main > section { break-before: page; }
  main > section.headline, main > section.contents { break-before: auto; }
  table.journal, figure, aside, dl.values { break-inside: avoid; }
  thead { display: table-header-group; }
  h2, h3, h4 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""

# A column with this heading holds traffic-light judgements (the report's headline).
_LIGHT_COLUMN = "Judgement"
_LIGHTS = ("red", "amber", "green", "not assessed", "for information")


def _esc(text: object) -> str:
    return html.escape(clean_text(text), quote=True)


def _table(table: Table) -> list[str]:
    lines = ['<div class="table">', '<table class="journal">']
    if table.caption:
        lines.append(f"<caption>{_esc(table.caption)}</caption>")
    header = "".join(
        f'<th scope="col" class="{align}">{_esc(cell)}</th>'
        for cell, align in zip(table.header, table.align, strict=True)
    )
    lines += ["<thead>", f"<tr>{header}</tr>", "</thead>", "<tbody>"]
    lights = [heading == _LIGHT_COLUMN for heading in table.header]
    for row in table.rows:
        cells = []
        for k, (cell, align) in enumerate(zip(row, table.align, strict=True)):
            if k == 0 and table.row_header:
                cells.append(f'<th scope="row" class="{align}">{_esc(cell)}</th>')
            elif lights[k] and cell in _LIGHTS:
                light = "light-" + cell.replace(" ", "-")
                cells.append(f'<td class="{align} light {light}">{_esc(cell)}</td>')
            else:
                cells.append(f'<td class="{align}">{_esc(cell)}</td>')
        lines.append(f"<tr>{''.join(cells)}</tr>")
    lines += ["</tbody>", "</table>"]
    lines += [f'<p class="table-note">{_esc(note)}</p>' for note in table.notes]
    lines.append("</div>")
    return lines


def _key_values(items: tuple[tuple[str, str], ...]) -> list[str]:
    lines = ['<dl class="values">']
    for key, value in items:
        lines += [f"<dt>{_esc(key)}</dt>", f"<dd>{_esc(value)}</dd>"]
    lines.append("</dl>")
    return lines


def _figure(block: Figure) -> list[str]:
    caption = f"<figcaption>{_esc(block.caption)}</figcaption>"
    svg = None if block.svg is None else sanitize_svg(block.svg)
    if svg is not None:
        return ["<figure>", svg, caption, "</figure>"]
    if block.svg is None:
        reason = block.unavailable_reason or "no reason given"
    else:
        reason = "the image is not valid SVG markup"
    return [
        '<figure class="unavailable">',
        f"<p>Figure not available: {_esc(reason)}.</p>",
        f'<p class="not-shown">Not shown: {_esc(block.caption)}.</p>',
        "</figure>",
    ]


def _anchor(title: str) -> str:
    """Return the HTML id of a top-level section: its title's words, lower case, joined by -."""
    words = re.findall(r"[a-z0-9]+", clean_text(title).lower())
    return "section-" + "-".join(words)


def _contents(block: BulletList, anchors: dict[str, str]) -> list[str]:
    items = []
    for item in block.items:
        text = _esc(item)
        anchor = anchors.get(item)
        items.append(f'<li><a href="#{anchor}">{text}</a></li>' if anchor else f"<li>{text}</li>")
    return ['<nav class="contents" aria-label="Contents">', "<ol>", *items, "</ol>", "</nav>"]


def _top_section(block: Section, anchors: dict[str, str]) -> list[str]:
    """Render a top-level section with an id, and its contents list as links."""
    kind = re.sub(r"[^a-z]+", "-", block.title.lower()).strip("-")
    classes = kind if kind in ("headline", "contents") else ""
    opening = f'<section id="{_esc(anchors[block.title])}"'
    opening += f' class="{classes}">' if classes else ">"
    lines = [opening, f"<h2>{_esc(block.title)}</h2>"]
    for child in block.blocks:
        if block.title == "Contents" and isinstance(child, BulletList):
            lines += _contents(child, anchors)
        else:
            lines += _block(child, 3)
    return [*lines, "</section>"]


def _block(block: Block, level: int) -> list[str]:
    if isinstance(block, Section):
        tag = f"h{min(level, _DEEPEST)}"
        lines = ["<section>", f"<{tag}>{_esc(block.title)}</{tag}>"]
        for child in block.blocks:
            lines += _block(child, level + 1)
        return [*lines, "</section>"]
    if isinstance(block, Paragraph):
        text = _esc(block.text)
        return [f"<p><strong>{text}</strong></p>" if block.emphasis else f"<p>{text}</p>"]
    if isinstance(block, Note):
        label = f"<strong>{block.label}:</strong>"
        return [f'<aside class="{block.kind}"><p>{label} {_esc(block.text)}</p></aside>']
    if isinstance(block, BulletList):
        return ["<ul>", *(f"<li>{_esc(item)}</li>" for item in block.items), "</ul>"]
    if isinstance(block, KeyValues):
        return _key_values(block.items)
    if isinstance(block, Table):
        return _table(block)
    return _figure(block)


def to_html(doc: Document) -> str:
    """Render a document as one self-contained HTML5 page.

    Parameters
    ----------
    doc : Document
        The document.

    Returns
    -------
    str
        The page, ending with a newline. It has inline CSS only, no JavaScript and no
        external resources, and a content security policy that forbids both. Tables are
        styled like journal tables (rules above and below, a rule under the header,
        right-aligned numeric columns). Every piece of text is escaped with
        :func:`html.escape` (``quote=True``), so a label such as
        ``<script>alert(1)</script>`` is shown as text. Figures are embedded as inline
        SVG after :func:`sanitize_svg`; a figure without SVG shows why.

    Raises
    ------
    InvalidInputError
        If `doc` is not a :class:`Document`.

    Examples
    --------
    >>> from ipsstats.report.render import Document, Paragraph
    >>> page = to_html(Document(title="<b>Report</b>", blocks=[Paragraph(text="a & b")]))
    >>> "<h1>&lt;b&gt;Report&lt;/b&gt;</h1>" in page
    True
    >>> "<p>a &amp; b</p>" in page
    True
    """
    if not isinstance(doc, Document):
        raise fail("doc", "be an ipsstats.report.render.Document", type(doc).__name__)
    title = _esc(doc.title)
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{title}</h1>",
    ]
    anchors: dict[str, str] = {}
    for block in doc.blocks:
        if isinstance(block, Section) and block.title not in anchors:
            anchor, k = _anchor(block.title), 2
            while anchor in anchors.values():
                anchor, k = f"{_anchor(block.title)}-{k}", k + 1
            anchors[block.title] = anchor
    for block in doc.blocks:
        if isinstance(block, Section) and anchors.get(block.title):
            lines += _top_section(block, anchors)
        else:
            lines += _block(block, 2)
    lines.append("</main>")
    if doc.metadata:
        lines += ["<footer>", *_key_values(doc.metadata), "</footer>"]
    lines += ["</body>", "</html>"]
    return "\n".join(lines) + "\n"
