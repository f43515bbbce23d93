"""Codebook YAML: the default codebook, validation errors with file/line/field, round trips."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from verhalen.codeboek import Code
from verhalen.codeboek import (add_code_to_file, default_codebook_path, load_codebook,
                                       save_codebook)
from verhalen.indicatoren import parse_indicator
from verhalen.fouten import CodeboekFout

REFERENCE_TRACKS = {
    "basishouding": {"vakmanschap"}, "methodische_rugzak": {"vakmanschap"},
    "politisering": {"vakmanschap"}, "kleine_stappen": {"betekenisgeving"},
    "relationeel_weefsel": {"betekenisgeving"}, "betekenisvolle_momenten": {"betekenisgeving"},
    "eigen_stem": {"betekenisgeving"}, "meten_en_verantwoorden": {"doelmatigheid"},
    "kosten_en_baten": {"doelmatigheid"}, "preventie": {"doelmatigheid"},
    "financiering_en_beleid": {"doelmatigheid"},
    "tellen_en_vertellen": {"doelmatigheid", "betekenisgeving"},
}

GOOD = """\
naam: mini
codes:
  - id: luisteren
    label: Luisteren
    definitie: Open luisteren naar de ander.
    sporen: {vakmanschap: 2}
    indicatoren: [luisteren, zonder oordeel]
  - id: geld
    label: Geld
    definitie: Over kosten en baten.
    sporen: {doelmatigheid: 1, betekenisgeving: 1}
    ouder: luisteren
"""


def write(tmp_path: Path, text: str, name: str = "cb.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_default_codebook_matches_reference():
    cb = load_codebook("impact")
    assert cb.name == "impact"
    assert cb.ids == list(REFERENCE_TRACKS)
    for code in cb.codes:
        assert set(code.tracks) == REFERENCE_TRACKS[code.id], code.id
        assert sum(code.tracks.values()) == pytest.approx(1.0)
        assert code.definition and code.label
        assert len(code.indicators) >= 10 and len(code.examples) >= 3
        assert code.negative_examples
        for ind in code.indicators:
            parse_indicator(ind)
    assert cb.get("tellen_en_vertellen").tracks == {"doelmatigheid": 0.5, "betekenisgeving": 0.5}
    colours = [c.colour for c in cb.codes]
    assert len(set(colours)) == len(colours) and all(re.match(r"^#[0-9A-Fa-f]{6}$", c) for c in colours)


def test_weights_normalised_and_parent(tmp_path):
    cb = load_codebook(write(tmp_path, GOOD))
    assert cb.get("luisteren").tracks == {"vakmanschap": 1.0}
    assert cb.get("geld").tracks == {"doelmatigheid": 0.5, "betekenisgeving": 0.5}
    assert cb.get("geld").parent == "luisteren"
    assert cb.get("geld").colour   # a fixed colour is assigned when none is given


BAD = {
    "yaml_syntax": (GOOD.replace("label: Geld", "label: [Geld"), None, None),
    "unknown_track": (GOOD.replace("{vakmanschap: 2}", "{vakmanschip: 2}"), 6, "sporen"),
    "duplicate_id": (GOOD.replace("id: geld", "id: luisteren"), 8, "id"),
    "empty_definition": (GOOD.replace("Over kosten en baten.", "''"), 10, "definitie"),
    "missing_field": (GOOD.replace("    label: Luisteren\n", ""), 3, "label"),
    "bad_weight": (GOOD.replace("{vakmanschap: 2}", "{vakmanschap: veel}"), 6, "sporen"),
    "negative_weight": (GOOD.replace("{vakmanschap: 2}", "{vakmanschap: -1}"), 6, "sporen"),
    "unknown_parent": (GOOD.replace("ouder: luisteren", "ouder: horen"), 12, "ouder"),
    "bad_indicator": (GOOD.replace("zonder oordeel]", "'.. oordeel']"), 7, "indicatoren"),
    "unknown_field": (GOOD.replace("    ouder: luisteren", "    vader: luisteren"), 12, "vader"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_malformed_codebooks_name_file_line_field(tmp_path, case):
    text, line, field = BAD[case]
    path = write(tmp_path, text, f"{case}.yaml")
    with pytest.raises(CodeboekFout) as err:
        load_codebook(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "regel" in msg
    if line is not None:
        assert f"regel {line}" in msg, msg
    if field is not None:
        assert f"'{field}'" in msg, msg


def test_yaml_syntax_error_has_line(tmp_path):
    path = write(tmp_path, GOOD.replace("label: Geld", "label: [Geld"))
    with pytest.raises(CodeboekFout, match=r"regel \d+: geen geldige YAML"):
        load_codebook(path)


def test_missing_file_and_empty_file(tmp_path):
    with pytest.raises(CodeboekFout, match="bestaat niet"):
        load_codebook(tmp_path / "nee.yaml")
    with pytest.raises(CodeboekFout, match="leeg"):
        load_codebook(write(tmp_path, ""))


def test_round_trip(tmp_path):
    cb = load_codebook("impact")
    out = save_codebook(cb, tmp_path / "kopie.yaml")
    again = load_codebook(out)
    assert again.ids == cb.ids
    for a, b in zip(cb.codes, again.codes):
        assert (a.label, a.definition, a.indicators, a.examples, a.negative_examples, a.parent,
                a.colour) == (b.label, b.definition, b.indicators, b.examples,
                              b.negative_examples, b.parent, b.colour)
        assert a.tracks == pytest.approx(b.tracks)
    with pytest.raises(Exception, match="bestaat al"):
        save_codebook(cb, out)


def test_add_code_to_user_file(tmp_path):
    path = write(tmp_path, GOOD)
    new = Code(id="buurt", label="Buurt", definition="Leven in de buurt.",
               tracks={"betekenisgeving": 1.0}, indicators=["buurt*"], emergent=True)
    written = add_code_to_file(path, new)
    assert written == path
    cb = load_codebook(path)
    assert cb.ids == ["luisteren", "geld", "buurt"] and cb.get("buurt").emergent
    with pytest.raises(CodeboekFout, match="bestaat al"):
        add_code_to_file(path, new)
    changed = Code(id="buurt", label="Wijk", definition="Leven in de wijk.",
                   tracks={"betekenisgeving": 1.0})
    add_code_to_file(path, changed, overwrite=True)
    assert load_codebook(path).get("buurt").label == "Wijk"


def test_add_code_never_touches_packaged_default(tmp_path):
    default = default_codebook_path("impact")
    before = default.read_bytes()
    new = Code(id="wonen", label="Wonen", definition="Over huisvesting.",
               tracks={"doelmatigheid": 1.0})
    target = tmp_path / "mijn_impact.yaml"
    written = add_code_to_file("impact", new, new_path=target)
    assert written == target and default.read_bytes() == before
    assert load_codebook(target).ids[-1] == "wonen" and len(load_codebook(target)) == 13


def test_indicator_syntax():
    ind = parse_indicator("klein .. stap*^1.5")
    assert ind.words == ("klein", "stap*") and ind.gaps == (True,) and ind.weight == 1.5
    assert parse_indicator("zonder oordeel").gaps == (False,)
    for bad in ("", ".. stap", "klein ..", "a + b", "^2"):
        with pytest.raises(ValueError):
            parse_indicator(bad)
