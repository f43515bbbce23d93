"""``verhalen codeer`` end to end on tiny JSONL files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verhalen.cli.main import main

SEGMENTS = [
    {"id": "s1", "text": "Elk kwartaal rapporteren we de cijfers en indicatoren aan de gemeente, "
                         "die de subsidie verstrekt."},
    {"id": "s2", "text": "Ze luisterde zonder oordeel; er ontstond een vertrouwensband."},
    {"id": "s3", "text": "De jongeren bepaalden zelf de vragen van het onderzoek; cocreatie dus."},
    {"id": "s4", "text": "Contactgegevens: zie de website."},
]
TRAIN = [
    {"id": "t1", "text": "We meten de impact met een vragenlijst en een nulmeting.",
     "codes": ["meten_en_verantwoorden"]},
    {"id": "t2", "text": "De gemeente verlengt de subsidie niet.", "codes": ["financiering_en_beleid"]},
    {"id": "t3", "text": "Ze neemt de tijd en luistert zonder oordeel.", "codes": ["basishouding"]},
    {"id": "t4", "text": "De cijfers in de monitor laten weinig effect zien.",
     "codes": ["meten_en_verantwoorden"]},
    {"id": "t5", "text": "Het projectgeld van de gemeente stopt na een jaar.",
     "codes": ["financiering_en_beleid"]},
    {"id": "t6", "text": "Hij bouwt rustig een vertrouwensband op met het gezin.",
     "codes": ["basishouding"]},
    {"id": "t7", "text": "De registratie en de kpi's kosten veel tijd.", "codes": ["meten_en_verantwoorden"]},
    {"id": "t8", "text": "Zij heeft oprechte aandacht voor de mens achter de cliënt.",
     "codes": ["basishouding"]},
    {"id": "t9", "text": "Het adres staat op de achterkant.", "codes": []},
]


def jsonl(path: Path, rows) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def read(path: Path):
    return [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines()]


def test_codeer_rules_and_refuse_overwrite(tmp_path, capsys):
    seg = jsonl(tmp_path / "seg.jsonl", SEGMENTS)
    out = tmp_path / "codes.jsonl"
    assert main(["codeer", str(seg), "--codeboek", "impact", "--coder", "regels", "--uit",
                 str(out), "--stil"]) == 0
    rows = read(out)
    assert [r["id"] for r in rows] == ["s1", "s2", "s3", "s4"]
    assert set(rows[0]) >= {"id", "codes", "scores", "evidence"}
    assert "meten_en_verantwoorden" in rows[0]["codes"] and "basishouding" in rows[1]["codes"]
    assert rows[3]["codes"] == []
    ev = rows[1]["evidence"]["basishouding"][0]
    assert ev.startswith("«") and "zonder oordeel" in ev
    text = capsys.readouterr().out
    assert "4 segmenten gecodeerd" in text and "Basishouding" in text and "Tijd:" in text
    before = out.read_bytes()
    assert main(["codeer", str(seg), "--coder", "regels", "--uit", str(out), "--stil"]) == 1
    assert "bestaat al" in capsys.readouterr().err and out.read_bytes() == before
    assert main(["codeer", str(seg), "--coder", "regels", "--uit", str(out), "--stil",
                 "--overschrijf"]) == 0


@pytest.mark.slow
def test_codeer_learns_and_keeps_human_codes(tmp_path, capsys, monkeypatch, embedder):
    monkeypatch.setenv("VERHALEN_CACHE", str(embedder.cache_dir))
    seg = jsonl(tmp_path / "seg.jsonl", SEGMENTS)
    train = jsonl(tmp_path / "train.jsonl", TRAIN)
    human = jsonl(tmp_path / "mens.jsonl", [{"id": "s4", "codes": ["preventie"]}])
    out = tmp_path / "uit.jsonl"
    assert main(["codeer", str(seg), "--codeboek", "impact", "--leer-van", str(train),
                 "--menselijk", str(human), "--uit", str(out), "--stil"]) == 0
    rows = {r["id"]: r for r in read(out)}
    assert rows["s4"]["codes"] == ["preventie"] and rows["s4"]["source"] == "mens"
    assert rows["s1"]["source"] == "machine"
    assert "meten_en_verantwoorden" in rows["s1"]["codes"]
    assert "basishouding" in rows["s2"]["codes"]
    assert human.read_text(encoding="utf-8").count("preventie") == 1   # human file untouched
    assert "getraind op 10 segmenten" in capsys.readouterr().out


def test_codeer_errors(tmp_path, capsys):
    seg = jsonl(tmp_path / "seg.jsonl", SEGMENTS)
    bad = jsonl(tmp_path / "bad.jsonl", [{"id": "t", "text": "x", "codes": ["luisteren"]}])
    assert main(["codeer", str(seg), "--coder", "regels", "--leer-van", str(bad),
                 "--uit", str(tmp_path / "o.jsonl")]) == 1
    err = capsys.readouterr().err
    assert "bad.jsonl, regel 1" in err and "onbekende code 'luisteren'" in err
    assert main(["codeer", str(tmp_path / "nee.jsonl")]) == 1
    assert "bestaat niet" in capsys.readouterr().err
    assert main(["codeer", str(seg), "--codeboek", str(tmp_path / "geen.yaml")]) == 1
    assert "codeboek bestaat niet" in capsys.readouterr().err


@pytest.mark.slow
def test_codeer_adapts_to_the_bundle_the_researcher_coded_part_of(tmp_path, capsys, monkeypatch,
                                                                  embedder):
    """Human codes on segments of the file being coded adapt the coder to that file; the
    human codes themselves stay as given."""
    monkeypatch.setenv("VERHALEN_CACHE", str(embedder.cache_dir))
    texts = ["We tellen elk kwartaal het aantal huisbezoeken voor de gemeente.",
             "De wethouder wil cijfers over bereik en doorlooptijd zien.",
             "Ik luister eerst, zonder oordeel, naar wat er speelt.",
             "Zij kreeg de ruimte om haar eigen verhaal te vertellen.",
             "Samen met de buurvrouw zette hij een eetgroep op.",
             "Het registratiesysteem vraagt per gesprek twintig velden.",
             "Hij durft weer alleen naar de supermarkt te gaan.",
             "De buurtbewoners kennen elkaar nu bij naam."]
    seg = jsonl(tmp_path / "seg.jsonl", [{"id": f"b{i}", "text": t} for i, t in enumerate(texts)])
    human = jsonl(tmp_path / "mens.jsonl", [
        {"id": "b0", "codes": ["meten_en_verantwoorden"]},
        {"id": "b1", "codes": ["meten_en_verantwoorden"]},
        {"id": "b2", "codes": ["basishouding"]},
        {"id": "b3", "codes": ["eigen_stem"]},
        {"id": "b4", "codes": ["relationeel_weefsel"]}])
    out = tmp_path / "uit.jsonl"
    assert main(["codeer", str(seg), "--codeboek", "impact", "--menselijk", str(human),
                 "--uit", str(out), "--stil"]) == 0
    assert "past zich aan op deze bundel: 5 van zijn segmenten" in capsys.readouterr().out
    rows = {r["id"]: r for r in read(out)}
    assert rows["b2"]["codes"] == ["basishouding"] and rows["b2"]["source"] == "mens"
    assert {rows[f"b{i}"]["source"] for i in (5, 6, 7)} == {"machine"}
