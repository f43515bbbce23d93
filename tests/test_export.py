"""CSV/XLSX exports (segments × codes, quotes) and `verhalen exporteer` end to end."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from verhalen.codes import write_codes_jsonl
from verhalen.codeboek import load_codebook, save_codebook
from verhalen.fouten import OverschrijfFout
from verhalen.model import Corpus, Document, Segment
from verhalen.uitwisseling.export import (export_tables, quotes_path_for, quotes_table,
                                          segments_codes_table, write_csv, write_xlsx)


def _corpus() -> Corpus:
    paras = {
        "interview-anouk": [
            "Anouk: “We nemen de tijd en luisteren zonder oordeel.”",
            "=SOM(A1:A3) is geen formule maar een citaat over cijfers en vragenlijsten.",
            "Over de subsidie van de gemeente is niets gezegd.",
        ],
        "verhaal-geertje": ["Geertje vertelt: ik durfde niets, nu spreek ik mee over het "
                            "plein. Ça va, zegt de buurvrouw.\x07"],
    }
    docs = []
    for did, ps in paras.items():
        text = "\n\n".join(ps)
        doc = Document(id=did, text=text, title=did.replace("-", " ").title(),
                       case_id="C-1" if did.startswith("interview") else None)
        pos = 0
        for i, p in enumerate(ps):
            doc.segments.append(Segment(id=f"{did}-{i:04d}", doc_id=did, index=i, text=p,
                                        start=pos, end=pos + len(p), section="Deel één",
                                        speakers=["Anouk"] if i == 0 and did.startswith("int")
                                        else [], roles=["sociaal professional"]
                                        if i == 0 and did.startswith("int") else []))
            pos += len(p) + 2
        docs.append(doc)
    return Corpus(documents=docs)


def _long() -> pd.DataFrame:
    rows = [
        ("interview-anouk-0000", "basishouding", 0.93, ["«luisteren zonder oordeel»"],
         "machine", "ensemble"),
        ("interview-anouk-0000", "basishouding", 1.0, [], "mens", "Sanne"),
        ("interview-anouk-0001", "meten_en_verantwoorden", 0.81, ["«cijfers»", "«vragenlijsten»"],
         "machine", "ensemble"),
        ("interview-anouk-0001", "tellen_en_vertellen", 0.4, [], "machine", "ensemble"),
        ("verhaal-geertje-0000", "eigen_stem", 1.0, [], "mens", "Sanne"),
    ]
    return pd.DataFrame(rows, columns=["segment_id", "code", "score", "evidence", "source",
                                       "coder"])


@pytest.fixture(scope="module")
def impact():
    return load_codebook("impact")


def test_segments_codes_table(impact):
    df = segments_codes_table(_corpus(), _long(), impact)
    assert list(df["segment_id"]) == ["interview-anouk-0000", "interview-anouk-0001",
                                      "interview-anouk-0002", "verhaal-geertje-0000"]
    # one 0/1 column per code in codebook order, then the scores
    code_cols = [c for c in df.columns if c in impact.ids]
    assert code_cols == impact.ids
    assert df.columns.get_loc("basishouding") < df.columns.get_loc("score_basishouding")
    row = df.set_index("segment_id")
    assert row.loc["interview-anouk-0000", "basishouding"] == 1
    assert row.loc["interview-anouk-0000", "score_basishouding"] == pytest.approx(1.0)
    assert row.loc["interview-anouk-0000", "bron_codes"] == "mens+machine"
    assert row.loc["interview-anouk-0001", ["meten_en_verantwoorden", "tellen_en_vertellen",
                                            "basishouding"]].tolist() == [1, 1, 0]
    assert row.loc["interview-anouk-0001", "score_tellen_en_vertellen"] == pytest.approx(0.4)
    assert pd.isna(row.loc["interview-anouk-0001", "score_basishouding"])
    assert row.loc["interview-anouk-0002", "n_codes"] == 0
    assert row.loc["interview-anouk-0002", "bron_codes"] == ""
    assert row.loc["interview-anouk-0000", "sprekers"] == "Anouk"
    assert row.loc["interview-anouk-0000", "casus"] == "C-1"
    assert row.loc["verhaal-geertje-0000", "bron_codes"] == "mens"
    assert int(df[impact.ids].to_numpy().sum()) == 4
    no_scores = segments_codes_table(_corpus(), _long(), impact, scores=False)
    assert not [c for c in no_scores.columns if c.startswith("score_")]


def test_quotes_table(impact):
    q = quotes_table(_corpus(), _long(), impact)
    assert len(q) == 5
    order = [impact.ids.index(c) for c in q["code"]]
    assert order == sorted(order)                          # codebook order
    basis = q[q.code == "basishouding"]
    assert list(basis["zekerheid"]) == [1.0, 0.93]         # highest confidence first
    assert list(basis["bron"]) == ["mens", "machine"]
    first = q.iloc[list(q.code).index("meten_en_verantwoorden")]
    assert first["bewijs"] == "«cijfers» | «vragenlijsten»"
    assert first["citaat"].startswith("=SOM")
    assert first["label"] == "Meten en verantwoorden"
    doc = _corpus().document("interview-anouk")
    assert doc.text[first["start"]:first["end"]] == first["citaat"]


def test_csv_is_excel_friendly_and_reads_back(tmp_path, impact):
    paths = export_tables(_corpus(), _long(), impact, tmp_path / "tabel.csv")
    assert paths == [tmp_path / "tabel.csv", tmp_path / "tabel_citaten.csv"]
    raw = paths[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                 # BOM for Excel
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("segment_id;doc_id;titel")
    assert "“We nemen de tijd" in text and "Ça va" in text  # Dutch/French characters intact
    back = pd.read_csv(paths[0], sep=";", decimal=",", encoding="utf-8-sig")
    assert back["basishouding"].tolist() == [1, 0, 0, 0]
    assert back["score_tellen_en_vertellen"].iloc[1] == pytest.approx(0.4)
    assert "0,4" in text                                    # decimal comma
    quotes = pd.read_csv(paths[1], sep=";", decimal=",", encoding="utf-8-sig")
    assert len(quotes) == 5 and quotes["zekerheid"].iloc[0] == pytest.approx(1.0)


def test_csv_refuses_overwrite_of_either_file(tmp_path, impact):
    q = quotes_path_for(tmp_path / "tabel.csv")
    q.write_text("eerder werk", encoding="utf-8")
    with pytest.raises(OverschrijfFout):
        export_tables(_corpus(), _long(), impact, tmp_path / "tabel.csv")
    assert not (tmp_path / "tabel.csv").exists()           # nothing half-written
    assert q.read_text(encoding="utf-8") == "eerder werk"
    export_tables(_corpus(), _long(), impact, tmp_path / "tabel.csv", overwrite=True)
    assert q.read_text(encoding="utf-8-sig").startswith("code;label")
    with pytest.raises(OverschrijfFout):
        write_csv(pd.DataFrame({"a": [1]}), tmp_path / "tabel.csv")


def test_xlsx_contents(tmp_path, impact):
    out = export_tables(_corpus(), _long(), impact, tmp_path / "tabel.xlsx")[0]
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Segmenten x codes", "Citaten", "Codeboek"]
    ws = wb["Segmenten x codes"]
    assert ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    assert header[:3] == ["segment_id", "doc_id", "titel"]
    for code in impact.codes:                                # code colours as header fill
        cell = ws.cell(row=1, column=header.index(code.id) + 1)
        assert cell.fill.fill_type == "solid"
        assert cell.fill.start_color.rgb[-6:] == code.colour.lstrip("#").upper()
        assert cell.font.bold
    score_cell = ws.cell(row=1, column=header.index("score_basishouding") + 1)
    assert score_cell.fill.fill_type == "solid"
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == 4
    r1 = rows["interview-anouk-0001"]
    assert r1[header.index("meten_en_verantwoorden")] == 1
    assert r1[header.index("score_meten_en_verantwoorden")] == pytest.approx(0.81)
    assert r1[header.index("score_basishouding")] is None
    # a quote that looks like a formula stays text; control characters are dropped
    cell = ws.cell(row=3, column=header.index("tekst") + 1)
    assert cell.value.startswith("=SOM") and cell.data_type == "s"
    geertje = rows["verhaal-geertje-0000"][header.index("tekst")]
    assert geertje.endswith("buurvrouw.") and "Ça va" in geertje
    quotes = wb["Citaten"]
    assert quotes.freeze_panes == "A2"
    qh = [c.value for c in quotes[1]]
    assert qh[:4] == ["code", "label", "zekerheid", "bron"]
    assert quotes.max_row == 6
    assert [c.value for c in wb["Codeboek"]["A"][1:]] == impact.ids
    with pytest.raises(OverschrijfFout):
        write_xlsx({"x": pd.DataFrame()}, out)


# ---------------------------------------------------------------------------------------------
# CLI end to end on a small project folder
# ---------------------------------------------------------------------------------------------
@pytest.fixture()
def project(tmp_path, impact) -> Path:
    folder = tmp_path / "project"
    _corpus().save(folder)
    long = _long()
    machine = long[long.source == "machine"]
    wide = (machine.groupby("segment_id", sort=False)
            .apply(lambda g: pd.Series({"codes": list(g.code),
                                        "scores": dict(zip(g.code, g.score)),
                                        "evidence": dict(zip(g.code, g.evidence))}),
                   include_groups=False)
            .reset_index().rename(columns={"segment_id": "id"}))
    write_codes_jsonl(wide, folder / "codes.jsonl")
    (folder / "menselijke_codes.jsonl").write_text(
        json.dumps({"id": "interview-anouk-0000", "codes": ["basishouding"]}) + "\n"
        + json.dumps({"id": "verhaal-geertje-0000", "codes": ["eigen_stem"]}) + "\n",
        encoding="utf-8")
    save_codebook(impact, folder / "codeboek.yaml")
    return folder


def test_cli_exporteer_all_formats(project, tmp_path, capsys):
    from verhalen.cli.main import main
    from verhalen.uitwisseling.refi_qda import import_qdc, import_qdpx, schema_errors

    out = tmp_path / "uit"
    assert main(["exporteer", str(project), "--uit", str(out / "p.qdpx")]) == 0
    printed = capsys.readouterr().out
    assert "2 menselijk" in printed and "3 automatisch" in printed
    with zipfile.ZipFile(out / "p.qdpx") as zf:
        from lxml import etree
        assert schema_errors(etree.fromstring(zf.read("project.qde"))) == []
    corpus, long, cb = import_qdpx(out / "p.qdpx")
    assert sorted(zip(long.segment_id, long.code, long.source)) == sorted(
        zip(_long().segment_id, _long().code, _long().source))
    assert [d.text for d in corpus.documents] == [d.text for d in _corpus().documents]

    assert main(["exporteer", str(project), "--uit", str(out / "t.xlsx")]) == 0
    wb = openpyxl.load_workbook(out / "t.xlsx")
    assert wb["Citaten"].max_row == 6
    assert main(["exporteer", str(project), "--uit", str(out / "t.csv")]) == 0
    assert (out / "t_citaten.csv").exists()
    assert main(["exporteer", str(project), "--uit", str(out / "cb.qdc")]) == 0
    assert sorted(import_qdc(out / "cb.qdc").ids) == sorted(load_codebook("impact").ids)
    # format from --formaat overrides the extension
    assert main(["exporteer", str(project), "--uit", str(out / "tabel.dat"),
                 "--formaat", "csv"]) == 0
    assert (out / "tabel.dat").read_bytes().startswith(b"\xef\xbb\xbf")
    capsys.readouterr()
    # unknown extension, existing output, missing codes file: Dutch errors, exit 1
    assert main(["exporteer", str(project), "--uit", str(out / "x.pdf")]) == 1
    assert "formaat" in capsys.readouterr().err
    before = (out / "p.qdpx").read_bytes()
    assert main(["exporteer", str(project), "--uit", str(out / "p.qdpx")]) == 1
    assert "bestaat al" in capsys.readouterr().err
    assert (out / "p.qdpx").read_bytes() == before
    assert main(["exporteer", str(project), "--uit", str(out / "p.qdpx"), "--overschrijf"]) == 0
    assert main(["exporteer", str(project), "--uit", str(out / "y.qdpx"),
                 "--codes", str(project / "weg.jsonl")]) == 1
    assert "weg.jsonl" in capsys.readouterr().err


def test_cli_exporteer_then_importeer(project, tmp_path):
    from verhalen.cli.main import main
    from verhalen.codes import read_codes
    from verhalen.menselijk import load_human_codes

    assert main(["exporteer", str(project), "--uit", str(tmp_path / "p.qdpx")]) == 0
    back = tmp_path / "terug"
    assert main(["importeer", str(tmp_path / "p.qdpx"), "--uit", str(back)]) == 0
    c1, c2 = Corpus.load(project), Corpus.load(back)
    assert [s.to_record() for s in c1.segments()] == [s.to_record() for s in c2.segments()]
    human = load_human_codes(back / "menselijke_codes.jsonl")
    assert {r["id"]: r["codes"] for r in human.to_dict("records")} == {
        "interview-anouk-0000": ["basishouding"], "verhaal-geertje-0000": ["eigen_stem"]}

    machine = read_codes(back / "codes.jsonl")
    assert {r["id"]: sorted(r["codes"]) for r in machine.to_dict("records")} == {
        "interview-anouk-0000": ["basishouding"],
        "interview-anouk-0001": ["meten_en_verantwoorden", "tellen_en_vertellen"]}
    assert machine.set_index("id").loc["interview-anouk-0001", "scores"][
        "tellen_en_vertellen"] == pytest.approx(0.4)


def test_cli_exporteer_pseudonimiseer(project, tmp_path):
    privacy = pytest.importorskip("verhalen.privacy")
    if not hasattr(privacy, "pseudonymise_project"):
        pytest.skip("verhalen.privacy.pseudonymise_project bestaat (nog) niet")
    from verhalen.cli.main import main

    out = tmp_path / "anon.qdpx"
    assert main(["exporteer", str(project), "--uit", str(out), "--pseudonimiseer"]) == 0
    keys = [p for p in tmp_path.iterdir() if "sleutel" in p.name]
    assert keys, "geen sleutelbestand naast de uitvoer"
    with zipfile.ZipFile(out) as zf:
        blob = b"".join(zf.read(n) for n in zf.namelist()).decode("utf-8")
    for name in ("Anouk", "Geertje"):
        assert name not in blob
