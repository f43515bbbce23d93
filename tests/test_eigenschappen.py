"""Property-based tests (hypothesis): the readers, the PDF cleaner and the segmenter get
arbitrary text and bytes. They may only raise the project's own errors (``VerhalenFout`` and
subclasses), never a bare exception, and the invariants of the data model hold:
``doc.text[seg.start:seg.end] == seg.text``, segments in order and non-overlapping, unique
ids of the form ``{doc_id}-{index:04d}``, sentences inside their segment; character
normalisation and paragraph splitting are idempotent; decoding round-trips.

Bounded ``max_examples`` keep the whole file well under a minute.
"""

from __future__ import annotations

import io
import re
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from verhalen.fouten import LeesFout, VerhalenFout
from verhalen.lezen import read_corpus
from verhalen.lezen.bestanden import read_file
from verhalen.lezen.codering import decode_bytes
from verhalen.lezen.pdf_opschonen import (Block, clean_pdf_text, decide_hyphen,
                                          looks_like_pdf_export, normalise_chars)
from verhalen.lezen.segmenteren import build_document, text_blocks

#: VERHALEN_EIGENSCHAPPEN_FACTOR=10 searches ten times longer (for a bug hunt, not for CI)
FACTOR = max(1, int(os.environ.get("VERHALEN_EIGENSCHAPPEN_FACTOR", "1")))
FAST = settings(max_examples=60 * FACTOR, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SLOW = settings(max_examples=20 * FACTOR, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# -- strategies --------------------------------------------------------------------------
#: fragments that trigger the readers' special rules (PDF furniture, quotes, speakers, ...)
FRAGMENTS = [
    "\n", "\n\n", "\n\n\n", " ", "\t", "\f", "\r\n", "\r", "-\n", "- ", "—", "–", "\ufffd",
    "\u00ad", "\u200b", "\ufeff", "\u00a0", "ﬁ", "e\u0301", "\u0301", "“", "”", "‘", "’", "\"",
    "'", "«", "»", ":", ";", ".", "!", "?", "…", ",", "1", "12", "2024", "3\t", "# ", "## ",
    "**", "__", "---", "===", "* ", "1. ", "• ", "https://www.voorbeeld.nl/pagina", "www.x.nl",
    "Klaassen: ", "“Ik ga,” zegt Van Aerle. ", "aldus Klaassen. ", "Interviewer: ", "I: ",
    "R: ", "Wie spraken we?", "Casus: ", "Correspondent.1", "situatie.13,14", "om-\narmd",
    "re-integratie", "zorg- en welzijn", "Inleiding\ufffd", "Pagina 3 van 9", "Hoofdstuk 2",
    "jongerenwerker", "sociaal professional", "bewoner", "de", "het", "een", "en", "wijk",
    "Zij luisterde zonder oordeel.", "De gemeente betaalt.", "Noord-Brabant", "ÉÉN", "ĳ",
    "\x00", "\x07", "\x1b", "😀", "\u202e", "\U0001d400",
]

text_mix = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=60
).map("".join)
any_text = st.one_of(text_mix, st.text(max_size=300))
#: text without control characters other than tab/newline (what editors and Word produce)
printable_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffd")
    | st.sampled_from("\n\t "), min_size=1, max_size=300)


def check_document(doc, doc_id: str | None = None) -> None:
    """The data-model invariants of one Document."""
    ids = [s.id for s in doc.segments]
    assert len(ids) == len(set(ids)), "segment-id's zijn niet uniek"
    prev_end = -1
    for n, seg in enumerate(doc.segments):
        assert seg.index == n
        assert seg.id == f"{doc.id}-{n:04d}"
        assert seg.doc_id == doc.id
        assert 0 <= seg.start < seg.end <= len(doc.text)
        assert doc.text[seg.start:seg.end] == seg.text
        assert seg.text.strip() == seg.text and seg.text, "segment zonder tekst of met witruimte"
        assert seg.start >= prev_end, "segmenten overlappen of staan niet op volgorde"
        prev_end = seg.end
        last = seg.start
        for sent in seg.sentences:
            assert seg.start <= sent.start < sent.end <= seg.end
            assert sent.start >= last
            last = sent.end
        assert len(seg.roles) == len(seg.speakers)
    if doc_id is not None:
        assert doc.id == doc_id


def _write(suffix: str, data: bytes) -> Path:
    d = Path(tempfile.mkdtemp(prefix="eigenschap-"))
    p = d / f"bestand{suffix}"
    p.write_bytes(data)
    return p


def _read_only_own_errors(path: Path):
    """read_file / read_corpus on ``path``: a result or a LeesFout, nothing else."""
    try:
        return read_file(path, "doc")
    except VerhalenFout as exc:
        assert str(path) in str(exc), "foutmelding noemt het bestand niet"
        return None


# -- character normalisation and decoding -------------------------------------------------
@FAST
@given(any_text)
@example("e\u00ad\u0301")            # a soft hyphen between a letter and its accent
@example("a\u200b\u0308")
def test_normalise_chars_idempotent(text):
    once = normalise_chars(text)
    assert normalise_chars(once) == once
    assert "\r" not in once and "\u00ad" not in once and "\ufeff" not in once


@FAST
@given(st.binary(max_size=400))
def test_decode_arbitrary_bytes(data):
    try:
        text, enc = decode_bytes(data, "x.txt")
    except LeesFout as exc:
        assert "x.txt" in str(exc)
        return
    assert isinstance(text, str) and text.strip()
    assert "\ufffd" not in text or enc  # replacement chars only where the bytes had them


@FAST
@given(printable_text, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
@example("De prijs is €5 per café-bezoek, zegt Zoë. " * 3, "cp1252")
@example("Ze zei: ‘één’ — en “twee”… " * 4, "cp1252")
def test_decode_round_trip(text, encoding):
    assume(text.strip())
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        assume(False)
    if encoding == "cp1252":
        try:
            data.decode("utf-8")
            assume(False)        # also valid UTF-8: genuinely ambiguous bytes
        except UnicodeDecodeError:
            pass
    decoded, _ = decode_bytes(data, "x.txt")
    expected = text[1:] if encoding == "utf-16" and text.startswith("\ufeff") else text
    assert decoded == expected


# -- PDF cleaning ---------------------------------------------------------------------------
@FAST
@given(any_text)
def test_clean_pdf_text_arbitrary(text):
    cleaned = clean_pdf_text(text, first_names=frozenset({"Tessa", "Vincent"}))
    for b in cleaned.blocks:
        assert isinstance(b, Block) and b.kind in ("paragraph", "heading")
        assert b.text == b.text.strip() and b.text
        assert "\f" not in b.text and "\r" not in b.text
    for url in cleaned.links:
        assert url and not any(url in b.text for b in cleaned.blocks if b.kind == "paragraph")
    looks_like_pdf_export(text)


@FAST
@given(st.lists(any_text, min_size=1, max_size=6))
def test_clean_pdf_pages_arbitrary(pages):
    cleaned = clean_pdf_text("", pages=pages, first_names=frozenset())
    assert all(b.text.strip() for b in cleaned.blocks)


@FAST
@given(st.text(max_size=20), st.text(max_size=20))
def test_decide_hyphen_total(left, right):
    assert decide_hyphen(left, right, set(), set(), lex=frozenset({"omarmd", "integratie"})) \
        in ("", "-", "- ")


# -- segmentation -------------------------------------------------------------------------
@FAST
@given(any_text)
@example("**\n**")          # markup only: no empty paragraph
def test_text_blocks_idempotent_on_paragraphs(text):
    text = normalise_chars(text)
    # a lone "#" line joined with the next line reads as a Markdown heading the second time
    assume(not any(ln.strip().startswith("#") for ln in text.split("\n")))
    paras = [b.text for b in text_blocks(text) if b.kind == "paragraph"]
    # (likewise "**# **-": without its bold markers the paragraph opens with "# ")
    assume(not any(p.startswith("#") for p in paras))
    again = [b.text for b in text_blocks("\n\n".join(paras)) if b.kind == "paragraph"]
    assert again == paras


@FAST
@given(any_text, st.text(alphabet="abcdefghij-", min_size=1, max_size=10))
def test_build_document_invariants(nlp, text, doc_id):
    blocks = text_blocks(normalise_chars(text))
    res = build_document(doc_id, blocks, nlp=nlp)
    check_document(res.document, doc_id)
    paras = [b.text for b in blocks if b.kind == "paragraph" and b.text.strip()]
    if paras:   # every paragraph is a segment or front matter (Casus:, Datum: → metadata)
        assert res.document.segments or res.document.meta.get("kopregels"), \
            "alinea's zonder segmenten"


@FAST
@given(any_text)
def test_build_document_from_pdf_blocks(nlp, text):
    cleaned = clean_pdf_text(text, first_names=frozenset())
    check_document(build_document("pdf", cleaned.blocks, nlp=nlp, links=cleaned.links).document)


# -- readers on files -----------------------------------------------------------------------
@SLOW
@given(st.one_of(st.binary(max_size=600), any_text.map(lambda t: t.encode("utf-8", "surrogatepass"))),
       st.sampled_from([".txt", ".md"]))
def test_read_text_file_arbitrary(nlp, data, suffix):
    path = _write(suffix, data)
    try:
        corpus = read_corpus(path, nlp=nlp, progress=False)
    except VerhalenFout as exc:
        assert str(path) in str(exc)
        return
    for doc in corpus.documents:
        check_document(doc)
        assert doc.segments


@SLOW
@given(st.binary(max_size=600), st.sampled_from([".docx", ".pdf", ".xlsx", ".csv", ".tsv"]))
def test_binary_garbage_in_other_formats(data, suffix):
    _read_only_own_errors(_write(suffix, data))


_cell = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=80)


@SLOW
@given(st.lists(st.tuples(_cell, _cell), min_size=1, max_size=6),
       st.sampled_from(["tekst", "verhaal", "x"]))
def test_csv_with_arbitrary_cells(nlp, rows, header):
    import csv

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["id", header])
    w.writerows(rows)
    path = _write(".csv", buf.getvalue().encode("utf-8"))
    try:
        corpus = read_corpus(path, nlp=nlp, progress=False)
    except VerhalenFout:
        return
    for doc in corpus.documents:
        check_document(doc)


@SLOW
@given(st.lists(st.tuples(_cell, _cell), min_size=1, max_size=5))
def test_xlsx_with_arbitrary_cells(nlp, rows):
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    assume(not any(ILLEGAL_CHARACTERS_RE.search(c) for r in rows for c in r))
    wb = Workbook()
    ws = wb.active
    ws.append(["titel", "verhaal"])
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    path = _write(".xlsx", data)
    try:
        corpus = read_corpus(path, nlp=nlp, progress=False)
    except VerhalenFout:
        corpus = None
    if corpus is not None:
        for doc in corpus.documents:
            check_document(doc)
    # the same workbook, damaged: only our own error
    cut = _write(".xlsx", data[: len(data) // 2])
    _read_only_own_errors(cut)


@SLOW
@given(st.lists(_cell, min_size=1, max_size=6), st.integers(0, 10_000), st.integers(1, 255))
def test_docx_arbitrary_and_damaged(nlp, paragraphs, pos, byte):
    import docx

    doc = docx.Document()
    try:
        for p in paragraphs:
            doc.add_paragraph(p)
    except ValueError:
        assume(False)      # python-docx refuses some characters itself
    buf = io.BytesIO()
    doc.save(buf)
    data = buf.getvalue()
    path = _write(".docx", data)
    try:
        corpus = read_corpus(path, nlp=nlp, progress=False)
        for d in corpus.documents:
            check_document(d)
    except VerhalenFout:
        pass
    damaged = bytearray(data)
    damaged[pos % len(damaged)] ^= byte
    _read_only_own_errors(_write(".docx", bytes(damaged)))
    _read_only_own_errors(_write(".docx", data[: pos % len(data)]))


@pytest.fixture(scope="module")
def small_pdf() -> bytes:
    pytest.importorskip("reportlab")
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for page in range(2):
        c.drawString(72, 800, "Verhalen uit de wijk")
        y = 760
        for line in ("De jongerenwerker luistert zonder oordeel naar de jongeren in de wijk,",
                     "en samen zoeken ze naar kleine stappen vooruit.", "",
                     f"Pagina {page + 1}"):
            c.drawString(72, y, line)
            y -= 16
        c.showPage()
    c.save()
    return buf.getvalue()


@SLOW
@given(st.integers(0, 100_000), st.integers(1, 255), st.integers(0, 100_000))
def test_pdf_damaged(nlp, small_pdf, pos, byte, cut):
    damaged = bytearray(small_pdf)
    damaged[pos % len(damaged)] ^= byte
    for data in (bytes(damaged), small_pdf[: cut % len(small_pdf)]):
        path = _write(".pdf", data)
        try:
            corpus = read_corpus(path, nlp=nlp, progress=False)
        except VerhalenFout as exc:
            assert str(path) in str(exc)
            continue
        for d in corpus.documents:
            check_document(d)


# -- other files a user hands us: human codes, segment JSONL, people table, metadata, codebook
_LINES = ['{"id": 1, "codes": ["basishouding"]}', '{"id": "a"}', '{"codes": 3}', "[1,2]", "null",
          '{"id": null, "codes": null}', "id,codes", "a;b", '"', "{", "naam,rol", "Kees,bewoner",
          "bestand,titel", "x.txt,T", "- a", "codes:", "  - id: x", "naam: y", "", ",,",
          '{"id": "s", "codes": [1]}', '{"id": "s", "codes": "basishouding"}', "2",
          '{"id": "s", "text": "Een verhaal."}', "id,code", "s,basishouding", "\ufeffid,codes"]
user_file = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(st.sampled_from(_LINES), max_size=8).map(lambda ls: "\n".join(ls).encode("utf-8")))


@FAST
@given(user_file, st.sampled_from([".jsonl", ".csv"]))
def test_human_codes_files_only_own_errors(data, suffix):
    import warnings

    from verhalen.codeboek import load_codebook
    from verhalen.menselijk import load_human_codes

    path = _write(suffix, data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            df = load_human_codes(path, None, load_codebook("impact"))
        except VerhalenFout as exc:
            assert str(path) in str(exc)
            return
    assert {"id", "codes", "source"} <= set(df.columns)
    assert (df["source"] == "mens").all()


@FAST
@given(user_file)
def test_segment_jsonl_only_own_errors(data):
    from verhalen.model import load_segments

    path = _write(".jsonl", data)
    try:
        df = load_segments(path)
    except VerhalenFout as exc:
        assert str(path) in str(exc)
        return
    assert {"id", "text", "doc_id"} <= set(df.columns)


@FAST
@given(user_file, st.sampled_from(["people", "metadata", "codebook"]))
def test_people_metadata_codebook_only_own_errors(data, kind):
    from verhalen.codeboek import load_codebook
    from verhalen.lezen.bestanden import read_metadata
    from verhalen.lezen.sprekers import read_people

    if kind == "people":
        path = _write(".csv", data)
        call = lambda: read_people(path)  # noqa: E731
    elif kind == "metadata":
        path = _write(".csv", data).with_name("metadata.csv")
        path.write_bytes(data)
        call = lambda: read_metadata(path.parent)  # noqa: E731
    else:
        path = _write(".yaml", data)
        call = lambda: load_codebook(path)  # noqa: E731
    try:
        call()
    except VerhalenFout:
        pass


# -- lone glyphs never change the words ------------------------------------------------------
#: what PDF exports leave of icon fonts and bullets (U+FFFD, private use, object replacement)
GLYPHS = ["\ufffd", "\uf0b7", "\ue000", "\uf0a7", "\U000f0041", "\ufffc"]
_VOCAB = ["de", "het", "een", "buurt", "wijk", "bewoner", "coach", "gesprek", "luistert",
          "koffie", "samen", "tijd", "vertrouwen", "gemeente", "werkt", "vaak", "nieuwe",
          "ouderen", "jongeren", "buurthuis", "verschil", "vragen", "stappen", "zorg", "team",
          "maaltijd", "huisbezoek", "verhaal", "groep", "elke", "week", "met", "voor", "over",
          "zonder", "ondersteuning", "wijkcoach", "regeling", "brieven", "inloop"]
_NAMES = ["Femke", "Dijkhuis", "Rozenhof", "Lindenbuurt", "Oudeman"]
_sentence = st.tuples(
    st.sampled_from(_VOCAB + _NAMES),
    st.lists(st.sampled_from(_VOCAB + _NAMES), min_size=6, max_size=16),
    st.sampled_from([".", "?", "!"]),
).map(lambda t: " ".join([t[0][:1].upper() + t[0][1:]] + t[1]) + t[2])
#: a paragraph of at least two sentences (so at least two lines: a one-line paragraph that
#: ends in a glyph right above a navigation menu cannot be told from a menu item), or an
#: introduction with a numbered list ("N.<TAB>item", as Word lists are exported)
_paragraph = st.one_of(
    st.lists(_sentence, min_size=2, max_size=4).map(lambda ss: ("p", ss)),
    st.tuples(_sentence, st.lists(_sentence, min_size=2, max_size=4)).map(
        lambda t: ("l", [t[0][:-1] + ":"] + t[1]))
).filter(lambda par: len(" ".join(par[1])) > 100)   # wider than a line: two lines at least


def _lines_of(par, width: int) -> list[str]:
    import textwrap

    kind, sents = par
    if kind == "p":
        return textwrap.wrap(" ".join(sents), width)
    lines = textwrap.wrap(sents[0], width)
    for n, item in enumerate(sents[1:], start=1):
        lines += textwrap.wrap(f"{n}.\t{item}", width)
    return lines


def _insert_glyphs(lines: list[str], data) -> list[str]:
    """Lone glyphs at word boundaries: line start or end, after a list number, before or
    after a space, around a space, or in place of the space before a capital (after a
    lower-case letter or punctuation); one or two glyphs, mixed kinds."""
    out = []
    for line in lines:
        n = data.draw(st.integers(0, 3))
        for _ in range(n):
            g = "".join(data.draw(st.lists(st.sampled_from(GLYPHS), min_size=1, max_size=2)))
            spaces = [i for i, c in enumerate(line) if c == " "]
            where = data.draw(st.sampled_from(["start", "end", "number", "space"]))
            m = re.match(r"^\d{1,2}\.\t", line)
            if where == "start":
                line = g + line
            elif where == "end":
                line = line + g
            elif where == "number" and m:
                line = line[: m.end()] + g + line[m.end():]
            elif spaces:
                i = data.draw(st.sampled_from(spaces))
                how = data.draw(st.sampled_from(["before", "after", "around", "instead"]))
                if how == "instead" and not (line[i + 1 : i + 2].isupper()
                                             and not line[i - 1].isupper()):
                    how = "around"
                line = {"before": line[:i] + g + line[i:],
                        "after": line[: i + 1] + g + line[i + 1:],
                        "around": line[:i] + " " + g + line[i:],
                        "instead": line[:i] + g + line[i + 1:]}[how]
        out.append(line)
    return out


def _words_per_segment(corpus):
    return [(s.section, re.findall(r"\w+", s.text)) for s in corpus.segments()]


_NAV = ["Voorwoord\ufffd", "", "De wijkcoach aan", "het woord \ufffd", "", "Ouder worden\ufffd",
        "", "Terugblik\ufffd", ""]


@SLOW
@given(st.lists(_paragraph, min_size=1, max_size=5), st.integers(75, 95), st.data())
def test_lone_glyphs_never_change_the_words_plain_text(nlp, paragraphs, width, data):
    clean_lines: list[list[str]] = [_lines_of(p, width) for p in paragraphs]
    glyph_lines = [_insert_glyphs(ls, data) for ls in clean_lines]
    clean = "\n\n".join("\n".join(ls) for ls in clean_lines) + "\n"
    glyphed = "\n\n".join("\n".join(ls) for ls in glyph_lines) + "\n"
    a = read_corpus(_write(".txt", clean.encode("utf-8")), nlp=nlp, cache=False, progress=False)
    b = read_corpus(_write(".txt", glyphed.encode("utf-8")), nlp=nlp, cache=False,
                    progress=False)
    assert _words_per_segment(b) == _words_per_segment(a)
    for d in b.documents:
        check_document(d)


@SLOW
@given(st.lists(st.lists(_paragraph, min_size=1, max_size=3), min_size=3, max_size=4),
       st.integers(75, 95), st.data())
def test_lone_glyphs_never_change_the_words_pdf_export(nlp, pages, width, data):
    """The same in a pdftotext-style export (pages opening with one space, a navigation menu
    of icon-glyph items and a page number at the bottom of every page)."""
    def export(glyphs: bool) -> str:
        out = []
        for n, page in enumerate(pages, start=1):
            body = []
            for p in page:
                ls = _lines_of(p, width)
                body.append("\n".join(_insert_glyphs(ls, data) if glyphs else ls))
            text = "\n\n".join(body)
            out.append(" " + text + "\n\n\n" + "\n".join(_NAV) + f"\n{n}\n")
        return "".join(out)

    clean, glyphed = export(False), export(True)
    try:
        a = read_corpus(_write(".txt", clean.encode("utf-8")), nlp=nlp, cache=False,
                        progress=False)
    except LeesFout:
        assume(False)    # the same sentences on every page: all running headers, no text
    b = read_corpus(_write(".txt", glyphed.encode("utf-8")), nlp=nlp, cache=False,
                    progress=False)
    assert a.documents[0].meta.get("opgeschoond"), "geen PDF-export herkend"
    assert _words_per_segment(b) == _words_per_segment(a)
    for d in b.documents:
        check_document(d)
        assert not any(ch in s.text for s in d.segments for ch in GLYPHS)
