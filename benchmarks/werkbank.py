"""Workbench speed: a 1,000-segment project opens in < 1 s, a decision is stored in < 50 ms.

    python benchmarks/werkbank.py [--segmenten 1000] [--besluiten 200]

Builds a project of N segments (50 documents, machine proposals with evidence, the test
texts of tests/werkbank_data.py) with a journal of 500 earlier decisions, then measures

* **openen (in het proces)**: ``Werkbank(folder)`` + ``page()`` + JSON encoding — what the
  server does for the first page request, cold;
* **openen (HTTP)**: a fresh ``verhalen bekijk`` process; the first ``GET /api/project``
  (the full page data: every segment, proposal, evidence mark and the journal's state), timed
  from request to the last byte, and from process start to that last byte;
* **besluit (HTTP)**: ``POST /api/besluit`` round trips (validated, appended under the lock,
  fsynced, answered) on one keep-alive connection as a browser uses, median / p95 / max
  (the server sets TCP_NODELAY; without it every answer waited ~40 ms for a delayed ACK);
* **besluit (journaal)**: ``Journal.append`` alone.

* **browser**: headless chromium (when installed), navigation until all N segments are drawn.

Prints the figures; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))


def _ms(s: float) -> str:
    return f"{1000 * s:.1f} ms"


def _browser(url: str, n_seg: int) -> None:
    """Time from navigation to every segment on screen in headless chromium (when present)."""
    import shutil

    exe = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        exe = None
    if not exe:
        print("browser: overgeslagen (geen chromium of playwright)")
        return
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        page = b.new_page(viewport={"width": 1440, "height": 960})
        for label in ("eerste keer", "herladen"):
            t = time.perf_counter()
            if label == "eerste keer":
                page.goto(url)
            else:
                page.reload()
            page.wait_for_selector("body.geladen")
            took = time.perf_counter() - t
            n = page.locator("article.vh-segment").count()
            assert n == n_seg, n
            print(f"browser ({label}): pagina tot alle {n} segmenten getekend: {_ms(took)}")
        b.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--segmenten", type=int, default=1000)
    ap.add_argument("--besluiten", type=int, default=200)
    args = ap.parse_args(argv)

    import httpx

    from verhalen.journaal import Journal
    from verhalen.werkbank import Werkbank
    from werkbank_data import make_project

    per_doc = 20
    n_docs = max(1, args.segmenten // per_doc)
    with tempfile.TemporaryDirectory() as tmp:
        folder = make_project(Path(tmp) / "project", n_docs=n_docs, per_doc=per_doc)
        n_seg = sum(1 for _ in open(folder / "segments.jsonl", encoding="utf-8"))
        j = Journal.for_project(folder)
        ids = [json.loads(line)["id"] for line in open(folder / "segments.jsonl", encoding="utf-8")]
        for i, sid in enumerate(ids[:500]):
            j.append(coder="Anna", segment_id=sid, action="voeg_toe" if i % 2 else "klaar",
                     code="preventie" if i % 2 else None)
        print(f"Project: {n_seg} segmenten in {n_docs} documenten, journaal met 500 besluiten.")

        t = time.perf_counter()
        wb = Werkbank(folder, coder="Anna")
        body = json.dumps(wb.page()).encode()
        t_open = time.perf_counter() - t
        print(f"openen in het proces (laden + paginadata + JSON, koud): {_ms(t_open)} "
              f"({len(body) / 1e6:.2f} MB)")

        times = []
        for i in range(args.besluiten):
            t = time.perf_counter()
            j.append(coder="Bram", segment_id=ids[i % n_seg], action="klaar")
            times.append(time.perf_counter() - t)
        print(f"besluit in het journaal (append + fsync), {len(times)}×: mediaan "
              f"{_ms(statistics.median(times))}, p95 {_ms(sorted(times)[int(0.95 * len(times))])}, "
              f"max {_ms(max(times))}")

        env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep
               + os.environ.get("PYTHONPATH", "")}
        t_proc = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "verhalen.cli.main", "bekijk", str(folder),
                                 "--geen-browser", "--codeur", "Anna"], stdout=subprocess.PIPE,
                                text=True, env=env)
        try:
            url = proc.stdout.readline().strip()
            base, token = url.split("/?token=")
            headers = {"X-Verhalen-Token": token}
            with httpx.Client(base_url=base, headers=headers, timeout=30) as c:
                t = time.perf_counter()
                r = c.get("/api/project")
                r.raise_for_status()
                data = r.json()
                t_first = time.perf_counter() - t
                t_total = time.perf_counter() - t_proc
                assert len(data["segmenten"]) == n_seg
                print(f"openen via HTTP, eerste GET /api/project (volledige paginadata): "
                      f"{_ms(t_first)}; vanaf het starten van 'verhalen bekijk': {_ms(t_total)}")
                times = []
                for i in range(args.besluiten):
                    body = {"segment": ids[(i * 7) % n_seg], "actie": "voeg_toe",
                            "code": "eigen_stem"}
                    t = time.perf_counter()
                    r = c.post("/api/besluit", json=body)
                    times.append(time.perf_counter() - t)
                    r.raise_for_status()
                print(f"besluit via HTTP (POST /api/besluit, tot bevestiging), {len(times)}×: "
                      f"mediaan {_ms(statistics.median(times))}, "
                      f"p95 {_ms(sorted(times)[int(0.95 * len(times))])}, max {_ms(max(times))}")
                t = time.perf_counter()
                c.get("/api/project").raise_for_status()
                print(f"herladen (GET /api/project, warm): {_ms(time.perf_counter() - t)}")
            _browser(url, n_seg)
        finally:
            proc.terminate()
            proc.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
