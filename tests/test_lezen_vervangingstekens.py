"""Replacement and private-use glyphs in real bundles: lone ones are dropped, counted and
reported, never a reason to refuse the file; only text with many letters lost inside words is
refused, with a message naming the file, the count and the places.

The bundle ``tests/data/lezen/bundel.sjabloon.txt`` (our own text, laid out like a pdftotext
export: pages opening with one space, a navigation menu whose items end in an icon glyph,
page numbers, footnotes, URLs, lists) marks where glyphs go:
``⟦g⟧`` a lone glyph (line start, line end, after a list number, between words, in headings),
``⟦gg⟧`` two of them, ``⟦s⟧`` a glyph in place of the space before a capital, ``⟦b⟧`` a glyph
used as a list bullet (followed by a tab), ``⟦L⟧`` a line of glyphs only, ``⟦n⟧`` the icon
after a navigation item. :func:`render` fills them in with a mix of kinds, or leaves them out
(the clean reference: bullets as ``•``, navigation icons kept since they mark the menu).
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from verhalen.fouten import LeesFout
from verhalen.lezen import read_corpus, summary_lines
from verhalen.lezen.vervangingstekens import (MANGLED_SHARE, check_mangled, drop_lone_glyphs,
                                              glyph_runs, scan_glyphs)

DATA = Path(__file__).parent / "data" / "lezen"
TEMPLATE = DATA / "bundel.sjabloon.txt"
BUNDLE = DATA / "bundel_vervangingstekens.txt"
#: the kinds PDF exports produce: U+FFFD, Symbol/Wingdings private-use glyphs (U+F0B7 is
#: Word's bullet), other private-use code points (BMP and plane 15), U+FFFC
KINDS = ["\ufffd", "\uf0b7", "\ue000", "\U000f0041", "\uf0a7", "\ufffc", "\uf076"]
NAV_KINDS = ["\ufffd", "\uf0e0"]


def render(template: str, glyphs: bool = True) -> str:
    """The bundle with glyphs, or its clean reference (see module docstring)."""
    kind = itertools.cycle(KINDS)
    page = 0
    out = []
    for line in template.split("\n"):
        if line.startswith(" ") and line[1:2].strip():
            page += 1
        if line == "⟦L⟧":
            if glyphs:
                out.append(next(kind) + next(kind))
            continue
        nav = NAV_KINDS[page % 2]
        line = line.replace("⟦n⟧", nav)
        line = re.sub("⟦gg⟧", lambda m: next(kind) + next(kind) if glyphs else "", line)
        line = re.sub("⟦g⟧", lambda m: next(kind) if glyphs else "", line)
        line = re.sub("⟦s⟧", lambda m: next(kind) if glyphs else " ", line)
        line = re.sub("⟦b⟧", lambda m: next(kind) if glyphs else "•", line)
        out.append(line)
    return "\n".join(out)


def _segments(path, nlp):
    corpus = read_corpus(path, nlp=nlp, cache=False, progress=False)
    return corpus, [(s.section, s.text) for s in corpus.segments()]


def _glyph_count(text: str) -> int:
    return sum(len(m.group(0)) for m in re.finditer(
        "[\ufffc\ufffd\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]+", text))


@pytest.fixture(scope="module")
def bundle_read(nlp):
    return _segments(BUNDLE, nlp)


def test_committed_bundle_is_the_rendered_template():
    text = BUNDLE.read_text(encoding="utf-8")
    assert text == render(TEMPLATE.read_text(encoding="utf-8"))
    assert len(text.splitlines()) >= 300
    assert _glyph_count(text) >= 100


# ------------------------------------------------------------------ classification, unit level
@pytest.mark.parametrize("text,in_word", [
    ("\ufffdHet team", False),                 # line start
    ("in de wijk\ufffd", False),               # line end (navigation icon)
    ("3.\t\ufffdAutonomie", False),            # after a list number
    ("het buurthuis \ufffd is", False),        # between words
    ("Inleiding\ufffdImpact", False),          # lower case glued to a capital
    ("gewacht.\uf0b7Ze", False),               # after punctuation
    ("\ufffd\ufffd\tItem", False),             # doubled, as a bullet
    ("ge\ufffdnteresseerd", True),             # a lost letter
    ("co\uf0b7rdinator", True),
    ("CO\ufffdRDINATOR", True),                # all capitals: still inside the word
])
def test_glyph_runs_classification(text, in_word):
    runs = glyph_runs(text)
    assert len(runs) == 1 and runs[0].in_word is in_word


@pytest.mark.parametrize("text,expected", [
    ("\ufffdHet team", "Het team"),
    ("in de wijk\ufffd", "in de wijk"),
    ("3.\t\ufffdAutonomie", "3.\tAutonomie"),
    ("3.\ufffdAutonomie", "3. Autonomie"),
    ("het buurthuis \ufffd is", "het buurthuis is"),
    ("3.\t\ufffd\tAutonomie", "3.\tAutonomie"),
    ("Inleiding\ufffdImpact", "Inleiding Impact"),
    ("\uf0b7\tEen vaste plek", "•\tEen vaste plek"),
    (" \ufffd\ufffd\tEen vaste plek", " •\tEen vaste plek"),
    ("eerste regel\n\uf0b7\ufffd\ntweede regel", "eerste regel\ntweede regel"),
    ("ge\ufffdnteresseerd", "ge\ufffdnteresseerd"),   # a lost letter stays visible
    ("“\ufffdHet", "“Het"),
])
def test_drop_lone_glyphs(text, expected):
    assert drop_lone_glyphs(text) == expected


# ------------------------------------------------------------------ the bundle
def test_bundle_reads_whole_and_like_its_clean_reference(bundle_read, nlp, tmp_path):
    corpus, segs = bundle_read
    clean = tmp_path / "schoon.txt"
    clean.write_text(render(TEMPLATE.read_text(encoding="utf-8"), glyphs=False),
                     encoding="utf-8")
    assert segs == _segments(clean, nlp)[1]
    assert len(segs) >= 30
    for _, text in segs:
        assert _glyph_count(text) == 0, text[:80]
        assert "\t" not in text
    joined = " ".join(t for _, t in segs)
    # navigation menu gone, the chapter of the same name stays
    assert "wijkcoach aan het woord Ouder worden" not in joined
    assert "Voorwoord" not in joined
    sections = {s for s, _ in segs}
    assert {"Terugblik", "Ouder worden in de wijk", "Wat het oplevert", "Vaste gezichten",
            "Samen leren met bewonersgroepen", "Schulden en stress"} <= sections


def test_bundle_crlf_reads_the_same(bundle_read, nlp, tmp_path):
    path = tmp_path / "bundel_crlf.txt"
    path.write_bytes(BUNDLE.read_text(encoding="utf-8").replace("\n", "\r\n").encode("utf-8"))
    corpus, segs = _segments(path, nlp)
    assert segs == bundle_read[1]
    assert corpus.meta["waarschuwingen"][0]["plaatsen"] == \
        bundle_read[0].meta["waarschuwingen"][0]["plaatsen"]


def test_bundle_glyphs_counted_and_reported(bundle_read):
    corpus, _ = bundle_read
    text = BUNDLE.read_text(encoding="utf-8")
    first_lines = [n for n, ln in enumerate(text.split("\n"), start=1) if _glyph_count(ln)][:5]
    (warning,) = corpus.meta["waarschuwingen"]
    assert warning["soort"] == "vervangingstekens"
    assert warning["aantal"] == _glyph_count(text) and warning["in_woorden"] == 0
    assert warning["plaatsen"] == first_lines
    assert str(BUNDLE) in warning["message"]
    assert f"regels {', '.join(map(str, first_lines))}, …" in warning["message"]
    doc = corpus.documents[0]
    assert doc.meta["vervangingstekens"]["weggelaten"] == warning["aantal"]
    lines = summary_lines(corpus)
    assert str(warning["aantal"]) in lines[0] and "1 bestand" in lines[0]
    assert any(str(BUNDLE) in ln for ln in lines)


def _segment_with(segs, start):
    found = [t for _, t in segs if t.startswith(start)]
    assert len(found) == 1, (start, found)
    return found[0]


def test_numbered_list_items_stay_in_their_paragraph(bundle_read):
    _, segs = bundle_read
    seg = _segment_with(segs, "Drie vragen liepen als een rode draad")
    assert "gesprekken: 1. Wat verandert er" in seg
    assert "2. Hoe weten wijkcoaches dat hun inzet iets oplevert, ook als de cijfers daar " \
           "niets over zeggen? 3. Wie mag bepalen" in seg
    seg = _segment_with(segs, "Hazelaar werkt volgens vier uitgangspunten")
    # an item wrapped over two lines is one item; the text after the list stays too
    assert "3. Autonomie met een vangnet: de bewoner beslist zelf, en het team let op als " \
           "het ineens stil wordt. 4. Samen met de buurt" in seg
    assert seg.endswith("Daar moet je heel zorgvuldig mee omgaan.”")
    assert not any(t.startswith(("1.", "2.", "3.", "4.")) for _, t in segs)


def test_bulleted_lists_of_every_kind_stay_in_their_paragraph(bundle_read):
    _, segs = bundle_read
    seg = _segment_with(segs, "Ze noemt vier gewoonten")
    # two "•" bullets and two icon-font bullets: all clean "•" items
    assert seg.count("• ") == 4 and "• Een vaste plek op de markt" in seg
    assert "• Terugbellen binnen een dag" in seg
    seg = _segment_with(segs, "In het gesprek noemt Hazelaar")
    assert seg.count("– ") == 3
    seg = _segment_with(segs, "Een leeratelier volgt volgens Oudeman")
    assert seg.count("▪ ") == 3
    # a list right under a heading is its own paragraph, its items together
    seg = _segment_with(segs, "• Een eerste gesprek thuis")
    assert seg.count("• ") == 3
    # the items of a "MEER INFORMATIE" box with blank lines between stay separate, and the
    # last one is not glued to the title on the next page
    assert ("MEER INFORMATIE", "• Handreiking huisbezoeken bij ouderen") in segs
    assert ("MEER INFORMATIE", "• Wijkmonitor 2022 – uitkomsten per buurt") in segs


def test_glyph_between_words_and_before_capital(bundle_read):
    _, segs = bundle_read
    joined = " ".join(t for _, t in segs)
    assert "Mensen hebben dan gewacht. Ze wilden niet" in joined
    assert "zegt Femke Dijkhuis aan het eind" in joined
    assert "eronder zit.” Dat luisteren kost tijd" in joined
    assert "opbouwen. Dat verschil in maat" in joined


# ------------------------------------------------------------------ mangled text
MANGLED = ("Verslag van het gesprek met de co\ufffdrdinator\n\n"
           "De cli\ufffdnt was erg ge\ufffdnteresseerd in de idee\ufffdn van het team.\n"
           "Ze vond \ufffd\ufffdn gesprek per week genoeg, zei de co\ufffdrdinator later.\n"
           "Het caf\ufffd in de wijk is een goede plek voor een eerste ontmoeting.\n")


def test_mangled_text_refused_with_clear_message(tmp_path):
    path = tmp_path / "verkeerd_gedecodeerd.txt"
    path.write_text(MANGLED, encoding="utf-8")
    with pytest.raises(LeesFout) as exc:
        read_corpus(path, cache=False)
    msg = str(exc.value)
    assert str(path) in msg
    assert "5 vervangingstekens" in msg and "midden in woorden" in msg
    assert "regels 1, 3, 4" in msg          # the first places
    assert "‘co\ufffdrdinator’" in msg       # an example of a damaged word
    assert "opnieuw" in msg and "UTF-8" in msg and "tekencodering" in msg


def test_few_lost_letters_among_many_intact_ones_are_read_and_reported(tmp_path, nlp):
    story = ("De cliënt vertelde over één gesprek met de coördinator, die geïnteresseerd "
             "luisterde naar haar ideeën over de financiële regeling. ") * 8
    path = tmp_path / "bijna_heel.txt"
    path.write_text(story + "\n\nDaarna ging de co\ufffdrdinator met de cli\ufffdnt naar de "
                    "buurtkamer, waar de koffie al klaarstond.\n", encoding="utf-8")
    scan = scan_glyphs(path.read_text(encoding="utf-8"))
    assert scan.n_in_word == 2 and scan.n_in_word < MANGLED_SHARE * scan.intact
    corpus = read_corpus(path, nlp=nlp, cache=False, progress=False)
    text = " ".join(s.text for s in corpus.segments())
    assert "co\ufffdrdinator" in text                     # kept, visible: not silently changed
    (warning,) = corpus.meta["waarschuwingen"]
    assert warning["in_woorden"] == 2 and "midden in een woord" in warning["message"]
    assert "regel 3" in warning["message"]


def test_share_rule_is_what_the_docs_say():
    # three lost letters in a text without intact accents: share 1, refused
    with pytest.raises(LeesFout):
        check_mangled("ge\ufffdnd, co\ufffdrdinator, cli\ufffdnt", "x.txt")
    # two lost letters: too few to judge, read
    assert check_mangled("ge\ufffdnd en cli\ufffdnt", "x.txt").n_in_word == 2
    # many lone glyphs, none inside a word: never refused
    assert check_mangled("\ufffd Inleiding\ufffd\n3.\t\ufffdAutonomie " * 50, "x.txt").n_lone


def test_folder_run_reports_mangled_file_and_reads_the_rest(tmp_path, nlp):
    folder = tmp_path / "map"
    folder.mkdir()
    (folder / "a_bundel.txt").write_bytes(BUNDLE.read_bytes())
    (folder / "b_kapot.txt").write_text(MANGLED, encoding="utf-8")
    (folder / "c_verhaal.txt").write_text(
        "Een bewoner vertelt over de buurtkamer.\n\nHij komt er elke week en \ufffd drinkt er "
        "koffie met de buren.\n", encoding="utf-8")
    corpus = read_corpus(folder, nlp=nlp, cache=False, progress=False)
    assert corpus.meta["gelezen"] == 2
    assert [Path(e["path"]).name for e in corpus.meta["errors"]] == ["b_kapot.txt"]
    assert "midden in woorden" in corpus.meta["errors"][0]["message"]
    assert {Path(w["path"]).name for w in corpus.meta["waarschuwingen"]} == \
        {"a_bundel.txt", "c_verhaal.txt"}
    assert "Hij komt er elke week en drinkt er koffie" in " ".join(
        s.text for s in corpus.segments())


def test_cli_lees_bundle_prints_glyphs_and_saves_reading_log(tmp_path, capsys):
    import json

    from verhalen.cli.main import main

    folder = tmp_path / "map"
    folder.mkdir()
    (folder / "bundel.txt").write_bytes(BUNDLE.read_bytes())
    (folder / "kapot.txt").write_text(MANGLED, encoding="utf-8")
    out = tmp_path / "uit"
    assert main(["lees", str(folder), "--uit", str(out), "--nlp", "blank"]) == 0
    captured = capsys.readouterr()
    n = _glyph_count(BUNDLE.read_text(encoding="utf-8"))
    assert f"vervangingstekens: {n} weggelaten in 1 bestand" in captured.out
    assert "bundel.txt" in captured.out
    # the mangled file is named at the end, with its reason
    assert "Niet gelezen (1)" in captured.err and "kapot.txt" in captured.err
    assert "midden in woorden" in captured.err
    meta = json.loads((out / "corpus.json").read_text(encoding="utf-8"))
    assert meta["waarschuwingen"][0]["aantal"] == n
    docs = [json.loads(ln) for ln in (out / "documents.jsonl").read_text(
        encoding="utf-8").splitlines()]
    assert docs[0]["meta"]["vervangingstekens"]["weggelaten"] == n


def test_body_line_ending_in_glyph_is_not_navigation():
    from verhalen.lezen.pdf_opschonen import clean_pdf_text

    text = (" Een hoofdstuk\n\nDe buurtcoach werkt al jaren in de wijk en kent de meeste "
            "bewoners\u00a0bij naam.\n\nDe inloop\ufffd\nVeel bewoners komen elke week naar "
            "de inloop in het buurthuis\ufffd\nook als er niets te regelen valt, want daar "
            "zijn de buren.\ufffd\n\n1\n\f"
            " Tweede pagina met tekst die doorloopt over de inloop en de buren in de straat.\n")
    cleaned = clean_pdf_text(text, first_names=frozenset())
    joined = " ".join(b.text for b in cleaned.blocks)
    assert "Veel bewoners komen elke week naar de inloop in het buurthuis ook als" in joined
    assert "De inloop" in [b.text for b in cleaned.blocks if b.kind == "heading"]
    assert "\ufffd" not in joined and cleaned.removed.get("navigatie", 0) == 0


def test_docx_with_icon_font_bullets(tmp_path, nlp):
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_paragraph("Wat de bewoners noemden als het belangrijkste van de buurtkamer:")
    for item in ("een vaste plek om koffie te drinken", "mensen die je kent",
                 "hulp bij brieven"):
        d.add_paragraph(f"\uf0b7\t{item}")
    d.add_paragraph("Dat hoorden we in \ufffd bijna elk gesprek.")
    path = tmp_path / "lijst.docx"
    d.save(str(path))
    corpus = read_corpus(path, nlp=nlp, cache=False, progress=False)
    text = " ".join(s.text for s in corpus.segments())
    assert _glyph_count(text) == 0
    assert "• een vaste plek om koffie te drinken" in text
    assert "Dat hoorden we in bijna elk gesprek." in text
    (warning,) = corpus.meta["waarschuwingen"]
    assert warning["aantal"] == 4 and warning["eenheid"] == "alinea"
    assert warning["plaatsen"] == [2, 3, 4, 5]


def test_spreadsheet_rows_with_glyphs(tmp_path, nlp):
    path = tmp_path / "verhalen.csv"
    path.write_text("id,verhaal\n"
                    "1,\"\ufffdIk kom elke week naar de inloop, \uf0b7 daar ken ik mensen.\"\n"
                    "2,\"Zonder de buurtkamer was ik thuis gebleven.\"\n"
                    "3,\"De wijkcoach belde terug\ufffd\"\n", encoding="utf-8")
    corpus = read_corpus(path, nlp=nlp, cache=False, progress=False)
    texts = [s.text for s in corpus.segments()]
    assert texts[0] == "Ik kom elke week naar de inloop, daar ken ik mensen."
    assert texts[2] == "De wijkcoach belde terug"
    (warning,) = corpus.meta["waarschuwingen"]
    assert warning["aantal"] == 3 and warning["eenheid"] == "rij"
    assert warning["plaatsen"] == [2, 4] and "rijen 2, 4" in warning["message"]


def _pdf(tmp_path, n_pages: int) -> Path:
    pytest.importorskip("reportlab")
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "bundel.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    for _ in range(n_pages):
        c.drawString(72, 800, "Tekst")
        c.showPage()
    c.save()
    return path


def test_pdf_pages_with_glyphs_are_read_and_reported(tmp_path, nlp, monkeypatch):
    """The PDF reader scans the text layer of every page (here given to it directly: a
    font's glyphs without Unicode meaning come out of pypdf as U+FFFD or private use)."""
    from verhalen.lezen import bestanden

    pages = ["Buurtwerk in de wijk\n\nDe wijkcoach kent de bewoners bij naam en \uf0b7 weet wie "
             "er een tijd niet is geweest.\n3.\t\ufffdZe belt die bewoners op.\n",
             "Een tweede pagina over de inloop, waar iedereen welkom is zonder afspraak.\n"]
    monkeypatch.setattr(bestanden, "_page_text", lambda page: (pages.pop(0), None))
    corpus = read_corpus(_pdf(tmp_path, 2), nlp=nlp, cache=False, progress=False)
    text = " ".join(s.text for s in corpus.segments())
    assert "bij naam en weet wie" in text and "3. Ze belt" in text
    assert _glyph_count(text) == 0
    (warning,) = corpus.meta["waarschuwingen"]
    assert warning["aantal"] == 2 and warning["eenheid"] == "pagina" and warning["plaatsen"] == [1]


def test_pdf_with_letters_lost_is_refused_naming_the_pages(tmp_path, monkeypatch):
    from verhalen.lezen import bestanden

    pages = ["De co\ufffdrdinator sprak met de cli\ufffdnt.\n", "Zij was ge\ufffdnteresseerd.\n",
             "Een pagina zonder schade.\n"]
    monkeypatch.setattr(bestanden, "_page_text", lambda page: (pages.pop(0), None))
    path = _pdf(tmp_path, 3)
    with pytest.raises(LeesFout) as exc:
        read_corpus(path, cache=False, progress=False)
    assert str(path) in str(exc.value) and "pagina's 1, 2" in str(exc.value)
    assert "3 vervangingstekens" in str(exc.value)


def _with_glyphs(text: str, seed: int, n: int = 60) -> str:
    """``text`` with ``n`` lines (not the navigation items) given lone glyphs: at the line
    start, the line end, or between two words; one or two, mixed kinds."""
    import random

    rnd = random.Random(seed)
    lines = text.split("\n")
    body = [i for i, ln in enumerate(lines) if ln.strip() and not _glyph_count(ln)]
    for i in rnd.sample(body, n):
        ln, g = lines[i], rnd.choice(KINDS) * rnd.choice([1, 1, 2])
        where = rnd.choice(["start", "end", "space"])
        spaces = [m.start() for m in re.finditer(r"(?<=\S) (?=\S)", ln)]
        if where == "start":
            k = len(ln) - len(ln.lstrip())
            ln = ln[:k] + g + ln[k:]
        elif where == "end" or not spaces:
            ln = ln.rstrip() + g + " "
        else:
            k = rnd.choice(spaces)
            ln = ln[:k] + " " + g + ln[k:]
        lines[i] = ln
    return "\n".join(lines)


@pytest.mark.parametrize("seed", range(3))
def test_seed_with_extra_glyphs_reads_like_the_seed(seed_002, nlp, tmp_path, seed):
    """The field's own bundle (read at run time from ../shared) with 60 more lines carrying
    lone glyphs, as the unseen part of it has: the same segments' words."""
    def words(corpus):
        return [(s.section, re.findall(r"\w+", s.text)) for s in corpus.segments()]

    raw = seed_002.read_text(encoding="utf-8")
    path = tmp_path / "bundel.txt"
    path.write_text(_with_glyphs(raw, seed), encoding="utf-8")
    glyphed = read_corpus(path, nlp=nlp, cache=False, progress=False)
    clean = read_corpus(seed_002, nlp=nlp, cache=False, progress=False)
    assert words(glyphed) == words(clean)
    assert glyphed.meta["waarschuwingen"][0]["aantal"] == _glyph_count(path.read_text(
        encoding="utf-8"))
