"""Allow-list sanitising of SVG markup for inline HTML, with an XML parser.

The markup is parsed with :mod:`xml.etree.ElementTree` (no document type, so no entity can
be declared or expanded), every element and attribute outside an allow-list of what
matplotlib's SVG backend writes is dropped, and the tree is written out again with every
text and attribute value escaped. Nothing is matched with regular expressions on markup,
so text content such as ``Age at onset = 18-25`` can never be mistaken for an attribute.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

__all__ = ["sanitize_svg"]

_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"
_XML = "http://www.w3.org/XML/1998/namespace"

# Elements matplotlib's SVG backend writes for line art and text (metadata is left out),
# and a few plain shapes. Everything else, with its content, is dropped: script,
# foreignObject, a (links), image, iframe, animate, set, ...
_ELEMENTS = frozenset(
    {
        "svg",
        "g",
        "defs",
        "style",
        "title",
        "desc",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "use",
        "symbol",
        "clipPath",
        "mask",
        "pattern",
        "marker",
        "linearGradient",
        "radialGradient",
        "stop",
    }
)
# Presentation and geometry attributes; no event handler, no script-bearing attribute.
_ATTRIBUTES = frozenset(
    {
        "id",
        "class",
        "version",
        "viewBox",
        "preserveAspectRatio",
        "width",
        "height",
        "x",
        "y",
        "x1",
        "y1",
        "x2",
        "y2",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "dx",
        "dy",
        "d",
        "points",
        "transform",
        "style",
        "type",
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-opacity",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-miterlimit",
        "opacity",
        "clip-path",
        "clip-rule",
        "clipPathUnits",
        "mask",
        "overflow",
        "font-family",
        "font-size",
        "font-style",
        "font-weight",
        "text-anchor",
        "dominant-baseline",
        "patternUnits",
        "patternTransform",
        "gradientUnits",
        "gradientTransform",
        "offset",
        "stop-color",
        "stop-opacity",
        "markerWidth",
        "markerHeight",
        "refX",
        "refY",
        "orient",
        "href",
        "xlink:href",
        "xml:space",
    }
)
_REFERENCES = frozenset({"href", "xlink:href"})
# Anything in an attribute value or a style sheet that could fetch or run something: a url()
# that is not a reference within the image, CSS expressions and imports, script URLs, and
# CSS escapes (which could spell any of these) and markup.
_UNSAFE_VALUE = re.compile(
    r"url\s*\(\s*(?![\"']?\s*#)|expression\s*\(|@import|javascript\s*:|vbscript\s*:"
    r"|-moz-binding|behavior\s*:|[\\<]",
    re.IGNORECASE,
)
# What may come before the <svg> element: an XML declaration, comments and a document type
# declaration without an internal subset (which could declare entities).
_PROLOG = re.compile(
    r"\A\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*(?:<!DOCTYPE[^>\[]*>\s*)?(?:<!--.*?-->\s*)*",
    re.DOTALL,
)


def _name(tag: str) -> tuple[str | None, str]:
    """Split an ElementTree name ``{namespace}local`` into its namespace and local name."""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return None, tag


def _attribute_name(key: str) -> str | None:
    namespace, local = _name(key)
    if namespace is None:
        return local
    if namespace == _XLINK:
        return f"xlink:{local}"
    if namespace == _XML:
        return f"xml:{local}"
    return None


def _attributes(element: ET.Element) -> list[tuple[str, str]]:
    kept = []
    for key, value in element.attrib.items():
        name = _attribute_name(key)
        if name is None or name not in _ATTRIBUTES or name.lower().startswith("on"):
            continue
        if name in _REFERENCES and not value.strip().startswith("#"):
            continue
        if _UNSAFE_VALUE.search(value):
            continue
        kept.append((name, value))
    return kept


def _allowed(element: ET.Element) -> bool:
    namespace, local = _name(element.tag)
    if namespace not in (None, _SVG) or local not in _ELEMENTS:
        return False
    return not (local == "style" and _UNSAFE_VALUE.search(element.text or ""))


def _text(value: str | None) -> str:
    return "" if not value else html.escape(value, quote=False)


def _quoted(value: str) -> str:
    """Escape an attribute value for double quotes (``'`` needs no escape there)."""
    return html.escape(value, quote=False).replace('"', "&quot;")


def _write(element: ET.Element, out: list[str], *, root: bool) -> None:
    """Write an allowed element, its allowed attributes and allowed children, escaped."""
    _, local = _name(str(element.tag))
    attributes = _attributes(element)
    if root:
        attributes = [("xmlns", _SVG), ("xmlns:xlink", _XLINK), *attributes]
    out.append(f"<{local}")
    out.extend(f' {name}="{_quoted(value)}"' for name, value in attributes)
    children = list(element)
    if not children and not element.text:
        out.append("/>")
        return
    out.append(">")
    out.append(_text(element.text))
    for child in children:
        if _allowed(child):
            _write(child, out, root=False)
        out.append(_text(child.tail))  # text after a dropped element stays, as text
    out.append(f"</{local}>")


def sanitize_svg(svg: str) -> str | None:
    """Prepare SVG markup for inline embedding in HTML, or refuse it.

    The markup is parsed as XML and written out again keeping only an allow-list of SVG
    elements and attributes (those matplotlib writes for line art and text). Dropped:
    every other element with its content (``<script>``, ``<foreignObject>``, links,
    images, metadata), every ``on...`` event-handler attribute, every ``href`` or
    ``xlink:href`` that does not point inside the image (``#id``), and every attribute
    value or style sheet holding ``url(...)`` to anything but ``#id``, ``expression(``,
    ``@import``, a ``javascript:`` URL, a CSS escape or ``<``. Text is kept as text and
    escaped again, so labels such as ``Age at onset = 18-25`` or ``" onmouseover="`` are
    shown unchanged. The SVG that ipsstats draws contains nothing that is dropped except
    metadata; sanitising is a defence in depth.

    Parameters
    ----------
    svg : str
        SVG markup starting with ``<svg``, optionally after an XML declaration, comments
        and a document type declaration.

    Returns
    -------
    str or None
        Well-formed markup starting with ``<svg``, or ``None`` if the input is not
        well-formed XML whose root is an ``svg`` element, or declares a document type with
        an internal subset (entities).

    Examples
    --------
    >>> sanitize_svg('<svg onload="x()"><script>alert(1)</script><circle r="1"/></svg>')
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><circle r="1"/></svg>'
    >>> sanitize_svg("<svg><text>Age at onset = 18-25</text></svg>").endswith(
    ...     "><text>Age at onset = 18-25</text></svg>")
    True
    >>> sanitize_svg("<p>not svg</p>") is None
    True
    """  # noqa: E501  # the doctest output is one line
    prolog = _PROLOG.match(svg)
    body = svg[prolog.end() if prolog else 0 :]
    if not body.startswith("<svg"):
        return None
    try:
        tree = ET.fromstring(body)  # no DTD is left: nothing can be declared or expanded
    except ET.ParseError:
        return None
    if not _allowed(tree) or _name(tree.tag)[1] != "svg":
        return None
    out: list[str] = []
    _write(tree, out, root=True)
    return "".join(out)
