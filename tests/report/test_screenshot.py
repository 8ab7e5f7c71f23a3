"""The demonstration report as a browser lays it out: no table wider than the page, labelled
figures, and a print to A4 PDF. Runs headless Chromium; skipped when it is absent."""

from __future__ import annotations

import html
import json
import pathlib
import re
import shutil
import subprocess
from typing import Any

import pytest

from ipsstats import cli

pytest.importorskip("matplotlib")

CHROMIUM = next(
    (found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))), None
)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")

# Widths of a laptop window and of an A4 page at 96 dpi (210 mm).
LAPTOP, A4 = 1280, 794

# Measured in the page, written into a <pre> for --dump-dom: per table, its own width and
# the width its container gives it; per figure, its non-empty text labels.
_MEASURE = """
<script>
const tables = [...document.querySelectorAll("table")].map(t => ({
  caption: (t.closest("section")?.querySelector("h2,h3,h4")?.textContent ?? ""),
  scroll: t.scrollWidth, room: t.parentElement.clientWidth,
  right: t.getBoundingClientRect().right,
  page: document.querySelector("main").getBoundingClientRect().right}));
const figures = [...document.querySelectorAll("figure")].map(f => ({
  svg: f.querySelector("svg") !== null,
  labels: [...f.querySelectorAll("svg text")].map(t => t.textContent.trim()).filter(Boolean),
  caption: (f.querySelector("figcaption")?.textContent ?? "")}));
const out = document.createElement("pre");
out.id = "measured";
out.textContent = JSON.stringify({tables, figures, width: document.documentElement.clientWidth});
document.body.appendChild(out);
</script>
"""

_CSP = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>')


def _chromium(*args: str) -> str:
    assert CHROMIUM is not None
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    folder = tmp_path_factory.mktemp("demo")
    target = folder / "demo.html"
    assert cli.main(["demo", "--format", "html", "-o", str(target)]) == 0
    return target


def _measure(page: pathlib.Path, width: int) -> dict[str, Any]:
    # a copy that may run the measuring script (the report itself forbids scripts)
    text = _CSP.sub("", page.read_text(encoding="utf-8"))
    probe = page.with_name(f"probe-{width}.html")
    probe.write_text(text.replace("</body>", _MEASURE + "</body>"), encoding="utf-8")
    dom = _chromium(
        f"--window-size={width},2000", "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()
    )
    found = re.search(r'<pre id="measured">(.*?)</pre>', dom, flags=re.DOTALL)
    assert found is not None, dom[-500:]
    measured: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return measured


@pytest.mark.parametrize("width", [LAPTOP, A4])
def test_no_table_overflows_and_every_figure_is_labelled(demo: pathlib.Path, width: int) -> None:
    measured = _measure(demo, width)
    assert measured["width"] <= width
    tables = measured["tables"]
    assert len(tables) >= 10  # headline, completeness, access, outcomes, durations, tests
    wide = [t for t in tables if t["scroll"] > t["room"] or t["right"] > t["page"] + 1]
    assert wide == [], wide
    figures = measured["figures"]
    assert len(figures) >= 8
    for figure in figures:
        assert figure["svg"], figure["caption"]
        # tick labels, axis titles and legends or panel titles, all drawn as text
        assert len(figure["labels"]) >= 5, figure["caption"]
        assert any(re.search(r"[A-Za-z]{3}", label) for label in figure["labels"])


def test_prints_to_a4_pdf_with_the_headline_on_the_first_page(demo: pathlib.Path) -> None:
    pdf = demo.with_name("demo.pdf")
    _chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", demo.as_uri())
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
    assert pages >= 5  # a page break before each main section
    # A4 is 595 x 842 points
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert box is not None
    assert abs(float(box.group(1)) - 595.3) < 1.5
    assert abs(float(box.group(2)) - 841.9) < 1.5
    # the headline fits on the first page: the page holding only the title and headline
    # (everything up to the contents, whose section follows on the same page) prints as one
    text = demo.read_text(encoding="utf-8")
    cut = text.index('<section id="section-contents"')
    front = demo.with_name("front.html")
    front.write_text(text[:cut] + "</main></body></html>\n", encoding="utf-8")
    front_pdf = demo.with_name("front.pdf")
    _chromium("--no-pdf-header-footer", f"--print-to-pdf={front_pdf}", front.as_uri())
    front_data = front_pdf.read_bytes()
    assert len(re.findall(rb"/Type\s*/Page(?!s)", front_data)) == 1
    assert front_data.startswith(b"%PDF")
    assert '<section id="section-headline" class="headline">' in text[:cut]
