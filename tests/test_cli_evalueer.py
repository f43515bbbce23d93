"""``verhalen evalueer``: comparing two codings, outputs, errors, and cross-validation
(with a fake codebook loader and coder so the test does not depend on the real coders)."""

from __future__ import annotations

import json
import subprocess
import sys
import types

import numpy as np
import pytest

import verhalen.coderen  # noqa: F401  (loaded before fake_loader swaps its codebook module)
from verhalen.cli.main import main
from verhalen.codeboek import Code, Codebook


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


REF = [{"id": "s1", "codes": ["a"]}, {"id": "s2", "codes": ["a", "b"]},
       {"id": "s3", "codes": []}, {"id": "s4", "codes": ["b"]}, {"id": "s5", "codes": ["a"]}]
PRED = [{"id": "s1", "codes": ["a"]}, {"id": "s2", "codes": ["a"]},
        {"id": "s3", "codes": ["b"]}, {"id": "s4", "codes": ["b"]}, {"id": "s5", "codes": []}]


def _codebook():
    return Codebook(name="toets", codes=[
        Code("a", "Code A", "eerste", {"vakmanschap": 1.0}),
        Code("b", "Code B", "tweede", {"betekenisgeving": 0.5, "doelmatigheid": 0.5}),
    ])


@pytest.fixture()
def fake_loader(monkeypatch):
    """A stand-in for verhalen.codeboek (owned by another part of the project)."""
    mod = types.ModuleType("verhalen.codeboek")
    mod.load_codebook = lambda name="impact": _codebook()
    monkeypatch.setitem(sys.modules, "verhalen.codeboek", mod)
    return mod


@pytest.fixture()
def files(tmp_path):
    return _jsonl(tmp_path / "ref.jsonl", REF), _jsonl(tmp_path / "pred.jsonl", PRED)


def test_compare_prints_the_table_and_writes_json_csv(tmp_path, files, fake_loader, capsys):
    ref, pred = files
    out_json, out_csv = tmp_path / "uit.json", tmp_path / "uit.csv"
    rc = main(["evalueer", "--referentie", str(ref), "--voorspelling", str(pred),
               "--json", str(out_json), "--csv", str(out_csv)])
    out = capsys.readouterr().out
    assert rc == 0
    for word in ("precisie", "recall", "kappa", "alpha", "Micro", "Macro", "vakmanschap",
                 "Sporen  micro-F1 0.62"):
        assert word in out
    assert "F1 0.67" in out                          # micro-F1 2/3
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert data["samenvatting"]["micro_f1"] == pytest.approx(0.6667, abs=1e-4)
    assert data["samenvatting"]["track_micro_f1"] == pytest.approx(8 / 13, abs=1e-4)
    lines = out_csv.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("niveau,code,label,steun")
    assert any(l.startswith("code,a,Code A,3,2,2,0,1,") for l in lines)
    assert sum(l.startswith("spoor,") for l in lines) == 3
    # never overwrite earlier output without --overschrijf
    before = out_json.read_bytes()
    rc = main(["evalueer", "--referentie", str(ref), "--voorspelling", str(pred),
               "--json", str(out_json)])
    assert rc == 1 and "bestaat al" in capsys.readouterr().err
    assert out_json.read_bytes() == before
    assert main(["evalueer", "--referentie", str(ref), "--voorspelling", str(pred),
                 "--json", str(out_json), "--overschrijf"]) == 0


def test_missing_segments_are_an_error_unless_allowed(tmp_path, capsys):
    ref = _jsonl(tmp_path / "ref.jsonl", REF)
    pred = _jsonl(tmp_path / "pred.jsonl", PRED[:3])
    rc = main(["evalueer", "--referentie", str(ref), "--voorspelling", str(pred),
               "--codeboek", "geen"])
    err = capsys.readouterr().err
    assert rc == 1 and "s4" in err and str(pred) in err
    rc = main(["evalueer", "--referentie", str(ref), "--voorspelling", str(pred),
               "--codeboek", "geen", "--sta-ontbrekend-toe"])
    out = capsys.readouterr().out
    assert rc == 0 and "2 alleen in de referentie" in out and "Sporen" not in out


def test_usage_errors(tmp_path, files, capsys):
    ref, pred = files
    assert main(["evalueer"]) == 2
    assert main(["evalueer", "--referentie", str(ref)]) == 2
    assert main(["evalueer", "--referentie", str(ref), "--voorspelling", str(pred),
                 "--kruisvalidatie", str(ref)]) == 2
    assert main(["evalueer", "--kruisvalidatie", str(ref), "--folds", "1"]) == 2
    capsys.readouterr()
    bad = tmp_path / "kapot.jsonl"
    bad.write_text('{"id": "s1", "codes": ["a"]}\n{kapot\n', encoding="utf-8")
    assert main(["evalueer", "--referentie", str(bad), "--voorspelling", str(pred),
                 "--codeboek", "geen"]) == 1
    assert "regel 2" in capsys.readouterr().err


def test_missing_codebook_loader_gives_a_clear_error(files, monkeypatch, capsys):
    ref, pred = files
    monkeypatch.setitem(sys.modules, "verhalen.codeboek", None)   # import fails
    rc = main(["evalueer", "--referentie", str(ref), "--voorspelling", str(pred)])
    err = capsys.readouterr().err
    assert rc == 1 and "codeboek" in err and "--codeboek geen" in err


class FakeCoder:
    """Learns code ← word associations; enough to check the CV plumbing end to end."""

    def __init__(self, codebook, embedder=None):
        self.codebook = codebook
        self.embedder = embedder
        self.classes_ = list(codebook.ids)
        self.words_ = {}                     # unfitted: no associations, no codes

    def fit(self, X, Y):
        self.classes_ = list(self.codebook.ids)
        self.words_ = {}
        for text, y in zip(X["text"], Y):
            for w in set(text.split()):
                self.words_[w] = self.words_[w] & set(y) if w in self.words_ else set(y)
        return self

    def predict_proba(self, X):
        col = {c: j for j, c in enumerate(self.classes_)}
        out = np.zeros((len(X), len(self.classes_)))
        for i, text in enumerate(X["text"]):
            for w in text.split():
                for c in self.words_.get(w, ()):
                    out[i, col[c]] = 0.9
        return out

    def predict(self, X):
        return (self.predict_proba(X) >= 0.5).astype(int)


def test_cross_validation_with_fake_coder(tmp_path, fake_loader, monkeypatch, capsys):
    import verhalen.coderen as coderen

    made = []

    def default_coder(codebook, embedder=None):
        made.append(embedder)
        return FakeCoder(codebook, embedder)

    monkeypatch.setattr(coderen, "default_coder", default_coder, raising=False)

    class StubEmbedder:
        name = "stub"

    import verhalen.embed as embed
    monkeypatch.setattr(embed, "get_embedder", lambda name=None, **kw: StubEmbedder())
    rng = np.random.default_rng(0)
    rows = []
    for i in range(40):
        codes = [c for c in ("a", "b") if rng.random() < 0.4]
        rows.append({"id": f"d{i}", "text": " ".join(["tekst"] + [f"w_{c}" for c in codes]),
                     "codes": codes})
    dev = _jsonl(tmp_path / "dev.jsonl", rows)
    uit = tmp_path / "cv.jsonl"
    rc = main(["evalueer", "--kruisvalidatie", str(dev), "--folds", "4", "--uit", str(uit),
               "--stil"])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert len(made) == 4 and all(isinstance(e, StubEmbedder) for e in made)
    assert "Kruisvalidatie van coder 'ensemble'" in out and "4 willekeurige folds" in out
    assert "optimistisch" in out
    assert "Micro   precisie 1.00  recall 1.00  F1 1.00" in out
    lines = [json.loads(l) for l in uit.read_text(encoding="utf-8").splitlines()]
    assert [l["id"] for l in lines] == [r["id"] for r in rows]
    # a coded set with a code the codebook does not know is refused
    rows[3]["codes"] = ["zz"]
    _jsonl(dev, rows)
    assert main(["evalueer", "--kruisvalidatie", str(dev), "--stil"]) == 1
    assert "zz" in capsys.readouterr().err


def test_grouped_cross_validation_from_the_command_line(tmp_path, fake_loader, monkeypatch,
                                                        capsys):
    import verhalen.coderen as coderen

    monkeypatch.setattr(coderen, "default_coder", lambda cb, embedder=None: FakeCoder(cb),
                        raising=False)
    import verhalen.embed as embed
    monkeypatch.setattr(embed, "get_embedder", lambda name=None, **kw: None)
    rows, groups = [], []
    for i in range(30):
        src = "bron" + "abc"[i % 3]
        # code 'a' is said with the same word in every source; 'b' with a word of source c only
        codes = ["a"] if i % 2 else (["b"] if src == "bronc" else [])
        word = "w_a" if codes == ["a"] else ("w_b" if codes == ["b"] else "niets")
        rows.append({"id": f"s{i}", "text": f"tekst {word}", "codes": codes})
        groups.append({"id": f"s{i}", "group": src})
    dev = _jsonl(tmp_path / "dev.jsonl", rows)
    gfile = tmp_path / "groups.csv"
    gfile.write_text("id,group\n" + "".join(f"{g['id']},{g['group']}\n" for g in groups),
                     encoding="utf-8")
    rc = main(["evalueer", "--kruisvalidatie", str(dev), "--groepen", str(gfile), "--stil"])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "Kruisvalidatie per bron" in out and "3 bronnen" in out
    for src in ("brona", "bronb", "bronc"):
        assert src in out
    # 'b' exists only in source c: held out, nothing teaches it, so F1 < 1 there
    line_c = [l for l in out.splitlines() if l.strip().startswith("bronc") and "lerend" in l][0]
    assert "zero-shot 0.000" in line_c and "lerend 0.667" in line_c
    # a groups file that misses a segment is a clear error
    gfile.write_text("id,group\ns0,brona\n", encoding="utf-8")
    assert main(["evalueer", "--kruisvalidatie", str(dev), "--groepen", str(gfile), "--stil"]) == 1
    assert "geen bron voor 29 segment(en)" in capsys.readouterr().err
    assert main(["evalueer", "--referentie", str(dev), "--voorspelling", str(dev),
                 "--groepen", str(gfile)]) == 2


def test_cross_validation_with_missing_coder_is_clear(tmp_path, fake_loader, monkeypatch, capsys):
    import verhalen.coderen as coderen

    monkeypatch.delattr(coderen, "SemanticCoder", raising=False)
    dev = _jsonl(tmp_path / "dev.jsonl", [{"id": str(i), "text": "x", "codes": []}
                                          for i in range(10)])
    rc = main(["evalueer", "--kruisvalidatie", str(dev), "--coder", "semantisch", "--stil"])
    assert rc == 1 and "SemanticCoder" in capsys.readouterr().err


def test_gold_dev_against_itself(shared_dir, tmp_path):
    dev = shared_dir / "gold" / "dev.jsonl"
    if not dev.exists():
        pytest.skip("dev.jsonl ontbreekt")
    # a prediction that drops every second code of the reference
    rows = [json.loads(l) for l in dev.read_text(encoding="utf-8").splitlines() if l.strip()]
    pred = _jsonl(tmp_path / "pred.jsonl",
                  [{"id": r["id"], "codes": r["codes"][::2]} for r in rows])
    res = subprocess.run([sys.executable, "-m", "verhalen.cli.main", "evalueer", "--referentie",
                          str(dev), "--voorspelling", str(dev), "--codeboek", "geen"],
                         capture_output=True, text=True, check=True)
    assert f"Evaluatie van {len(rows)} segmenten" in res.stdout
    assert "F1 1.00" in res.stdout
    res = subprocess.run([sys.executable, "-m", "verhalen.cli.main", "evalueer", "--referentie",
                          str(dev), "--voorspelling", str(pred), "--codeboek", "geen"],
                         capture_output=True, text=True, check=True)
    assert "precisie 1.00" in res.stdout and "recall 1.00" not in res.stdout
