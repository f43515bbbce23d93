"""Human codes: loading and validation, merging with machine codes, safe save and append."""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest

from verhalen.codeboek import Code, Codebook
from verhalen.fouten import OverschrijfFout, VerhalenFout
from verhalen.menselijk import (MenselijkeCodesFout, MenselijkeCodesWaarschuwing,
                                append_human_codes, load_human_codes, merge_codes,
                                save_human_codes)


@pytest.fixture()
def codebook():
    return Codebook(name="impact-toets", codes=[
        Code("basishouding", "Basishouding", "luisteren", {"vakmanschap": 1.0}),
        Code("preventie", "Preventie", "voorkomen", {"doelmatigheid": 1.0}),
        Code("eigen_stem", "Eigen stem", "zelf bepalen", {"betekenisgeving": 1.0}),
    ])


@pytest.fixture()
def segments():
    return pd.DataFrame({"id": ["A-001", "A-002", "A-003", "A-004"],
                         "text": ["een", "twee", "drie", "vier"]})


def _write(path, lines):
    path.write_text("".join(json.dumps(l, ensure_ascii=False) + "\n" for l in lines),
                    encoding="utf-8")
    return path


def test_load_valid_jsonl(tmp_path, segments, codebook):
    p = _write(tmp_path / "mens.jsonl", [
        {"id": "A-001", "codes": ["basishouding"], "opmerking": "duidelijk"},
        {"id": "A-002", "codes": []},
        {"id": "A-003", "codes": ["preventie", "eigen_stem"]},
    ])
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # a clean file gives no warning
        df = load_human_codes(p, segments, codebook)
    assert list(df["id"]) == ["A-001", "A-002", "A-003"]
    assert df["codes"].tolist() == [["basishouding"], [], ["preventie", "eigen_stem"]]
    assert set(df["source"]) == {"mens"}
    assert df.loc[0, "scores"] == {"basishouding": 1.0}
    assert df.loc[0, "opmerking"] == "duidelijk" and pd.isna(df.loc[1, "opmerking"])
    assert df.attrs["validatie"]["n_segmenten"] == 3


def test_unknown_code_is_an_error_with_line_and_suggestion(tmp_path, segments, codebook):
    p = tmp_path / "mens.jsonl"
    p.write_text('{"id": "A-001", "codes": ["basishouding"]}\n\n'
                 '{"id": "A-002", "codes": ["basishoudng", "Preventie"]}\n', encoding="utf-8")
    with pytest.raises(MenselijkeCodesFout) as info:
        load_human_codes(p, segments, codebook)
    msg = str(info.value)
    assert str(p) in msg and "regel 3" in msg and "A-002" in msg
    assert "'basishoudng'" in msg and "bedoelde je 'basishouding'" in msg
    assert "bedoelde je 'preventie'" in msg
    assert isinstance(info.value, VerhalenFout)


def test_csv_comma_separated_codes_get_a_hint(tmp_path, codebook):
    p = tmp_path / "mens.csv"
    p.write_text("id,codes\nA-001,\"basishouding,preventie\"\n", encoding="utf-8")
    with pytest.raises(MenselijkeCodesFout, match="regel 2.*';'"):
        load_human_codes(p, None, codebook)


def test_unknown_ids_warn_and_are_dropped(tmp_path, segments, codebook):
    p = _write(tmp_path / "mens.jsonl", [
        {"id": "A-001", "codes": ["basishouding"]},
        {"id": "Z-999", "codes": ["preventie"]},
    ])
    with pytest.warns(MenselijkeCodesWaarschuwing, match=r"regel 2 \(Z-999\)"):
        df = load_human_codes(p, segments, codebook)
    assert list(df["id"]) == ["A-001"]
    assert df.attrs["validatie"]["onbekende_ids"] == ["Z-999"]


def test_duplicates_are_merged_with_a_warning(tmp_path, segments, codebook):
    p = _write(tmp_path / "mens.jsonl", [
        {"id": "A-001", "codes": ["basishouding"]},
        {"id": "A-002", "codes": ["preventie"]},
        {"id": "A-001", "codes": ["eigen_stem"]},
    ])
    with pytest.warns(MenselijkeCodesWaarschuwing, match=r"A-001 \(regels 1, 3\)"):
        df = load_human_codes(p, segments, codebook)
    assert df.set_index("id").loc["A-001", "codes"] == ["basishouding", "eigen_stem"]
    with pytest.warns(MenselijkeCodesWaarschuwing, match="laatste regel"):
        last = load_human_codes(p, segments, codebook, duplicates="laatste")
    assert last.set_index("id").loc["A-001", "codes"] == ["eigen_stem"]
    assert list(last["id"]) == ["A-001", "A-002"]


def test_empty_id_and_bad_format(tmp_path):
    p = _write(tmp_path / "mens.jsonl", [{"id": "", "codes": []}])
    with pytest.raises(MenselijkeCodesFout, match="regel 1"):
        load_human_codes(p)
    bad = tmp_path / "mens.jsonl"
    bad.write_text('{"id": "A-001", "codes": "basishouding"}\n', encoding="utf-8")
    with pytest.raises(VerhalenFout, match="regel 1"):
        load_human_codes(bad)
    with pytest.raises(MenselijkeCodesFout, match=r"\.txt"):
        (tmp_path / "codes.txt").write_text("x", encoding="utf-8")
        load_human_codes(tmp_path / "codes.txt")


def test_long_csv_and_line_numbers(tmp_path, segments, codebook):
    p = tmp_path / "lang.csv"
    p.write_text("id,code\nA-001,basishouding\nA-001,preventie\nA-002,eigen_stm\n",
                 encoding="utf-8")
    with pytest.raises(MenselijkeCodesFout, match="regel 4 .*A-002.*eigen_stem"):
        load_human_codes(p, segments, codebook)
    p.write_text("id,code\nA-001,basishouding\nA-001,preventie\nA-002,\n", encoding="utf-8")
    df = load_human_codes(p, segments, codebook).set_index("id")
    assert df.loc["A-001", "codes"] == ["basishouding", "preventie"]
    assert df.loc["A-002", "codes"] == []


def test_merge_human_wins_and_nothing_is_lost():
    machine = pd.DataFrame([
        {"id": "A-001", "codes": ["preventie"], "scores": {"preventie": 0.7},
         "evidence": {"preventie": ["zin 1"]}},
        {"id": "A-002", "codes": ["basishouding", "preventie"],
         "scores": {"basishouding": 0.6, "preventie": 0.55},
         "evidence": {"basishouding": ["zin 2"], "preventie": ["zin 3"]}},
    ])
    human = pd.DataFrame([
        {"id": "A-002", "codes": ["basishouding"], "source": "mens"},
        {"id": "A-009", "codes": ["eigen_stem"], "source": "mens"},
    ])
    merged = merge_codes(machine, human).set_index("id")
    assert list(merged.index) == ["A-001", "A-002", "A-009"]
    assert merged.loc["A-001", "source"] == "machine"
    assert merged.loc["A-001", "scores"] == {"preventie": 0.7}
    assert merged.loc["A-002", "source"] == "mens"
    assert merged.loc["A-002", "codes"] == ["basishouding"]
    assert merged.loc["A-002", "scores"] == {"basishouding": 1.0}
    assert merged.loc["A-002", "evidence"] == {"basishouding": ["zin 2"]}
    assert merged.loc["A-002", "machine_codes"] == ["basishouding", "preventie"]
    assert merged.loc["A-009", "codes"] == ["eigen_stem"]     # human-only segment kept
    # the inputs are not modified
    assert machine.loc[1, "codes"] == ["basishouding", "preventie"]


def test_human_empty_list_overrides_machine():
    machine = pd.DataFrame([{"id": "1", "codes": ["preventie"], "scores": {"preventie": 0.9},
                             "evidence": {}}])
    human = pd.DataFrame([{"id": "1", "codes": []}])
    row = merge_codes(machine, human).iloc[0]
    assert row["codes"] == [] and row["source"] == "mens" and row["machine_codes"] == ["preventie"]


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_round_trip(tmp_path, segments, codebook, suffix):
    human = pd.DataFrame([
        {"id": "A-001", "codes": ["basishouding", "preventie"], "opmerking": "twijfel; later"},
        {"id": "A-002", "codes": [], "opmerking": "géén code"},
        {"id": "A-003", "codes": ["eigen_stem"], "opmerking": "citaat \"zo\""},
    ])
    p = save_human_codes(human, tmp_path / f"mens{suffix}", codebook=codebook)
    back = load_human_codes(p, segments, codebook)
    assert back["id"].tolist() == human["id"].tolist()
    assert back["codes"].tolist() == human["codes"].tolist()
    assert back["opmerking"].tolist() == human["opmerking"].tolist()
    # and the loaded frame saves to the same bytes (scores/evidence/source are not written)
    p2 = save_human_codes(back, tmp_path / f"opnieuw{suffix}")
    assert p2.read_bytes() == p.read_bytes()


def test_save_refuses_to_overwrite(tmp_path):
    p = save_human_codes({"A-001": ["basishouding"]}, tmp_path / "mens.jsonl")
    before = p.read_bytes()
    with pytest.raises(OverschrijfFout, match="append_human_codes"):
        save_human_codes({"A-001": []}, p)
    assert p.read_bytes() == before
    save_human_codes({"A-001": []}, p, overwrite=True)
    assert json.loads(p.read_text(encoding="utf-8"))["codes"] == []


def test_save_validates_before_writing(tmp_path, codebook):
    with pytest.raises(MenselijkeCodesFout, match="rij 1"):
        save_human_codes({"A-001": ["nope"]}, tmp_path / "mens.jsonl", codebook=codebook)
    assert not (tmp_path / "mens.jsonl").exists()


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_append_never_loses_earlier_lines(tmp_path, segments, codebook, suffix):
    p = tmp_path / f"mens{suffix}"
    append_human_codes(p, {"A-001": ["basishouding"]}, codebook=codebook)   # creates the file
    first = p.read_bytes()
    append_human_codes(p, [{"id": "A-002", "codes": ["preventie"]}], codebook=codebook)
    second = p.read_bytes()
    assert second.startswith(first) and len(second) > len(first)
    # a correction: a new line for A-001; earlier line stays in the file
    append_human_codes(p, pd.DataFrame([{"id": "A-001", "codes": ["eigen_stem"]}]),
                       codebook=codebook, segments_df=segments)
    third = p.read_bytes()
    assert third.startswith(second)
    with pytest.warns(MenselijkeCodesWaarschuwing):
        merged = load_human_codes(p, segments, codebook).set_index("id")
    assert merged.loc["A-001", "codes"] == ["basishouding", "eigen_stem"]
    with pytest.warns(MenselijkeCodesWaarschuwing):
        latest = load_human_codes(p, segments, codebook, duplicates="laatste").set_index("id")
    assert latest.loc["A-001", "codes"] == ["eigen_stem"]
    assert latest.loc["A-002", "codes"] == ["preventie"]


def test_append_refuses_bad_rows_and_writes_nothing(tmp_path, segments, codebook):
    p = save_human_codes({"A-001": ["basishouding"]}, tmp_path / "mens.jsonl")
    before = p.read_bytes()
    with pytest.raises(MenselijkeCodesFout, match="nieuwe rij 1.*preventi"):
        append_human_codes(p, {"A-002": ["preventi"]}, codebook=codebook)
    with pytest.raises(MenselijkeCodesFout, match="Z-1"):
        append_human_codes(p, {"Z-1": ["preventie"]}, segments_df=segments)
    assert p.read_bytes() == before


def test_append_keeps_a_file_without_final_newline_and_bom(tmp_path, codebook):
    p = tmp_path / "mens.jsonl"
    p.write_bytes(b'\xef\xbb\xbf{"id": "A-001", "codes": ["basishouding"]}')
    append_human_codes(p, {"A-002": ["preventie"]})
    data = p.read_bytes()
    assert data.startswith(b'\xef\xbb\xbf{"id": "A-001", "codes": ["basishouding"]}\n')
    df = load_human_codes(p, None, codebook)
    assert df["id"].tolist() == ["A-001", "A-002"]


def test_append_to_long_csv_keeps_its_layout(tmp_path, codebook):
    p = tmp_path / "lang.csv"
    p.write_text("id,code\nA-001,basishouding\n", encoding="utf-8")
    append_human_codes(p, {"A-002": ["preventie", "eigen_stem"], "A-003": []})
    assert p.read_text(encoding="utf-8") == (
        "id,code\nA-001,basishouding\nA-002,preventie\nA-002,eigen_stem\nA-003,\n")
    df = load_human_codes(p, None, codebook).set_index("id")
    assert df.loc["A-002", "codes"] == ["preventie", "eigen_stem"]
    assert df.loc["A-003", "codes"] == []
