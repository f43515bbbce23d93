"""The report seen in a real browser: headless Chromium renders every plotly figure offline.

Needs Debian's ``chromium`` (scripts/test.sh installs it in CI); skipped with the reason when
no Chromium binary exists. The screenshot path is printed (and copied to
/tmp/verhalen_rapport.png when /tmp is writable).
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
