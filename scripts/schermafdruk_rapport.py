"""Screenshots of the report for the README (docs/img/rapport_*.png), with the label check.

    python scripts/schermafdruk_rapport.py RAPPORT.html [--uit docs/img]

RAPPORT.html: e.g. the report of ``verhalen analyse corpora/voorbeeld --uit /tmp/voorbeeld``.
Photographs, in Debian's headless ``chromium`` (Playwright, no browser download), the summary
the report opens with (``rapport_samenvatting.png``) and the two track maps
(``rapport_sporenkaart.png``: per document, in the summary; ``rapport_sporenkaart_rollen.png``:
per role). Before that it measures, at 1280, 900 and 700 pixels wide, whether a corner label of
a track map overlaps a tick label, the size note, the title, a marker or another corner label
(the browser test's check, ``tests/test_browser.py``) and stops with the overlaps when one does.
The PNGs are reduced to 256 colours when Pillow is there (a few hundred kB become ~100 kB).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ("fig-sporenkaart-documenten", "fig-sporenkaart-rollen")


def _overlap_js() -> str:
    sys.path.insert(0, str(ROOT / "tests"))
    from test_browser import OVERLAP_JS

    return OVERLAP_JS


def _small(path: Path) -> None:
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as im:
        im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
            path, optimize=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rapport")
    ap.add_argument("--uit", default=str(ROOT / "docs" / "img"))
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    exe = shutil.which("chromium")
    if not exe:
        print("geen chromium gevonden (apt-get install -y chromium)", file=sys.stderr)
        return 1
    url = Path(args.rapport).resolve().as_uri()
    out = Path(args.uit)
    out.mkdir(parents=True, exist_ok=True)
    check = _overlap_js()
    bad = []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-gpu"])
        for width in (1280, 900, 700):
            page = b.new_page(viewport={"width": width, "height": 900}, device_scale_factor=1)
            page.goto(url)
            for fig in FIGURES:
                page.wait_for_selector(f"#{fig} .main-svg")
                res = page.evaluate(check, fig)
                print(f"{width} px, {fig}: hoeken {res['corners']}, {res['ticks']} tick-labels, "
                      f"overlap {res['overlaps'] or 'geen'}, buiten beeld {res['outside'] or 'niets'}")
                if res["overlaps"] or res["outside"]:
                    bad.append((width, fig, res["overlaps"], res["outside"]))
            if width == 1280 and not bad:
                shots = {"rapport_samenvatting.png": "#samenvatting",
                         "rapport_sporenkaart.png": "#fig-sporenkaart-documenten",
                         "rapport_sporenkaart_rollen.png": "#fig-sporenkaart-rollen"}
                for name, sel in shots.items():
                    page.locator(sel).screenshot(path=str(out / name))
                    _small(out / name)
                    print(out / name, f"{(out / name).stat().st_size // 1024} kB")
            page.close()
        b.close()
    if bad:
        print(f"labels botsen: {bad}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
