"""``verhalen lees PAD --uit MAP``: project folder, Dutch summary, exit codes, overwrite guard."""

from __future__ import annotations

import importlib.util
import json

import pytest

from verhalen.cli.main import main

STORY = ("Interviewer: Hoe kwam je bij het buurthuis terecht?\n\n"
         "Sanne (jongerenwerker): Via een vriendin. Ik bleef omdat het voelde als thuis.\n\n"
         "Interviewer: En nu?\n\n"
         "Sanne (jongerenwerker): Nu help ik zelf nieuwe jongeren op weg.\n")


@pytest.fixture
def folder(tmp_path):
    src = tmp_path / "bron"
    src.mkdir()
    (src / "sanne.txt").write_text(STORY, encoding="utf-8")
    (src / "leeg.txt").write_bytes(b"")
    return src


def test_lees_writes_project_folder_and_summary(folder, tmp_path, capsys):
    out = tmp_path / "project"
    code = main(["lees", str(folder), "--uit", str(out), "--nlp", "blank"])
    assert code == 0
    captured = capsys.readouterr()
    assert "Gelezen: 1 bestand" in captured.out
    assert "segmenten:" in captured.out and "woorden:" in captured.out
    assert "Sanne" in captured.out  # speakers found
    assert "NLP-pijplijn" in captured.out
    assert "leeg.txt" in captured.err and "Niet gelezen (1)" in captured.err
    rows = [json.loads(ln) for ln in (out / "segments.jsonl").read_text(
        encoding="utf-8").splitlines()]
    assert len(rows) == 4
    for key in ("id", "doc_id", "text", "start", "end", "section", "speakers", "roles"):
        assert key in rows[0]
    assert rows[1]["speakers"] == ["Sanne"] and rows[1]["roles"] == ["sociaal professional"]
    assert (out / "documents.jsonl").exists() and (out / "corpus.json").exists()
    meta = json.loads((out / "corpus.json").read_text(encoding="utf-8"))
    assert "leeg.txt" in json.dumps(meta)

    # an existing output folder is refused without --overschrijf
    before = (out / "segments.jsonl").read_bytes()
    code = main(["lees", str(folder), "--uit", str(out)])
    assert code == 1
    assert "--overschrijf" in capsys.readouterr().err
    assert (out / "segments.jsonl").read_bytes() == before
    assert main(["lees", str(folder), "--uit", str(out), "--overschrijf"]) == 0


def test_lees_nothing_readable_exits_1(tmp_path, capsys):
    src = tmp_path / "bron"
    src.mkdir()
    (src / "kapot.docx").write_bytes(b"niet echt")
    code = main(["lees", str(src), "--uit", str(tmp_path / "uit")])
    assert code == 1
    assert "kapot.docx" in capsys.readouterr().err
    assert not (tmp_path / "uit" / "segments.jsonl").exists()


def test_lees_single_bad_file_is_a_dutch_error(tmp_path, capsys):
    p = tmp_path / "leeg.txt"
    p.write_bytes(b"")
    assert main(["lees", str(p), "--uit", str(tmp_path / "uit")]) == 1
    err = capsys.readouterr().err
    assert "Fout:" in err and "leeg.txt" in err and "leeg" in err


def test_lees_csv_with_text_column_and_people(tmp_path, capsys):
    p = tmp_path / "verhalen.csv"
    p.write_text("nr,verteller,notitie,tekst\n"
                 "1,Fatima,kort,Ik kreeg eindelijk hulp bij de brieven van de gemeente.\n"
                 "2,Joop,lang,Het koffie-uur in de kerk is mijn vaste moment van de week.\n",
                 encoding="utf-8")
    mensen = tmp_path / "mensen.csv"
    mensen.write_text("naam,rol,organisatie,aliassen\nFatima Bouali,bewoner,,Fatima\n",
                      encoding="utf-8")
    out = tmp_path / "uit"
    assert main(["lees", str(p), "--uit", str(out), "--tekstkolom", "tekst",
                 "--mensen", str(mensen)]) == 0
    rows = [json.loads(ln) for ln in (out / "segments.jsonl").read_text(
        encoding="utf-8").splitlines()]
    assert [r["doc_id"] for r in rows] == ["verhalen-1", "verhalen-2"]
    assert rows[0]["speakers"] == ["Fatima Bouali"] and rows[0]["roles"] == ["bewoner/cliënt"]


def test_lees_pseudonimiseer(folder, tmp_path, capsys):
    out = tmp_path / "anoniem"
    code = main(["lees", str(folder), "--uit", str(out), "--pseudonimiseer"])
    if importlib.util.find_spec("verhalen.privacy") is None:
        assert code == 1
        assert "verhalen.privacy" in capsys.readouterr().err
        assert not (out / "segments.jsonl").exists()
    else:
        assert code == 0
        assert (out / "pseudoniemen_sleutel.json").exists()
        assert "Sanne" not in (out / "segments.jsonl").read_text(encoding="utf-8")
