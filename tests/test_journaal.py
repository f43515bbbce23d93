"""The human-codes journal: durable, locked appends; torn lines; the derived view."""

from __future__ import annotations

import json
import multiprocessing as mp
import warnings

import pandas as pd
import pytest

from verhalen.journaal import (ACTIONS, JOURNAL_FILE, Journal, JournaalFout,
                               JournaalWaarschuwing, replay, write_human_codes)


def _worker(path: str, worker: int, n: int) -> None:
    j = Journal(path)
    for i in range(n):
        j.append(coder=f"codeur{worker}", segment_id=f"doc-{i:04d}", action="voeg_toe",
                 code=f"code{worker}")
        j.append(coder=f"codeur{worker}", segment_id=f"doc-{i:04d}", action="memo",
                 memo=f"memo {worker}/{i} " + "x" * (i * 37 % 3000))   # lines of many sizes


def test_for_project_path(tmp_path):
    assert Journal.for_project(tmp_path).path == tmp_path / JOURNAL_FILE
    assert JOURNAL_FILE == "menselijk/journaal.jsonl"
    assert ACTIONS == ("accepteer", "verwerp", "voeg_toe", "verwijder", "memo", "klaar")


def test_append_returns_stored_record(tmp_path):
    j = Journal.for_project(tmp_path)
    rec = j.append(coder="Anna", segment_id="d-0001", action="accepteer", code="regie")
    assert set(rec) == {"id", "tijd", "codeur", "segment", "actie", "code", "memo"}
    assert rec["tijd"].endswith("Z") and rec["codeur"] == "Anna"
    line = (tmp_path / JOURNAL_FILE).read_text(encoding="utf-8")
    assert json.loads(line) == rec and line.endswith("\n")
    # another reader (a fresh object, as after a reload) sees exactly that
    assert Journal.for_project(tmp_path).records() == [rec]


def test_concurrent_appends_from_several_processes(tmp_path):
    path = str(tmp_path / "j.jsonl")
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_worker, args=(path, w, 60)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no torn line anywhere
        recs = Journal(path).records()
    assert len(recs) == 4 * 60 * 2
    assert len({r["id"] for r in recs}) == len(recs)
    for raw in open(path, encoding="utf-8"):
        json.loads(raw)                          # every line whole
    cur = Journal(path).current()
    assert len(cur) == 4 * 60
    for r in cur.to_dict("records"):
        w = r["coder"][-1]
        assert r["codes"] == [f"code{w}"] and r["memo"].startswith(f"memo {w}/")


def test_torn_last_line_is_skipped_and_next_append_is_safe(tmp_path):
    j = Journal(tmp_path / "j.jsonl")
    first = j.append(coder="A", segment_id="s1", action="voeg_toe", code="regie")
    with open(j.path, "ab") as fh:                 # a crash half-way through a line
        fh.write(b'{"id": "x", "tijd": "2026-01-01T00:00:00Z", "codeur": "A", "segm')
    fresh = Journal(j.path)
    with pytest.warns(JournaalWaarschuwing, match="regel 2"):
        assert fresh.records() == [first]
    second = fresh.append(coder="A", segment_id="s2", action="klaar")
    with pytest.warns(JournaalWaarschuwing, match="regel 2"):
        recs = Journal(j.path).records()
    assert recs == [first, second]
    assert fresh.records() == [first, second]      # incremental reader agrees
    assert fresh.current()["id"].tolist() == ["s1", "s2"]


def test_incremental_reader_sees_appends_of_another_writer(tmp_path):
    reader = Journal(tmp_path / "j.jsonl")
    assert reader.records() == [] and reader.current().empty
    writer = Journal(tmp_path / "j.jsonl")
    writer.append(coder="A", segment_id="s1", action="voeg_toe", code="regie")
    assert reader.current()["codes"].tolist() == [["regie"]]
    writer.append(coder="A", segment_id="s1", action="verwijder", code="regie")
    assert reader.current()["codes"].tolist() == [[]]


def test_derived_view_replay(tmp_path):
    j = Journal(tmp_path / "j.jsonl")
    a = lambda **kw: j.append(coder="Anna", **kw)   # noqa: E731
    a(segment_id="s1", action="accepteer", code="regie")
    a(segment_id="s1", action="verwerp", code="netwerk")
    a(segment_id="s1", action="voeg_toe", code="vertrouwen")
    a(segment_id="s1", action="memo", memo="twijfel over regie")
    a(segment_id="s1", action="verwijder", code="regie")
    a(segment_id="s2", action="memo", memo="nog lezen")
    a(segment_id="s3", action="klaar")
    a(segment_id="s4", action="verwerp", code="regie")
    a(segment_id="s4", action="accepteer", code="regie")     # changed her mind
    j.append(coder="Bram", segment_id="s1", action="accepteer", code="regie")
    cur = j.current("Anna").set_index("id")
    assert cur.loc["s1", "codes"] == ["vertrouwen"]
    assert cur.loc["s1", "rejected"] == ["netwerk"]
    assert cur.loc["s1", "memo"] == "twijfel over regie"
    assert bool(cur.loc["s1", "reviewed"])
    assert not bool(cur.loc["s2", "reviewed"]) and cur.loc["s2", "codes"] == []
    assert bool(cur.loc["s3", "reviewed"]) and cur.loc["s3", "codes"] == []
    assert cur.loc["s4", "codes"] == ["regie"] and cur.loc["s4", "rejected"] == []
    both = j.current()
    assert set(both["coder"]) == {"Anna", "Bram"} and len(both) == 5
    assert j.coders() == ["Anna", "Bram"]
    # replay of the records gives the same view
    pd.testing.assert_frame_equal(replay(j.records(), "Anna"), j.current("Anna"))
    long = j.human_long("Anna")
    assert list(long.columns) == ["segment_id", "code", "score", "evidence", "source", "coder"]
    assert sorted(zip(long["segment_id"], long["code"])) == [("s1", "vertrouwen"), ("s4", "regie")]
    assert set(long["source"]) == {"mens"} and set(long["coder"]) == {"Anna"}
    assert len(j.human_long()) == 3


@pytest.mark.parametrize("kw, msg", [
    (dict(action="gooi_weg", code="regie"), "onbekende actie"),
    (dict(action="accepteer"), "de code"),
    (dict(action="klaar", code="regie"), "geen code"),
    (dict(action="memo"), "tekst"),
    (dict(action="voeg_toe", code="regie", memo="x"), "memo"),
    (dict(action="voeg_toe", code="a\nb"), "regeleinde"),
])
def test_invalid_decisions_are_refused_and_nothing_is_written(tmp_path, kw, msg):
    j = Journal(tmp_path / "j.jsonl")
    with pytest.raises(JournaalFout, match=msg):
        j.append(coder="Anna", segment_id="s1", **kw)
    with pytest.raises(JournaalFout, match="codeur"):
        j.append(coder=" ", segment_id="s1", action="klaar")
    assert not j.path.exists()


def test_hand_edited_invalid_line_names_file_and_line(tmp_path):
    p = tmp_path / "j.jsonl"
    Journal(p).append(coder="A", segment_id="s1", action="klaar")
    with open(p, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"codeur": "A", "segment": "s1", "actie": "wis"}) + "\n")
    with pytest.raises(JournaalFout, match=r"j\.jsonl, regel 2: onbekende actie"):
        Journal(p).records()


def test_human_codes_file_for_codeer_menselijk(tmp_path):
    from verhalen.codeboek import load_codebook
    from verhalen.menselijk import load_human_codes

    cb = load_codebook("impact")
    c1, c2 = cb.ids[:2]
    j = Journal.for_project(tmp_path)
    j.append(coder="Anna", segment_id="d-0001", action="accepteer", code=c1)
    j.append(coder="Anna", segment_id="d-0001", action="memo", memo="mooi citaat")
    j.append(coder="Anna", segment_id="d-0002", action="klaar")
    j.append(coder="Anna", segment_id="d-0003", action="memo", memo="alleen memo")
    out = write_human_codes(tmp_path, tmp_path / "mens.jsonl", codebook=cb)
    human = load_human_codes(out, ["d-0001", "d-0002", "d-0003"], cb)
    assert human["id"].tolist() == ["d-0001", "d-0002"]        # memo alone: not reviewed
    assert human["codes"].tolist() == [[c1], []]
    assert human["memo"].tolist()[0] == "mooi citaat" and set(human["codeur"]) == {"Anna"}
    from verhalen.fouten import OverschrijfFout
    with pytest.raises(OverschrijfFout):
        write_human_codes(tmp_path, out)
    j.append(coder="Bram", segment_id="d-0001", action="voeg_toe", code=c2)
    with pytest.raises(JournaalFout, match="meer codeurs"):
        write_human_codes(tmp_path, tmp_path / "x.jsonl")
    out_b = write_human_codes(tmp_path, tmp_path / "bram.jsonl", coder="Bram")
    assert load_human_codes(out_b)["codes"].tolist() == [[c2]]
    with pytest.raises(JournaalFout, match="Cees"):
        write_human_codes(tmp_path, tmp_path / "c.jsonl", coder="Cees")
