"""The report seen in a real browser: headless Chromium renders every plotly figure offline;
through Playwright (system Chromium via ``executable_path``, no browser download) the report
opens with its summary (before the first appendix, one quote per track) and the track maps'
corner labels collide with no tick label, note, title or marker (bounding boxes as drawn).

Needs Debian's ``chromium`` (scripts/test.sh installs it in CI); skipped with the reason when
no Chromium binary exists (the Playwright tests also when the pip package is absent). The
screenshot path is printed (and copied to /tmp/verhalen_rapport.png when /tmp is writable).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from verhalen.codeboek import Code, Codebook
from verhalen.codes import read_codes, wide_to_long
from verhalen.rapport import FIGURE_IDS, write_report

pytestmark = pytest.mark.browser

DATA = Path(__file__).parent / "data" / "sporen"
#: Flags from the machine notes: no background networking (the network is closed), fresh profile.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--virtual-time-budget=20000"]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("geen Chromium gevonden (installeer Debians pakket 'chromium'; scripts/test.sh "
                "doet dat in CI)")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    cb = Codebook(name="test", codes=[
        Code(id="luisteren", label="Luisteren", definition="d", tracks={"vakmanschap": 1.0},
             colour="#1b9e77"),
        Code(id="methodiek", label="Methodiek", definition="d", tracks={"vakmanschap": 1.0},
             colour="#66a61e"),
        Code(id="verbinding", label="Verbinding", definition="d",
             tracks={"betekenisgeving": 1.0}, colour="#d95f02"),
        Code(id="kosten", label="Kosten", definition="d", tracks={"doelmatigheid": 1.0},
             colour="#7570b3"),
        Code(id="tellen", label="Tellen", definition="d",
             tracks={"betekenisgeving": 0.5, "doelmatigheid": 0.5}, colour="#e7298a")])
    segs = pd.DataFrame([json.loads(x) for x in
                         (DATA / "segments.jsonl").read_text(encoding="utf-8").splitlines()])
    codes = wide_to_long(read_codes(DATA / "codes.jsonl"))
    path = tmp_path_factory.mktemp("rapport") / "rapport.html"
    return write_report(segs, codes, cb, path)


def _run(args: list[str], tmp: Path) -> subprocess.CompletedProcess:
    profile = tmp / "profiel"
    profile.mkdir(exist_ok=True)
    return subprocess.run([_chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180)


def test_every_figure_renders_in_chromium(report, tmp_path):
    res = _run(["--dump-dom", report.as_uri()], tmp_path)
    dom = res.stdout
    assert "<html" in dom, res.stderr[-2000:]
    drawn = {}
    for fig in FIGURE_IDS:
        m = re.search(rf'<div id="{fig}"[^>]*class="[^"]*js-plotly-plot', dom)
        assert m, f"{fig}: plotly heeft de figuur niet opgebouwd"
        nxt = dom.find('data-figuur="', m.end())
        part = dom[m.end(): nxt if nxt > 0 else len(dom)]
        drawn[fig] = len(re.findall(r'class="main-svg"', part))
    missing = [f for f, n in drawn.items() if n == 0]
    assert not missing, f"geen SVG getekend voor {missing}"


def test_screenshot(report, tmp_path):
    shot = tmp_path / "verhalen_rapport.png"
    res = _run(["--window-size=1280,4000", f"--screenshot={shot}", report.as_uri()], tmp_path)
    assert shot.exists() and shot.stat().st_size > 20_000, res.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    try:
        shutil.copy(shot, "/tmp/verhalen_rapport.png")
    except OSError:
        pass
    print(f"schermafdruk: {shot} (kopie: /tmp/verhalen_rapport.png)")


# ------------------------------------------------------------------------------------------
# Playwright (system Chromium through executable_path; no browser download): the DOM as the
# reader sees it, and the text boxes of the track maps as drawn.

#: Bounding boxes of a track map's texts as drawn: the corner labels (the corner trace's texts,
#: named in layout.meta.hoeken, or plotly's own ternary axis titles) against the tick labels, the
#: size note, the title, the markers and labels of the groups and each other; and the note
#: against the tick labels. Returns the overlapping pairs and the labels drawn outside the SVG.
OVERLAP_JS = """(figId) => {
  const g = document.getElementById(figId);
  const svg = g.querySelector('.main-svg').getBoundingClientRect();
  const box = (el, kind) => { const r = el.getBoundingClientRect();
    return {kind, text: el.textContent, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; };
  const names = ((g._fullLayout || {}).meta || {}).hoeken || [];
  const corners = [...g.querySelectorAll('.textpoint text')].filter(t => names.includes(t.textContent))
    .concat([...g.querySelectorAll('.g-atitle text, .g-btitle text, .g-ctitle text')]
            .filter(t => t.textContent.trim()))
    .map(t => box(t, 'hoek'));
  const ticks = [...g.querySelectorAll('.ternary .xtick text, .ternary .ytick text')]
    .map(t => box(t, 'tick'));
  const notes = [...g.querySelectorAll('.annotation-text')].map(t => box(t, 'noot'));
  const titles = [...g.querySelectorAll('.gtitle')].map(t => box(t, 'titel'));
  const groups = [...g.querySelectorAll('.ternary .trace')].slice(0, 1).flatMap(tr =>
     [...tr.querySelectorAll('path.point')].map(p => box(p, 'punt'))
     .concat([...tr.querySelectorAll('.textpoint text')].map(t => box(t, 'puntlabel'))));
  const hit = (a, b) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
  const overlaps = [];
  for (const c of corners) for (const o of [...ticks, ...notes, ...titles, ...groups, ...corners])
    if (o !== c && hit(c, o)) overlaps.push(c.text + ' × ' + o.kind + ' ' + o.text);
  for (const n of notes) for (const t of ticks) if (hit(n, t)) overlaps.push('noot × tick ' + t.text);
  const outside = [...corners, ...notes].filter(c => c.x0 < svg.left - 0.5 || c.x1 > svg.right + 0.5
     || c.y0 < svg.top - 0.5 || c.y1 > svg.bottom + 0.5).map(c => c.text);
  return {corners: corners.map(c => c.text), ticks: ticks.length, notes: notes.length,
          overlaps, outside};
}"""


@pytest.fixture(scope="module")
def page_factory():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (pip) ontbreekt")
    exe = _chromium()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])

        def open_page(url: str, width: int = 1280, height: int = 900):
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(url)
            page.wait_for_selector("#fig-sporenkaart-documenten .main-svg")
            page.wait_for_selector("#fig-sporenkaart-rollen .main-svg")
            return page

        yield open_page
        browser.close()


def test_summary_comes_first_with_a_quote_per_track(report, page_factory):
    page = page_factory(report.as_uri())
    order = page.evaluate("""() => {
      const main = document.querySelector('main');
      const sections = [...main.querySelectorAll(':scope > section')];
      const summary = document.getElementById('samenvatting');
      const appendix = document.querySelector('section.bijlage');
      const h1 = main.querySelector('h1');
      const before = (a, b) => !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
      return {first: sections[0].id, appendix: appendix && appendix.id,
              summaryBeforeAppendix: before(summary, appendix),
              h1BeforeSummary: before(h1, summary),
              appendices: [...document.querySelectorAll('section.bijlage')].map(s => s.id),
              detailsAfterAppendix: sections.slice(sections.indexOf(appendix))
                 .filter(s => !s.classList.contains('bijlage')).map(s => s.id),
              quotes: [...summary.querySelectorAll('blockquote.citaat-spoor')]
                 .map(q => [q.dataset.spoor, q.innerText.trim()]),
              summaryVisible: summary.getBoundingClientRect().top < window.innerHeight};
    }""")
    assert order["first"] == "samenvatting" and order["h1BeforeSummary"]
    assert order["appendix"] == "documenten" and order["summaryBeforeAppendix"]
    assert order["appendices"] == ["documenten", "codeboek", "methode"]
    assert order["detailsAfterAppendix"] == []          # nothing but appendices at the end
    assert order["summaryVisible"]                      # the findings on the first screen
    assert [t for t, _ in order["quotes"]] == ["vakmanschap", "betekenisgeving", "doelmatigheid"]
    for _, text in order["quotes"]:
        assert text.startswith("“") and "segment " in text, text
    page.close()


@pytest.mark.parametrize("width", [1280, 760])
def test_track_map_corner_labels_collide_with_nothing(report, page_factory, width):
    page = page_factory(report.as_uri(), width=width)
    for fig in ("fig-sporenkaart-documenten", "fig-sporenkaart-rollen"):
        res = page.evaluate(OVERLAP_JS, fig)
        assert res["corners"] == ["Vakmanschap", "Betekenisgeving", "Doelmatigheid"], res
        assert res["ticks"] >= 12 and res["notes"] == 1, res       # the check saw them
        assert res["overlaps"] == [], f"{fig} bij {width}px: {res['overlaps']}"
        assert res["outside"] == [], f"{fig} bij {width}px buiten beeld: {res['outside']}"
    page.close()


def test_the_overlap_check_sees_the_old_collisions(page_factory, tmp_path):
    """The check can fail: plotly's own corner titles with tick labels on the corners (the
    track map before it was fixed) collide, and so does a note on the row of tick labels."""
    import plotly.graph_objects as go

    fig = go.Figure(go.Scatterternary(a=[1, 0.2], b=[0, 0.5], c=[0, 0.3], mode="markers",
                                      marker=dict(size=[40, 20])))
    axis = lambda t: dict(title=dict(text=t), min=0, tickformat=".0%")   # noqa: E731
    fig.update_layout(width=900, height=450,
                      ternary=dict(sum=1, aaxis=axis("Vakmanschap"), baxis=axis("Betekenisgeving"),
                                   caxis=axis("Doelmatigheid")),
                      annotations=[dict(text="Grootte: aantal gecodeerde segmenten; kleur: "
                                         "sterkste spoor", x=0.5, y=0, xref="paper",
                                    yref="paper", yanchor="top", showarrow=False)])
    path = tmp_path / "oud.html"
    path.write_text(fig.to_html(include_plotlyjs=True, div_id="fig-sporenkaart-documenten")
                    .replace("</body>", '<div id="fig-sporenkaart-rollen"><svg class="main-svg">'
                             "</svg></div></body>"), encoding="utf-8")
    page = page_factory(path.as_uri(), width=900)
    res = page.evaluate(OVERLAP_JS, "fig-sporenkaart-documenten")
    assert any(o.startswith("Betekenisgeving × tick") for o in res["overlaps"]), res
    assert any(o.startswith("noot × tick") for o in res["overlaps"]), res
    page.close()
