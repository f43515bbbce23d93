"""A run never loses anyone's work.

* writes are atomic: a crash in the middle of writing (the write, the fsync or the rename
  fails, or Ctrl-C arrives) leaves the earlier file exactly as it was and no temporary files;
  a project folder is written as one unit (all files or none);
* every command that writes refuses earlier output without ``--overschrijf`` and says so in
  Dutch;
* a file with human codes is never overwritten by a machine run, not even with
  ``--overschrijf``;
* an interrupted run (KeyboardInterrupt inside the coder, the topic model or a write) leaves
  the earlier outputs intact and ``main`` returns 130.
"""

from __future__ import annotations

import importlib.util
import json
import os
import stat
from pathlib import Path

import pytest

from verhalen import opslag
from verhalen.cli.main import COMMANDS, main
from verhalen.fouten import OverschrijfFout
from verhalen.opslag import (atomic_files, atomic_path, atomic_write_bytes, atomic_write_text,
                             ensure_output_dir, human_codes_kind, refuse_human_codes,
                             refuse_overwrite)

STORIES = {
    "kees.txt": (
        "Interview met Kees, jongerenwerker.\n\n"
        "We nemen de tijd voor de jongeren en luisteren zonder oordeel. Zo ontstaat een "
        "vertrouwensband, en dat is de basis van ons werk.\n\n"
        "Elk kwartaal rapporteren we de cijfers en indicatoren aan de gemeente, die de subsidie "
        "verstrekt. Die registratie kost veel tijd.\n"),
    "noor.md": (
        "# Niet meer alleen\n\n"
        "Na de dood van mijn man zat ik vaak alleen thuis. De buurvrouw nam me mee naar het "
        "buurthuis, en daar heb ik nieuwe mensen leren kennen.\n\n"
        "De wijkteammedewerker keek samen met mij wat ík wilde. Ik bepaalde zelf het tempo.\n"),
    "lector.txt": (
        "Onderzoekers en professionals leren samen in een werkplaats. Praktijkgericht onderzoek "
        "helpt om het vakmanschap te versterken.\n\n"
        "Het bewijs voor de effectiviteit van interventies is vaak dun; we meten de impact met "
        "een nulmeting en een vragenlijst.\n"),
}
PROJECT_FILES = ("segments.jsonl", "documents.jsonl", "corpus.json")


def leftovers(folder: Path) -> list[str]:
    """Temporary or backup files the safe writers may have left behind."""
    return sorted(p.name for p in Path(folder).rglob(".*") if p.name.endswith((".tmp", ".backup")))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(Path(folder).rglob("*")) if p.is_file()}


@pytest.fixture
def stories(tmp_path) -> Path:
    folder = tmp_path / "verhalen"
    folder.mkdir()
    for name, text in STORIES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def project(stories, tmp_path) -> Path:
    """A project folder written by ``verhalen lees`` plus machine codes (rule coder)."""
    out = tmp_path / "project"
    assert main(["lees", str(stories), "--uit", str(out)]) == 0
    assert main(["codeer", str(out), "--coder", "regels", "--stil"]) == 0
    assert (out / "codes.jsonl").exists()
    return out


def _has(command: str) -> bool:
    return command in COMMANDS and importlib.util.find_spec(
        f"verhalen.cli.{COMMANDS[command][0]}") is not None


# ------------------------------------------------------------------------------------------
# atomic writes
# ------------------------------------------------------------------------------------------
def _boom(exc):
    def raiser(*a, **k):
        raise exc
    return raiser


@pytest.mark.parametrize("exc", [OSError("schijf vol"), KeyboardInterrupt()])
@pytest.mark.parametrize("where", ["replace", "fsync", "write"])
def test_crash_mid_write_keeps_earlier_file(tmp_path, monkeypatch, where, exc):
    target = tmp_path / "codes.jsonl"
    target.write_text("oud\n", encoding="utf-8")
    if where == "replace":
        monkeypatch.setattr(opslag.os, "replace", _boom(exc))
    elif where == "fsync":
        monkeypatch.setattr(opslag.os, "fsync", _boom(exc))
    else:
        class Half:
            """A file handle that writes half the data, then fails."""

            def __init__(self, fh):
                self.fh = fh

            def __enter__(self):
                return self

            def __exit__(self, *a):
                self.fh.close()

            def write(self, data):
                self.fh.write(data[: len(data) // 2])
                self.fh.flush()
                raise exc

        real_open = open
        monkeypatch.setattr("builtins.open", lambda p, m="r", *a, **k: Half(real_open(p, m, *a, **k))
                            if "w" in m else real_open(p, m, *a, **k))
    with pytest.raises(type(exc)):
        atomic_write_text(target, "nieuw\n" * 1000)
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == "oud\n"
    assert leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["codes.jsonl"]


def test_crash_writing_a_new_file_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(opslag.os, "replace", _boom(OSError("kapot")))
    with pytest.raises(OSError):
        atomic_write_bytes(tmp_path / "sub" / "nieuw.bin", b"\x00" * 100)
    monkeypatch.undo()
    assert not (tmp_path / "sub" / "nieuw.bin").exists()
    assert leftovers(tmp_path) == []


def test_atomic_path_block_error_keeps_file(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("oud", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("crash")
    assert target.read_text(encoding="utf-8") == "oud" and leftovers(tmp_path) == []
    with atomic_path(target) as tmp:
        tmp.write_text("nieuw", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "nieuw" and leftovers(tmp_path) == []


def test_written_files_get_normal_permissions(tmp_path):
    new = atomic_write_text(tmp_path / "nieuw.txt", "x")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~mask   # not mkstemp's 0600
    old = tmp_path / "oud.txt"
    old.write_text("x")
    old.chmod(0o640)
    atomic_write_text(old, "y")
    assert stat.S_IMODE(old.stat().st_mode) == 0o640


def test_atomic_write_text_keeps_newlines_and_encoding(tmp_path):
    p = atomic_write_text(tmp_path / "t.txt", "één\ntwee\r\ndrie")
    assert p.read_bytes() == "één\ntwee\r\ndrie".encode("utf-8")
    p = atomic_write_text(tmp_path / "t.txt", "café", encoding="cp1252")
    assert p.read_bytes() == b"caf\xe9"


def test_atomic_files_all_or_nothing(tmp_path, monkeypatch):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.json"
    a.write_text("oud-a", encoding="utf-8")
    b.write_text("oud-b", encoding="utf-8")
    # a crash inside the block: nothing replaced
    with pytest.raises(KeyboardInterrupt):
        with atomic_files() as out:
            out.write_text(a, "nieuw-a")
            raise KeyboardInterrupt
    assert (a.read_text(), b.read_text()) == ("oud-a", "oud-b") and leftovers(tmp_path) == []
    # the second rename fails: the first file is put back
    real = os.replace
    calls = []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("rename mislukt")
        return real(src, dst)

    monkeypatch.setattr(opslag.os, "replace", flaky)
    c = tmp_path / "c.csv"   # a new file in the same set: removed again
    with pytest.raises(OSError):
        with atomic_files() as out:
            out.write_text(c, "nieuw-c")
            out.write_text(a, "nieuw-a")
            out.write_text(b, "nieuw-b")
    monkeypatch.undo()
    assert (a.read_text(), b.read_text()) == ("oud-a", "oud-b")
    assert not c.exists() and leftovers(tmp_path) == []
    # success: every file new, nothing left over
    with atomic_files() as out:
        out.write_text(a, "nieuw-a")
        out.write_bytes(b, b"nieuw-b")
        with open(out.path(c), "w", encoding="utf-8") as fh:   # for libraries needing a path
            fh.write("nieuw-c")
    assert (a.read_text(), b.read_text(), c.read_text()) == ("nieuw-a", "nieuw-b", "nieuw-c")
    assert leftovers(tmp_path) == []


def test_ensure_output_dir_and_refuse_overwrite(tmp_path):
    folder = tmp_path / "uit"
    assert ensure_output_dir(folder, marker=["segments.jsonl", "mensen.csv"]).is_dir()
    (folder / "mensen.csv").write_text("naam,rol\n")
    with pytest.raises(OverschrijfFout, match="--overschrijf") as err:
        ensure_output_dir(folder, marker=["segments.jsonl", "mensen.csv"])
    assert "mensen.csv" in str(err.value) and str(folder) in str(err.value)
    ensure_output_dir(folder, marker="segments.jsonl")             # other files: fine
    ensure_output_dir(folder, overwrite=True, marker="mensen.csv")
    with pytest.raises(OverschrijfFout, match="bevat al uitvoer"):
        ensure_output_dir(folder)                                   # any file counts
    with pytest.raises(OverschrijfFout, match="geen map"):
        ensure_output_dir(folder / "mensen.csv")
    with pytest.raises(OverschrijfFout, match="bestaat al"):
        refuse_overwrite(folder / "mensen.csv")
    assert refuse_overwrite(folder / "mensen.csv", overwrite=True)


def test_human_codes_are_recognised_and_refused(tmp_path):
    human = tmp_path / "mijn_codes.jsonl"
    human.write_text('{"id": "s1", "codes": ["basishouding"]}\n{"id": "s2", "codes": []}\n')
    assert human_codes_kind(human) == ("mens", {"s1", "s2"})
    with pytest.raises(OverschrijfFout, match="menselijke codes"):
        refuse_human_codes(human)
    csv = tmp_path / "mijn_codes.csv"
    csv.write_text("id,codes\ns1,basishouding\n")
    assert human_codes_kind(csv)[0] == "mens"
    machine = tmp_path / "codes.jsonl"
    machine.write_text('{"id": "s1", "codes": [], "scores": {}, "evidence": {}}\n')
    assert human_codes_kind(machine) == ("machine", set())
    assert refuse_human_codes(machine) == machine
    with pytest.raises(OverschrijfFout, match="nooit overschreven"):
        refuse_human_codes(machine, sources=[None, machine])       # the run's own input
    mixed = tmp_path / "samen.jsonl"
    mixed.write_text('{"id": "s1", "codes": ["basishouding"], "scores": {"basishouding": 1.0}, '
                     '"evidence": {}, "source": "mens"}\n'
                     '{"id": "s2", "codes": [], "scores": {}, "evidence": {}, "source": "machine"}\n')
    assert human_codes_kind(mixed) == ("gemengd", {"s1"})
    with pytest.raises(OverschrijfFout, match="verloren"):
        refuse_human_codes(mixed)
    assert refuse_human_codes(mixed, kept_ids={"s1"}) == mixed      # carried over: fine
    assert human_codes_kind(tmp_path / "bestaat-niet.jsonl") == ("machine", set())
    junk = tmp_path / "rommel.jsonl"
    junk.write_text("geen json\n")
    assert human_codes_kind(junk) == ("machine", set())


# ------------------------------------------------------------------------------------------
# commands refuse earlier output
# ------------------------------------------------------------------------------------------
def test_lees_refuses_existing_project(project, stories, capsys):
    before = snapshot(project)
    capsys.readouterr()
    assert main(["lees", str(stories), "--uit", str(project)]) == 1
    err = capsys.readouterr().err
    assert "--overschrijf" in err and "bevat al uitvoer" in err and str(project) in err
    assert snapshot(project) == before


def test_lees_never_overwrites_a_users_people_table(stories, tmp_path, capsys):
    """``--uit`` pointing at a folder that holds the user's own mensen.csv."""
    out = tmp_path / "uit"
    out.mkdir()
    (out / "mensen.csv").write_text("naam,rol,organisatie,aliassen\nKees,jongerenwerker,,K.\n",
                                    encoding="utf-8")
    before = snapshot(out)
    assert main(["lees", str(stories), "--uit", str(out)]) == 1
    assert "mensen.csv" in capsys.readouterr().err
    assert snapshot(out) == before


def test_codeer_refuses_then_overwrites_machine_codes(project, capsys):
    codes = project / "codes.jsonl"
    before = codes.read_bytes()
    capsys.readouterr()
    assert main(["codeer", str(project), "--coder", "regels", "--stil"]) == 1
    err = capsys.readouterr().err
    assert "bestaat al" in err and "--overschrijf" in err
    assert codes.read_bytes() == before
    assert main(["codeer", str(project), "--coder", "regels", "--stil", "--overschrijf"]) == 0
    assert codes.read_bytes() == before       # same input, same machine codes, replaced
    assert leftovers(project) == []


def _human_file(project: Path, path: Path) -> Path:
    ids = [json.loads(l)["id"] for l in (project / "segments.jsonl").read_text().splitlines()]
    path.write_text(json.dumps({"id": ids[0], "codes": ["basishouding"]}) + "\n"
                    + json.dumps({"id": ids[1], "codes": []}) + "\n", encoding="utf-8")
    return path


def test_codeer_overschrijf_never_touches_human_codes(project, capsys):
    human = _human_file(project, project / "menselijk.jsonl")
    before = human.read_bytes()
    # --uit is the human-codes file itself (as input and as output)
    for argv in (["--menselijk", str(human), "--uit", str(human)],
                 ["--uit", str(human)]):
        capsys.readouterr()
        assert main(["codeer", str(project), "--coder", "regels", "--stil", "--overschrijf",
                     *argv]) == 1, argv
        err = capsys.readouterr().err
        assert "menselijke codes" in err and "nooit overschreven" in err
        assert human.read_bytes() == before
    # the default output (MAP/codes.jsonl) when that is where the researcher keeps codes
    codes = project / "codes.jsonl"
    codes.write_bytes(before)
    assert main(["codeer", str(project), "--coder", "regels", "--stil", "--overschrijf",
                 "--menselijk", str(codes)]) == 1
    assert codes.read_bytes() == before
    assert leftovers(project) == []


def test_codeer_keeps_human_codes_carried_in_earlier_output(project, tmp_path, capsys):
    human = _human_file(project, tmp_path / "menselijk.jsonl")
    merged = tmp_path / "samen.jsonl"
    assert main(["codeer", str(project), "--coder", "regels", "--stil", "--menselijk",
                 str(human), "--uit", str(merged)]) == 0
    assert human_codes_kind(merged)[0] == "gemengd"
    before = merged.read_bytes()
    # without the human codes this run would drop them: refused even with --overschrijf
    assert main(["codeer", str(project), "--coder", "regels", "--stil", "--overschrijf",
                 "--uit", str(merged)]) == 1
    assert "verloren" in capsys.readouterr().err
    assert merged.read_bytes() == before
    # with them it may replace its own earlier output
    assert main(["codeer", str(project), "--coder", "regels", "--stil", "--overschrijf",
                 "--menselijk", str(human), "--uit", str(merged)]) == 0
    assert merged.read_bytes() == before


def test_themas_refuses_existing_output_before_work(project, monkeypatch, capsys):
    import verhalen.themas as themas

    monkeypatch.setattr(themas.ThemaModel, "fit", _boom(AssertionError("mag niet draaien")))
    for name in ("themas.jsonl", "themas_tabel.csv", "themas_codes.csv"):
        sentinel = project / name
        sentinel.write_text("eerder werk\n", encoding="utf-8")
        capsys.readouterr()
        assert main(["themas", str(project), "--uit", str(project)]) == 1
        err = capsys.readouterr().err
        assert name in err and "--overschrijf" in err
        assert sentinel.read_text(encoding="utf-8") == "eerder werk\n"
        sentinel.unlink()


#: later commands, when registered: (command, argv builder, output that must be refused)
LATER = {
    "rapport": lambda p, t: (["rapport", str(p), "--uit", str(p / "rapport.html")],
                             p / "rapport.html"),
    "analyse": lambda p, t: (["analyse", str(t), "--uit", str(p)], p / "segments.jsonl"),
    "exporteer": lambda p, t: (["exporteer", str(p), "--uit", str(p / "project.qdpx")],
                               p / "project.qdpx"),
    "importeer": lambda p, t: (["importeer", str(p / "in.qdpx"), "--uit", str(p)],
                               p / "segments.jsonl"),
}


@pytest.mark.parametrize("command", sorted(LATER))
def test_later_commands_refuse_existing_output(command, project, stories, capsys):
    if not _has(command):
        pytest.skip(f"verhalen {command} bestaat nog niet")
    argv, target = LATER[command](project, stories)
    if command == "importeer":   # a valid project file, exported from this project
        from verhalen.codes import read_codes, wide_to_long
        from verhalen.codeboek import load_codebook
        from verhalen.model import Corpus
        from verhalen.uitwisseling.refi_qda import export_qdpx

        export_qdpx(Corpus.load(project), wide_to_long(read_codes(project / "codes.jsonl")),
                    load_codebook("impact"), project / "in.qdpx")
    if not target.exists():
        target.write_text("eerder werk\n", encoding="utf-8")
    before = snapshot(project)
    capsys.readouterr()
    assert main(argv) == 1, argv
    err = capsys.readouterr().err
    assert "--overschrijf" in err, err
    assert snapshot(project) == before
    assert leftovers(project) == []


# ------------------------------------------------------------------------------------------
# interrupted runs
# ------------------------------------------------------------------------------------------
def test_interrupted_codeer_keeps_earlier_codes(project, monkeypatch, capsys):
    from verhalen.coderen.regels import RuleCoder

    before = snapshot(project)
    monkeypatch.setattr(RuleCoder, "raw_scores", _boom(KeyboardInterrupt()))
    assert main(["codeer", str(project), "--coder", "regels", "--stil", "--overschrijf"]) == 130
    assert "Afgebroken" in capsys.readouterr().err
    assert snapshot(project) == before and leftovers(project) == []


@pytest.mark.slow
def test_interrupted_ensemble_keeps_earlier_codes(project, monkeypatch, capsys, tmp_path):
    """The default coder, interrupted in its semantic part (after the embeddings)."""
    from verhalen.coderen.semantisch import SemanticCoder

    monkeypatch.setenv("VERHALEN_CACHE", os.environ.get("VERHALEN_TEST_CACHE")
                       or str(tmp_path / "cache"))
    before = snapshot(project)
    real = SemanticCoder.raw_scores

    def interrupted(self, batch):
        real(self, batch)
        raise KeyboardInterrupt

    monkeypatch.setattr(SemanticCoder, "raw_scores", interrupted)
    assert main(["codeer", str(project), "--stil", "--overschrijf"]) == 130
    assert snapshot(project) == before and leftovers(project) == []


def test_interrupted_lees_keeps_earlier_project(project, stories, monkeypatch):
    """Ctrl-C while the project files are being written: all old files stay, none half new."""
    (stories / "extra.txt").write_text("Een nieuw verhaal over de buurt en het buurthuis.\n",
                                       encoding="utf-8")
    before = snapshot(project)
    real = opslag._write
    calls = []

    def second_write_interrupted(tmp, data):
        calls.append(tmp)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(tmp, data)

    monkeypatch.setattr(opslag, "_write", second_write_interrupted)
    assert main(["lees", str(stories), "--uit", str(project), "--overschrijf"]) == 130
    assert len(calls) == 2
    assert snapshot(project) == before and leftovers(project) == []
    monkeypatch.undo()
    assert main(["lees", str(stories), "--uit", str(project), "--overschrijf"]) == 0
    assert "extra" in (project / "documents.jsonl").read_text(encoding="utf-8")


def test_interrupted_rename_of_project_restores_earlier_files(project, stories, monkeypatch):
    (stories / "extra.txt").write_text("Nog een verhaal over vrijwilligers in de wijk.\n",
                                       encoding="utf-8")
    before = snapshot(project)
    real = os.replace
    calls = []

    def third_rename_fails(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(src, dst)

    monkeypatch.setattr(opslag.os, "replace", third_rename_fails)
    assert main(["lees", str(stories), "--uit", str(project), "--overschrijf"]) == 130
    monkeypatch.undo()
    assert snapshot(project) == before and leftovers(project) == []


def test_interrupted_themas_keeps_earlier_output(project, monkeypatch, capsys):
    import verhalen.themas as themas

    for name in ("themas.jsonl", "themas_tabel.csv", "themas_codes.csv"):
        (project / name).write_text(f"eerder werk: {name}\n", encoding="utf-8")
    before = snapshot(project)
    monkeypatch.setattr(themas.ThemaModel, "fit", _boom(KeyboardInterrupt()))
    assert main(["themas", str(project), "--uit", str(project), "--overschrijf",
                 "--geen-codering"]) == 130
    assert "Afgebroken" in capsys.readouterr().err
    assert snapshot(project) == before and leftovers(project) == []


@pytest.mark.slow
def test_interrupted_analyse_keeps_earlier_output(project, stories, monkeypatch, tmp_path):
    if not _has("analyse"):
        pytest.skip("verhalen analyse bestaat nog niet")
    from verhalen.coderen.regels import RuleCoder

    monkeypatch.setenv("VERHALEN_CACHE", os.environ.get("VERHALEN_TEST_CACHE")
                       or str(tmp_path / "cache"))
    before = snapshot(project)
    monkeypatch.setattr(RuleCoder, "raw_scores", _boom(KeyboardInterrupt()))
    assert main(["analyse", str(stories), "--uit", str(project), "--overschrijf"]) == 130
    after = snapshot(project)
    for name, data in before.items():
        assert after.get(name) == data, f"{name} is aangetast door een afgebroken analyse"
    assert leftovers(project) == []


def test_themas_writes_its_three_files_together(project, monkeypatch):
    """Ctrl-C between the files of ``verhalen themas``: the earlier three stay as they were."""
    import pandas as pd

    import verhalen.themas as themas

    state = {"label": "0_buurt"}

    class FakeModel:
        def __init__(self, **kwargs):
            pass

        def fit(self, segs):
            self.assignments_ = pd.DataFrame({
                "id": segs["id"], "segment_id": segs["id"], "doc_id": segs["doc_id"],
                "topic": 0, "label": state["label"], "gelijkenis": 0.5})
            return self

        def summary(self):
            return "1 thema"

    table = pd.DataFrame({"label": ["0_buurt"], "n": [3], "emergent": [False],
                          "trefwoorden": [["buurt"]], "citaten": [["een citaat"]],
                          "citaat_ids": [["x"]]})
    monkeypatch.setattr(themas, "ThemaModel", FakeModel)
    monkeypatch.setattr(themas, "align_topics", lambda *a, **k: pd.DataFrame({"topic": [0]}))
    monkeypatch.setattr(themas, "topic_table", lambda *a, **k: table)
    argv = ["themas", str(project), "--uit", str(project), "--geen-codering", "--overschrijf"]
    assert main(argv) == 0                         # the fakes work: three files written
    before = snapshot(project)
    real = opslag._write
    calls = []

    def interrupted(tmp, data):
        calls.append(tmp)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(tmp, data)

    monkeypatch.setattr(opslag, "_write", interrupted)
    state["label"] = table.loc[0, "label"] = "0_anders"   # every file would change
    assert main(argv) == 130
    assert len(calls) == 2
    assert snapshot(project) == before and leftovers(project) == []
