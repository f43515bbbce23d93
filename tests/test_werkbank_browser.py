"""The workbench in a real browser: Playwright for Python driving Debian's ``chromium``.

No browser download (``playwright install`` is never run): the test uses the system's
``chromium`` through ``executable_path`` and is skipped, with the reason, when it is absent.
The server runs as a real ``verhalen bekijk`` process, so a kill -9 between two decisions is a
real crash.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (pip) ontbreekt")

from verhalen.journaal import Journal  # noqa: E402
from werkbank_data import make_project  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("geen Chromium gevonden: installeer Debians pakket 'chromium' "
                "(apt-get install -y chromium); er wordt geen browser gedownload")


class Server:
    """``verhalen bekijk MAP --geen-browser`` as a child process; ``url`` is its printed line."""

    def __init__(self, folder: Path, coder: str = "Anna"):
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep
               + os.environ.get("PYTHONPATH", "")}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "verhalen.cli.main", "bekijk", str(folder), "--geen-browser",
             "--poort", "0", "--codeur", coder],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("http://127.0.0.1:"):
            self.proc.kill()
            raise AssertionError(f"geen adres van 'verhalen bekijk': {line!r} "
                                 f"{self.proc.stderr.read()}")
        self.url = line

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture()
def browser():
    exe = _chromium()
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, headless=True,
                              args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture()
def project(tmp_path):
    return make_project(tmp_path / "project", n_docs=3, per_doc=4)


def _open(browser, url):
    page = browser.new_page(viewport={"width": 1360, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    outside = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(url.split("/?")[0]) else None)
    page.goto(url)
    page.wait_for_selector("body.geladen .vh-segment")
    page.errors, page.outside = errors, outside
    return page


def _card(page, sid):
    return page.locator(f'article.vh-segment[data-id="{sid}"]')


def _wait_saved(page, sid, selector):
    _card(page, sid).locator(selector).first.wait_for(timeout=10_000)


def test_review_by_keyboard_reload_and_see_it_all(browser, project, tmp_path):
    server = Server(project)
    try:
        page = _open(browser, server.url)
        sid = "interview-00-0000"       # proposals: basishouding, kleine_stappen, relationeel_weefsel
        assert "vh-focus" in _card(page, sid).get_attribute("class")
        page.keyboard.press("a")                                    # accept the first proposal
        _wait_saved(page, sid, '.vh-voorstellen .vh-aanvaard[data-code="basishouding"]')
        page.keyboard.press("r")                                    # reject the next one
        _wait_saved(page, sid, '.vh-voorstellen .vh-verworpen[data-code="kleine_stappen"]')
        page.keyboard.press("/")                                    # search the codebook
        page.keyboard.type("preven")
        page.keyboard.press("Enter")
        _wait_saved(page, sid, '.vh-mens .vh-eigen[data-code="preventie"]')
        page.keyboard.press("9")                    # code number 9 of the codebook: toggled on
        nine = page.evaluate("document.querySelectorAll('.legenda li')[8].textContent")
        _wait_saved(page, sid, ".vh-mens .vh-eigen >> nth=2")
        page.keyboard.press("m")
        page.keyboard.type("Mooi citaat <b>voor</b> het rapport")
        page.keyboard.press("Control+Enter")
        _wait_saved(page, sid, ".vh-memotekst")
        page.keyboard.press("j")
        assert "vh-focus" in _card(page, "interview-00-0001").get_attribute("class")
        page.keyboard.press("?")
        assert page.locator("#hulp").is_visible()
        page.keyboard.press("Escape")
        assert not page.locator("#hulp").is_visible()

        page.reload()
        page.wait_for_selector("body.geladen .vh-segment")
        card = _card(page, sid)
        assert card.locator('.vh-aanvaard[data-code="basishouding"]').count() == 1
        assert card.locator('.vh-verworpen[data-code="kleine_stappen"]').count() == 1
        assert card.locator('.vh-eigen[data-code="preventie"]').count() == 1
        assert card.locator(".vh-eigen").count() == 3
        assert nine[1:].strip() in card.locator(".vh-mens").inner_text()
        assert card.locator(".vh-memotekst").inner_text() == "Mooi citaat <b>voor</b> het rapport"
        assert page.errors == [] and page.outside == []
        page.screenshot(path=str(tmp_path / "lezer.png"))
        assert (tmp_path / "lezer.png").stat().st_size > 10_000
    finally:
        server.stop()
    state = Journal.for_project(project).current("Anna").set_index("id")
    assert state.loc[sid, "codes"][:2] == ["basishouding", "preventie"]
    assert state.loc[sid, "rejected"] == ["kleine_stappen"]


def test_kill_the_server_between_two_decisions_loses_nothing_confirmed(browser, project):
    server = Server(project)
    try:
        page = _open(browser, server.url)
        sid = "interview-01-0000"
        page.locator(f'article[data-id="{sid}"]').click()
        page.keyboard.press("a")
        first = _card(page, sid).locator(".vh-voorstellen .vh-aanvaard").first
        first.wait_for(timeout=10_000)                      # confirmed by the server
        accepted = first.get_attribute("data-code")
        server.kill()                                       # crash: kill -9
        page.keyboard.press("j")
        page.keyboard.press("a")                            # this one cannot be confirmed
        page.locator(".melding.fout").wait_for(timeout=10_000)
        assert "Niet bewaard" in page.locator("#melding").inner_text()
    finally:
        server.kill()
    again = Server(project)
    try:
        page = _open(browser, again.url)
        assert _card(page, sid).locator(f'.vh-aanvaard[data-code="{accepted}"]').count() == 1
        page.locator(f'article[data-id="{sid}"]').click()
        page.keyboard.press("Enter")                        # and work goes on
        _card(page, sid).locator(".vh-status", has_text="beoordeeld").wait_for(timeout=10_000)
    finally:
        again.stop()
    recs = Journal.for_project(project).records()
    assert [(r["segment"], r["actie"]) for r in recs] == [(sid, "accepteer"), (sid, "klaar")]


def test_malicious_segment_text_does_not_execute(browser, project):
    server = Server(project)
    try:
        page = _open(browser, server.url)
        page.wait_for_timeout(300)
        assert page.evaluate("window.__gehackt === undefined")
        assert page.title() == "verhalen · werkbank"
        card = _card(page, "interview-00-0001")
        assert "<script>window.__gehackt = 1;" in card.locator(".vh-tekst").inner_text()
        assert card.locator("script, img").count() == 0
        # a memo with markup is shown as text too
        card.click()
        page.keyboard.press("m")
        page.keyboard.type('<img src=x onerror="window.__gehackt=3">')
        page.keyboard.press("Control+Enter")
        card.locator(".vh-memotekst").wait_for(timeout=10_000)
        page.reload()
        page.wait_for_selector("body.geladen .vh-segment")
        page.wait_for_timeout(300)
        assert page.evaluate("window.__gehackt === undefined")
        assert _card(page, "interview-00-0001").locator("img").count() == 0
        assert page.errors == []
    finally:
        server.stop()


def test_filters_and_queue(browser, project):
    server = Server(project)
    try:
        page = _open(browser, server.url)
        n_all = page.locator("article.vh-segment").count()
        assert n_all == 12
        page.select_option("#filtercode", "preventie")
        n_code = page.locator("article.vh-segment").count()
        assert 0 < n_code < n_all
        page.select_option("#filtercode", "")
        page.select_option("#filterrol", "bewoner/cliënt")
        assert page.locator("article.vh-segment").count() == 3
        page.select_option("#filterrol", "")
        page.locator("#documenten li", has_text="Interview 2").click()
        assert page.locator("article.vh-segment").count() == 4
        page.locator("#wachtrijknop").click()
        page.locator("#wachtrijknop.actief").wait_for(timeout=20_000)
        assert 1 <= page.locator("article.vh-segment").count() <= 12
        page.locator(".tab[data-tab=overeenstemming]").click()
        page.locator("#overeenstemming p").first.wait_for(timeout=10_000)
    finally:
        server.stop()


def test_widget_javascript_with_python_side_writes_the_journal(browser, project):
    """The anywidget ESM (kern.js + adapter) in Chromium with a stand-in for the widget model;
    the messages it sends go to the Python widget, whose answers go back to the page."""
    from verhalen.werkbank.widget import Werkbankwidget

    w = Werkbankwidget(project, document="interview-00", codeur="Anna")
    replies = []
    w.send = lambda msg, buffers=None: replies.append(msg)
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_content("<!doctype html><html><body><div id='el'></div></body></html>")
    page.add_style_tag(content=w._css)
    page.evaluate("""([esm, data, titel]) => {
        const url = URL.createObjectURL(new Blob([esm], {type: "text/javascript"}));
        return import(url).then((mod) => {
          window.sent = []; window.handlers = {};
          const model = { get: (k) => (k === "data" ? data : titel),
                          on: (ev, f) => { window.handlers[ev] = f; },
                          send: (m) => window.sent.push(m) };
          mod.default.render({ model, el: document.getElementById("el") });
        });
    }""", [w._esm, w.data, w.titel])
    assert page.locator("article.vh-segment").count() == 4
    assert "<script>" in page.locator('article[data-id="interview-00-0001"] .vh-tekst').inner_text()
    assert page.evaluate("window.__gehackt === undefined")
    page.locator('article[data-id="interview-00-0000"]').click()
    page.keyboard.press("a")
    sent = page.evaluate("window.sent")
    assert sent == [{"type": "besluit", "nr": 1, "vraag": {"segment": "interview-00-0000",
                                                          "actie": "accepteer",
                                                          "code": "basishouding"}}]
    w._on_msg(w, sent[0], [])
    assert replies[-1]["ok"] and replies[-1]["nr"] == 1
    page.evaluate("(m) => window.handlers['msg:custom'](m)", replies[-1])
    page.locator('article[data-id="interview-00-0000"] .vh-aanvaard[data-code="basishouding"]'
                 ).wait_for(timeout=5000)
    # a message naming another segment (or a path) is refused by the Python side
    w._on_msg(w, {"type": "besluit", "nr": 2, "vraag": {"segment": "../codes.jsonl",
                                                        "actie": "klaar"}}, [])
    assert replies[-1] == {"type": "antwoord", "nr": 2, "ok": False,
                           "fout": "onbekend segment voor deze weergave."}
    recs = Journal.for_project(project).records()
    assert [(r["codeur"], r["segment"], r["actie"], r["code"]) for r in recs] == [
        ("Anna", "interview-00-0000", "accepteer", "basishouding")]
    assert errors == []


def test_widget_in_a_real_jupyterlab_writes_the_journal(browser, project, tmp_path):
    """Notebook 03's widget as a researcher sees it: JupyterLab, a kernel, anywidget's frontend."""
    pytest.importorskip("jupyterlab", reason="jupyterlab ontbreekt")
    pytest.importorskip("anywidget", reason="anywidget ontbreekt")
    import json as _json
    import socket

    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from verhalen.werkbank.widget import Werkbankwidget\n"
        f"w = Werkbankwidget({str(project)!r}, document='interview-00', codeur='Anna')\nw")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, tmp_path / "w.ipynb")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep
           + os.environ.get("PYTHONPATH", ""), "JUPYTER_PREFER_ENV_PATH": "1"}
    lab = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=proef", "--allow-root",
         f"--ServerApp.root_dir={tmp_path}", "--LabApp.news_url=None",
         "--ServerApp.open_browser=False"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        for _ in range(60):                     # wait for the server
            try:
                page.goto(f"http://127.0.0.1:{port}/lab/tree/w.ipynb?token=proef")
                break
            except sync_api.Error:
                page.wait_for_timeout(1000)
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle'], "
                               "#jp-main-statusbar :text('Idle')", timeout=120_000)
        card = page.locator('article.vh-segment[data-id="interview-00-0000"]')
        prompt = page.locator(".jp-Cell .jp-InputPrompt").first
        for _ in range(6):      # on a busy machine the first Shift+Enter can come too early
            page.locator(".jp-Cell .jp-InputArea-editor").first.click()
            page.keyboard.press("Shift+Enter")
            for _ in range(20):
                if card.count() or re.search(r"\[[\d*]+\]", prompt.inner_text() or ""):
                    break
                page.wait_for_timeout(1000)
            if card.count() or re.search(r"\[[\d*]+\]", prompt.inner_text() or ""):
                break
        card.wait_for(timeout=120_000)
        assert "<script>" in page.locator(
            'article[data-id="interview-00-0001"] .vh-tekst').inner_text()
        card.click()
        page.keyboard.press("a")
        card.locator('.vh-aanvaard[data-code="basishouding"]').wait_for(timeout=30_000)
        assert "Bewaard: aanvaard" in page.locator(".vh-widgetmelding").inner_text()
    finally:
        lab.terminate()
        try:
            lab.wait(20)
        except subprocess.TimeoutExpired:
            lab.kill()
    recs = [_json.loads(x) for x in (project / "menselijk" / "journaal.jsonl").read_text(
        encoding="utf-8").splitlines()]
    assert [(r["codeur"], r["segment"], r["actie"], r["code"]) for r in recs] == [
        ("Anna", "interview-00-0000", "accepteer", "basishouding")]
