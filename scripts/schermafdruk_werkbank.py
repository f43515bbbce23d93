"""Screenshot of the workbench's reader for the README (docs/img/werkbank.png).

    python scripts/schermafdruk_werkbank.py PROJECTMAP [--uit docs/img/werkbank.png]

PROJECTMAP: e.g. the folder of ``verhalen analyse corpora/voorbeeld --uit /tmp/voorbeeld``.
Works on a copy of the folder (the journal of the real project is not touched), records a few
decisions as a researcher would (accept, reject, an own code, a memo) and photographs the
reader in Debian's headless ``chromium`` (Playwright, no browser download).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("project")
    ap.add_argument("--uit", default=str(ROOT / "docs" / "img" / "werkbank.png"))
    ap.add_argument("--document", default="interviews-buurtwerker-sanne")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    exe = shutil.which("chromium")
    if not exe:
        print("geen chromium gevonden (apt-get install -y chromium)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "project"
        shutil.copytree(args.project, folder, ignore=shutil.ignore_patterns("menselijk", "werkbank"))
        proc = subprocess.Popen([sys.executable, "-m", "verhalen.cli.main", "bekijk", str(folder),
                                 "--geen-browser", "--codeur", "Anna"],
                                stdout=subprocess.PIPE, text=True)
        try:
            url = proc.stdout.readline().strip()
            with sync_playwright() as p:
                b = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
                page = b.new_page(viewport={"width": 1440, "height": 960}, device_scale_factor=1)
                page.goto(url)
                page.wait_for_selector("body.geladen .vh-segment")
                docs = page.locator("#documenten li.doc[data-id]")
                target = page.locator(f'#documenten li[data-id="{args.document}"]')
                (target if target.count() else docs.nth(1)).click()
                coded = page.locator("article.vh-segment:has(.vh-voorstellen .vh-chip)")
                coded.nth(0).click()
                page.keyboard.press("a")                 # accept the first proposal
                page.wait_for_timeout(300)
                page.keyboard.press("m")
                page.keyboard.type("Sterk citaat over de vraag achter de vraag; terug laten komen "
                                   "in het rapport.")
                page.keyboard.press("Control+Enter")
                page.wait_for_timeout(300)
                page.keyboard.press("Enter")             # reviewed
                page.wait_for_timeout(300)
                coded.nth(1).click()
                page.keyboard.press("r")                 # reject a proposal
                page.wait_for_timeout(300)
                page.keyboard.press("/")
                page.keyboard.type("kleine")
                page.keyboard.press("Enter")             # an own code from the codebook
                page.wait_for_timeout(400)
                coded.nth(0).click()
                page.evaluate("window.scrollTo(0, 0)")
                page.wait_for_timeout(300)
                Path(args.uit).parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=args.uit)
                b.close()
        finally:
            proc.terminate()
            proc.wait(10)
    print(args.uit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
