"""``verhalen.Project``: the one pipeline under the command line, the notebooks and the workbench.

The command line is thin over the Project, so comparing the two would compare a path with
itself. What is compared here are routes that are really different code:

* ``verhalen analyse`` (everything computed in memory, written as one unit) against the single
  commands ``lees`` → ``codeer`` → ``rapport --tabellen`` → ``exporteer`` (each step reading
  what the previous one wrote): the same segments, codes, tables and REFI-QDA project;
* the Project methods called from Python against the CLI commands (the CLI must pass the same
  defaults: codebook, human codes, where files go);
* ``themas`` through the CLI and ``Project.themes``: the same files and structure (BERTopic's
  topics may vary between processes, so the comparison is structural);
* ``exporteer`` → ``importeer`` → ``exporteer``: the texts and codes survive the round trip.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from verhalen import Project
from verhalen.cli.main import main
from verhalen.fouten import OverschrijfFout
from verhalen.voortgang import CallbackProgress, ConsoleProgress, SilentProgress, as_progress

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "corpora" / "voorbeeld"
THEMES = ROOT / "tests" / "data" / "themas"


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    """Four demo documents (three interviews and a resident's story), people and numbers."""
    if not DEMO.exists():
        pytest.skip("demo corpus ontbreekt")
    out = tmp_path_factory.mktemp("klein") / "klein"
    (out / "interviews").mkdir(parents=True)
    for p in sorted((DEMO / "interviews").iterdir())[:3]:
        shutil.copy(p, out / "interviews" / p.name)
    for p in sorted((DEMO / "verhalen").glob("*.md"))[:1]:
        shutil.copy(p, out / p.name)
    for name in ("mensen.csv", "metadata.csv"):
        shutil.copy(DEMO / name, out / name)
    shutil.copytree(DEMO / "cijfers", out / "cijfers")
    return out


@pytest.fixture(scope="module")
def runs(small_corpus, tmp_path_factory):
    """The same corpus through 'analyse' and through the single commands (once per module)."""
    base = tmp_path_factory.mktemp("runs")
    a, s = base / "analyse", base / "stappen"
    assert main(["analyse", str(small_corpus), "--uit", str(a), "--zonder-themas",
                 "--stil"]) == 0
    assert main(["lees", str(small_corpus), "--uit", str(s)]) == 0
    assert main(["codeer", str(s), "--stil"]) == 0
    assert main(["rapport", str(s), "--uit", str(s / "rapport.html"),
                 "--tabellen", str(s / "tabellen")]) == 0
    assert main(["exporteer", str(s), "--uit", str(s / "project.qdpx")]) == 0
    return a, s


def _lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def _qde(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("project.qde").decode("utf-8")


def _sections(html: str) -> list[str]:
    import re

    return re.findall(r'<section id="([^"]+)"', html)


# ------------------------------------------------------------------------------------------
def test_analyse_and_the_single_commands_write_the_same_project(runs):
    a, s = runs
    for name in ("segments.jsonl", "documents.jsonl", "mensen.csv", "codes.jsonl"):
        assert (a / name).read_bytes() == (s / name).read_bytes(), name
    ca = json.loads((a / "corpus.json").read_text(encoding="utf-8"))
    cs = json.loads((s / "corpus.json").read_text(encoding="utf-8"))
    assert ca == cs
    tables = sorted(p.name for p in (a / "tabellen").iterdir())
    assert tables and tables == sorted(p.name for p in (s / "tabellen").iterdir())
    for name in tables:
        assert (a / "tabellen" / name).read_bytes() == (s / "tabellen" / name).read_bytes(), name
    # the report: the same sections and figures (the method appendix differs: analyse records
    # what ran in methode.json, and the report carries the time it was made)
    ha = (a / "rapport.html").read_text(encoding="utf-8")
    hs = (s / "rapport.html").read_text(encoding="utf-8")
    assert _sections(ha) == _sections(hs) and "tellen-en-vertellen-sectie" in _sections(ha)
    # REFI-QDA: the same texts, codes and codings
    qa, qs = _qde(a / "project.qdpx"), _qde(s / "project.qdpx")
    for tag in ("<TextSource ", "<Code ", "<Coding ", "<PlainTextSelection "):
        assert qa.count(tag) == qs.count(tag) > 0, tag


def test_the_codes_hold_what_a_coder_gives(runs):
    """Not just equal to each other: one line per segment, codes from the codebook."""
    from verhalen.codeboek import load_codebook

    a, _ = runs
    ids = [r["id"] for r in _lines(a / "segments.jsonl")]
    codes = _lines(a / "codes.jsonl")
    assert [r["id"] for r in codes] == ids
    known = set(load_codebook("impact").ids)
    assert any(r["codes"] for r in codes)
    assert all(set(r["codes"]) <= known and set(r["scores"]) >= set(r["codes"]) for r in codes)


def test_project_methods_give_what_the_commands_give(runs, small_corpus, tmp_path):
    _, s = runs
    events = []
    p = Project.create(tmp_path / "api", progress=CallbackProgress(events.append))
    corpus = p.read(small_corpus)
    assert len(corpus.segments_df()) == len(_lines(s / "segments.jsonl"))
    assert (p.folder / "segments.jsonl").read_bytes() == (s / "segments.jsonl").read_bytes()
    wide = p.code()
    assert isinstance(wide, pd.DataFrame) and list(wide["id"]) == list(corpus.segments_df()["id"])
    assert (p.folder / "codes.jsonl").read_bytes() == (s / "codes.jsonl").read_bytes()
    report = p.report(tables=tmp_path / "api" / "tabellen")
    assert _sections(report.read_text(encoding="utf-8")) == _sections(
        (s / "rapport.html").read_text(encoding="utf-8"))
    for t in (s / "tabellen").iterdir():
        assert (tmp_path / "api" / "tabellen" / t.name).read_bytes() == t.read_bytes(), t.name
    written = p.export(tmp_path / "api.qdpx")
    assert _qde(written[0]).count("<Coding ") == _qde(s / "project.qdpx").count("<Coding ")
    prof = p.tracks(by="doc_id")
    assert {"doc_id", "vakmanschap", "betekenisgeving", "doelmatigheid"} <= set(prof.columns)
    assert len(prof) == len(corpus.documents)
    from verhalen.rapport import FIGURE_IDS

    figs = p.figures()
    assert set(figs) == set(FIGURE_IDS) and all(hasattr(f, "to_json") for f in figs.values())
    assert hasattr(p.tracks(by="doc_id", figure=True), "to_json")
    # progress went to the front end's callback, nothing was printed by the project
    kinds = {e["soort"] for e in events}
    assert "info" in kinds and all(isinstance(e["tekst"], str) for e in events)


def test_project_refuses_earlier_output_and_human_work(runs, tmp_path):
    a, _ = runs
    with pytest.raises(OverschrijfFout, match="--overschrijf"):
        Project.create(a)
    copy = tmp_path / "kopie"
    shutil.copytree(a, copy)
    p = Project.open(copy, progress=False)
    before = (copy / "codes.jsonl").read_bytes()
    with pytest.raises(OverschrijfFout, match="bestaat al"):
        p.code()
    assert (copy / "codes.jsonl").read_bytes() == before
    (copy / "menselijke_codes.jsonl").write_text('{"id": "x", "codes": []}\n', encoding="utf-8")
    wide = pd.read_json(copy / "codes.jsonl", lines=True)
    with pytest.raises(OverschrijfFout, match="menselijk"):
        p.save_codes(wide, out=copy / "menselijke_codes.jsonl", overwrite=True)
    assert (copy / "menselijke_codes.jsonl").read_text(encoding="utf-8") == \
        '{"id": "x", "codes": []}\n'
    with pytest.raises(OverschrijfFout):
        p.files.write({"menselijk/journaal.jsonl": ""}, overwrite=True)


def test_export_import_round_trip_keeps_texts_and_human_codes(runs, tmp_path):
    """A coded project → .qdpx → importeer (as another tool's project) → the human codes
    enter through the Project and the coder keeps them as they are."""
    _, s = runs
    first = Project.open(s, progress=False)
    seg_ids = list(first.segments()["id"])
    human = pd.DataFrame({"id": seg_ids[:3], "codes": [["basishouding"], ["eigen_stem"], []]})
    from verhalen.menselijk import save_human_codes

    own = tmp_path / "eigen.jsonl"
    save_human_codes(human, own)
    qdpx = tmp_path / "met_mens.qdpx"
    from verhalen.codeboek import load_codebook

    long = first.codes(menselijk=own)
    assert set(long.loc[long["source"] == "mens", "segment_id"]) == set(seg_ids[:2])
    from verhalen.uitwisseling.refi_qda import export_qdpx

    export_qdpx(first.corpus(), long, load_codebook("impact"), qdpx)
    imp = tmp_path / "geimporteerd"
    assert main(["importeer", str(qdpx), "--uit", str(imp)]) == 0
    p = Project.open(imp, progress=False)
    hc = p.human_codes()
    assert len(hc) == 2 and set(hc["source"]) == {"mens"}
    assert {tuple(c) for c in hc["codes"]} == {("basishouding",), ("eigen_stem",)}
    assert (imp / "codes.jsonl").exists()      # the machine codes of the export came along
    wide = p.code(coder="regels", out=tmp_path / "opnieuw.jsonl")
    kept = wide[wide["source"] == "mens"]
    assert len(kept) == 2 and {tuple(c) for c in kept["codes"]} == {("basishouding",),
                                                                    ("eigen_stem",)}
    # learn() fits once; code() then uses that coder (and still keeps the human codes)
    est = p.learn(coder="regels")
    assert p.coder_ is est
    again = p.code(save=False)
    assert p.coder_ is est and list(again["codes"]) == list(wide["codes"])


@pytest.mark.slow
def test_themes_through_the_cli_and_the_project_have_the_same_shape(tmp_path, capsys):
    segs = THEMES / "segmenten.jsonl"
    cli_out, api_out = tmp_path / "cli", tmp_path / "api"
    assert main(["themas", str(segs), "--uit", str(cli_out), "--codes",
                 str(THEMES / "codes.jsonl")]) == 0
    printed = capsys.readouterr().out
    p = Project(THEMES, progress=False)
    tab = p.themes(segments=segs, codes=THEMES / "codes.jsonl", out=api_out)
    for name in ("themas.jsonl", "themas_tabel.csv", "themas_codes.csv"):
        assert (cli_out / name).is_file() and (api_out / name).is_file(), name
    a, b = _lines(cli_out / "themas.jsonl"), _lines(api_out / "themas.jsonl")
    assert [r["id"] for r in a] == [r["id"] for r in b] and len(a) == 48
    assert set(a[0]) == set(b[0]) == {"id", "segment_id", "doc_id", "topic", "label",
                                      "gelijkenis"}
    ta, tb = pd.read_csv(cli_out / "themas_tabel.csv"), pd.read_csv(api_out / "themas_tabel.csv")
    assert list(ta.columns) == list(tb.columns) == list(tab.columns)
    assert len(tb) == len(tab) >= 2 and ta["n"].sum() == tb["n"].sum() == 48
    assert list(pd.read_csv(cli_out / "themas_codes.csv").columns) == \
        list(pd.read_csv(api_out / "themas_codes.csv").columns)
    assert "Thema's ontdekt" in printed and "Geschreven" in printed
    with pytest.raises(OverschrijfFout):
        p.themes(segments=segs, out=api_out)


# ------------------------------------------------------------------------------------------
def test_progress_protocol(capsys):
    c = ConsoleProgress(bars=False)
    c.step(1, 3, "Lezen")
    c.info("klaar")
    c.warn("iets overgeslagen")
    c.error("x.docx: kapot")
    got = capsys.readouterr()
    assert got.out == "[1/3] Lezen\nklaar\nLet op: iets overgeslagen\n"
    assert got.err == "x.docx: kapot\n"
    events = []
    cb = as_progress(events.append)
    cb.step(2, 6, "Coderen")
    cb.warn("w")
    assert events == [{"soort": "stap", "n": 2, "totaal": 6, "tekst": "Coderen"},
                      {"soort": "let_op", "tekst": "w"}]
    assert isinstance(as_progress(False), SilentProgress)
    assert isinstance(as_progress(None), ConsoleProgress)
    with pytest.raises(TypeError, match="progress"):
        as_progress(42)


def test_analyse_reports_its_six_steps_to_the_front_end(small_corpus, tmp_path):
    events = []
    p = Project.create(tmp_path / "p", progress=CallbackProgress(events.append))
    res = p.analyse(small_corpus, themes=False)
    steps = [(e["n"], e["totaal"]) for e in events if e["soort"] == "stap"]
    assert steps == [(i, 6) for i in range(1, 7)]
    assert isinstance(res["codes"], pd.DataFrame) and res["themes"] is None
    assert set(res["timings"]) == {"lezen", "coderen", "themas", "rapport", "qdpx"}
    assert (tmp_path / "p" / "methode.json").is_file()


def test_open_needs_a_folder(tmp_path):
    from verhalen.fouten import VerhalenFout

    with pytest.raises(VerhalenFout, match="geen map"):
        Project.open(tmp_path / "bestaat-niet")


# ------------------------------------------------------------------------------------------
def test_combine_human_codes_journal_is_the_later_word():
    from verhalen.menselijk import combine_human_codes, deciding_rows

    imported = pd.DataFrame({"id": ["a", "b", "c"],
                             "codes": [["basishouding"], ["eigen_stem"], ["preventie"]],
                             "coders": [{"basishouding": "Sanne"}, {}, {"preventie": "Jelle"}]})
    current = pd.DataFrame({"id": ["b", "c", "d"], "codes": [["politisering"], [], []],
                            "coder": ["Sanne", "Jelle", "Sanne"], "memo": [None, None, "kijk"],
                            "reviewed": [False, True, False]})
    journal = deciding_rows(current)
    assert list(journal["id"]) == ["b", "c"]            # a memo alone decides nothing
    got = combine_human_codes(imported, journal)
    rows = {(r["id"], tuple(r["codes"]), r["coder"]) for r in got.to_dict("records")}
    assert rows == {("a", ("basishouding",), "Sanne"), ("b", ("politisering",), "Sanne"),
                    ("c", (), "Jelle")}                 # reviewed, no code: "none applies"
    assert set(got["source"]) == {"mens"}
    sanne = combine_human_codes(imported, journal, coder="Sanne")
    assert set(sanne["id"]) == {"a", "b"}
    assert combine_human_codes(None, None).empty


def test_journal_decisions_are_human_codes(runs, tmp_path):
    """Decisions in the journal (verhalen.journaal, the workbench's module) are human codes
    for every step: human_codes(), code() keeps them, codes() carries them."""
    pytest.importorskip("verhalen.journaal")
    _, s = runs
    copy = tmp_path / "p"
    shutil.copytree(s, copy)
    p = Project.open(copy, progress=False)
    ids = list(p.segments()["id"])
    p.decide(ids[0], "voeg_toe", code="basishouding", coder="Sanne")
    p.decide(ids[1], "voeg_toe", code="eigen_stem", coder="Jelle")
    p.decide(ids[1], "klaar", coder="Jelle")
    from verhalen.menselijk import MenselijkeCodesFout

    with pytest.raises(MenselijkeCodesFout, match="basishoudin"):
        p.decide(ids[2], "voeg_toe", code="basishoudin", coder="Sanne")
    hc = p.human_codes()
    assert {(r["id"], tuple(r["codes"]), r["coder"]) for r in hc.to_dict("records")} == \
        {(ids[0], ("basishouding",), "Sanne"), (ids[1], ("eigen_stem",), "Jelle")}
    assert list(p.human_codes(coder="Sanne")["id"]) == [ids[0]]
    wide = p.code(coder="regels", out=tmp_path / "c.jsonl")
    mens = wide.set_index("id")["source"]
    assert mens[ids[0]] == "mens" and mens[ids[1]] == "mens"
    long = p.codes()
    assert {("basishouding", "Sanne")} <= set(
        zip(long.loc[long["source"] == "mens", "code"], long.loc[long["source"] == "mens", "coder"]))
