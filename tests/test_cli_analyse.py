"""`verhalen analyse` end to end and `verhalen rapport` on a project folder."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from verhalen.cli.main import main
from verhalen.rapport import FIGURE_IDS

DEMO = Path(__file__).resolve().parents[1] / "corpora" / "voorbeeld"


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    """Four demo documents (interviews and a resident's story), its people table and numbers."""
    if not DEMO.exists():
        pytest.skip("demo corpus ontbreekt")
    out = tmp_path / "klein"
    (out / "interviews").mkdir(parents=True)
    picked = sorted((DEMO / "interviews").iterdir())[:3]
    for p in picked:
        shutil.copy(p, out / "interviews" / p.name)
    story = sorted((DEMO / "verhalen").glob("*.md"))[:1] or sorted((DEMO / "verhalen").glob("*.txt"))[:1]
    for p in story:
        shutil.copy(p, out / p.name)
    for name in ("mensen.csv", "metadata.csv"):
        if (DEMO / name).exists():
            shutil.copy(DEMO / name, out / name)
    if (DEMO / "cijfers").exists():
        shutil.copytree(DEMO / "cijfers", out / "cijfers")
    return out


def _last_line(capsys) -> tuple[str, str]:
    out = capsys.readouterr().out
    return out, out.strip().splitlines()[-1]


def test_analyse_writes_every_output_and_ends_with_the_report(small_corpus, tmp_path, capsys):
    uit = tmp_path / "project"
    assert main(["analyse", str(small_corpus), "--uit", str(uit), "--zonder-themas",
                 "--stil"]) == 0
    out, last = _last_line(capsys)
    assert last == f"Rapport: {(uit / 'rapport.html').resolve()}"
    for name in ("segments.jsonl", "documents.jsonl", "corpus.json", "mensen.csv", "codes.jsonl",
                 "codeboek.yaml", "rapport.html", "project.qdpx", "methode.json"):
        assert (uit / name).is_file(), name
    assert (uit / "tabellen" / "sporen_per_document.csv").is_file()
    assert (uit / "tabellen" / "citaten.md").is_file()
    html = (uit / "rapport.html").read_text(encoding="utf-8")
    for fig in FIGURE_IDS:
        assert f'id="{fig}"' in html
    assert 'id="tellen-en-vertellen"' in html          # the case numbers were found
    n_seg = len((uit / "segments.jsonl").read_text(encoding="utf-8").splitlines())
    assert len((uit / "codes.jsonl").read_text(encoding="utf-8").splitlines()) == n_seg
    with zipfile.ZipFile(uit / "project.qdpx") as z:
        assert "project.qde" in z.namelist()
    method = json.loads((uit / "methode.json").read_text(encoding="utf-8"))
    assert "terugvaloptie" in method["nlp"] or "nl_core_news" in method["nlp"]
    # the folder is a normal project folder: 'verhalen rapport' reads it again
    assert main(["rapport", str(uit), "--uit", str(tmp_path / "opnieuw.html"),
                 "--tabellen", str(tmp_path / "tab")]) == 0
    _, last = _last_line(capsys)
    assert last == f"Geschreven: {tmp_path / 'opnieuw.html'}"
    assert (tmp_path / "tab" / "codeboek.csv").is_file()


def test_analyse_refuses_a_used_folder_and_keeps_human_codes(small_corpus, tmp_path, capsys):
    uit = tmp_path / "project"
    uit.mkdir()
    (uit / "rapport.html").write_text("eerder rapport", encoding="utf-8")
    assert main(["analyse", str(small_corpus), "--uit", str(uit), "--stil"]) == 1
    assert "--overschrijf" in capsys.readouterr().err
    assert (uit / "rapport.html").read_text(encoding="utf-8") == "eerder rapport"
    human = uit / "menselijke_codes.jsonl"
    human.write_text("", encoding="utf-8")
    assert main(["analyse", str(small_corpus), "--uit", str(uit), "--stil", "--zonder-themas",
                 "--overschrijf"]) == 0
    assert human.exists() and human.read_text(encoding="utf-8") == ""


def test_analyse_of_nothing_readable(tmp_path, capsys):
    empty = tmp_path / "leeg"
    empty.mkdir()
    (empty / "kapot.docx").write_bytes(b"geen zip")
    assert main(["analyse", str(empty), "--uit", str(tmp_path / "p"), "--stil"]) == 1
    assert "kapot.docx" in capsys.readouterr().err


@pytest.mark.slow
def test_analyse_on_the_demo_corpus_with_themes(tmp_path, capsys):
    """The issue's check: `verhalen analyse corpora/voorbeeld` writes a report with all figures."""
    if not DEMO.exists():
        pytest.skip("demo corpus ontbreekt")
    uit = tmp_path / "x"
    assert main(["analyse", str(DEMO), "--uit", str(uit), "--stil"]) == 0
    out, last = _last_line(capsys)
    assert last.endswith("rapport.html")
    assert (uit / "themas_tabel.csv").is_file() and (uit / "themas.jsonl").is_file()
    html = (uit / "rapport.html").read_text(encoding="utf-8")
    for fig in FIGURE_IDS:
        assert html.count(f'id="{fig}"') == 1
    assert '<section id="emergent">' in html
    # interviewer questions are not theme units
    units = [json.loads(x)["segment_id"] for x in
             (uit / "themas.jsonl").read_text(encoding="utf-8").splitlines()]
    segs = {json.loads(x)["id"]: json.loads(x) for x in
            (uit / "segments.jsonl").read_text(encoding="utf-8").splitlines()}
    assert not any(segs[u]["meta"].get("beurt") == "interviewer" for u in units)
