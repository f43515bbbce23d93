"""Checks on the demo corpus corpora/voorbeeld/: files, metadata contracts, encodings, the PDF
bundle, theme coverage, and that none of its text is copied from the seeds."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "corpora" / "voorbeeld"

# The 12 reference codes of ../shared/reference/codebook.md (hard-coded: no ../shared needed).
REFERENCE_CODES = {
    "basishouding", "methodische_rugzak", "politisering",
    "kleine_stappen", "relationeel_weefsel", "betekenisvolle_momenten", "eigen_stem",
    "meten_en_verantwoorden", "kosten_en_baten", "preventie", "financiering_en_beleid",
    "tellen_en_vertellen",
}
ROLES = {"sociaal professional", "onderzoeker", "bewoner/cliënt", "beleid"}
SOORTEN = {"interview_professional", "interview_onderzoeker", "interview_beleid",
           "ervaringsverhaal", "bundel", "verhalen_leeratelier"}
DOC_SUFFIXES = {".txt", ".md", ".docx", ".pdf", ".xlsx"}
AUX_FILES = {"README.md"}
CP1252_FILE = "interviews/schuldhulp_west.txt"
BOM_FILE = "interviews/casemanager_dementie_noord.txt"
PDF_FILE = "bundel_wijkaanpak.pdf"
XLSX_FILE = "verhalen/ervaringsverhalen_leeratelier.xlsx"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh))


@pytest.fixture(scope="module")
def meta() -> list[dict[str, str]]:
    if not DEMO.exists():
        pytest.skip("demo corpus ontbreekt")
    return _rows(DEMO / "metadata.csv")


def _document_files() -> set[str]:
    found = set()
    for p in DEMO.rglob("*"):
        rel = p.relative_to(DEMO).as_posix()
        if p.is_file() and p.suffix in DOC_SUFFIXES and rel not in AUX_FILES:
            found.add(rel)
    return found


def _pdf_pages() -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(DEMO / PDF_FILE).pages]


def _xlsx_rows() -> list[dict]:
    import openpyxl

    wb = openpyxl.load_workbook(DEMO / XLSX_FILE, read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, r)) for r in rows[1:] if any(v is not None for v in r)]


def _text_of(rel: str) -> str:
    path = DEMO / rel
    if path.suffix in (".txt", ".md"):
        raw = path.read_bytes()
        if raw.startswith(b"\xef\xbb\xbf"):
            return raw[3:].decode("utf-8")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("cp1252")
    if path.suffix == ".docx":
        import docx

        return "\n".join(p.text for p in docx.Document(path).paragraphs)
    if path.suffix == ".pdf":
        return "\n".join(_pdf_pages())
    if path.suffix == ".xlsx":
        return "\n".join(str(r["tekst"]) for r in _xlsx_rows())
    raise AssertionError(f"onbekend documenttype: {rel}")


def test_at_least_twelve_documents(meta):
    assert len(meta) >= 12
    assert len(_document_files()) >= 12


def test_metadata_columns_and_values(meta):
    assert _header(DEMO / "metadata.csv") == ["bestand", "titel", "casus", "datum", "soort"]
    for row in meta:
        assert row["titel"].strip(), row
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["datum"]), row
        assert row["soort"] in SOORTEN, row
    soorten = [r["soort"] for r in meta]
    assert soorten.count("interview_professional") >= 5
    assert soorten.count("interview_onderzoeker") >= 2
    assert soorten.count("ervaringsverhaal") >= 3
    assert {"interview_beleid", "bundel", "verhalen_leeratelier"} <= set(soorten)


def test_metadata_lists_exactly_the_document_files(meta):
    listed = [r["bestand"] for r in meta]
    assert len(listed) == len(set(listed)), "dubbele regel in metadata.csv"
    for rel in listed:
        assert (DEMO / rel).is_file(), f"{rel} uit metadata.csv bestaat niet"
    assert set(listed) == _document_files()


def test_documents_have_realistic_length(meta):
    for row in meta:
        if row["soort"] in ("verhalen_leeratelier",):
            continue
        words = len(re.findall(r"\w+", _text_of(row["bestand"])))
        assert 400 <= words <= 1300, (row["bestand"], words)


def test_people_table():
    assert _header(DEMO / "mensen.csv") == ["naam", "rol", "organisatie", "aliassen"]
    people = _rows(DEMO / "mensen.csv")
    assert {p["rol"] for p in people} == ROLES
    names = [p["naam"] for p in people]
    assert len(names) == len(set(names))
    aliases = [a.strip() for p in people for a in p["aliassen"].split(";") if a.strip()]
    assert len(aliases) == len(set(aliases)), "een alias hoort bij meer dan één persoon"
    # speakers named in the journalistic piece and the bundle are in the table
    for needed in ("Van Dalen", "Kaya", "De Wit", "Smit", "Post", "Visser", "Vermeer"):
        assert needed in aliases, needed


def test_case_figures(meta):
    cases = _rows(DEMO / "cijfers" / "casussen.csv")
    assert _header(DEMO / "cijfers" / "casussen.csv") == [
        "casus", "naam", "deelnemers", "kosten_eur", "uren_bespaard", "baten_eur", "schaal",
        "toelichting"]
    ids = {c["casus"] for c in cases}
    assert 5 <= len(ids) == len(cases) <= 6
    for c in cases:
        assert int(c["deelnemers"]) > 0 and float(c["kosten_eur"]) > 0
        assert float(c["baten_eur"]) >= 0 and float(c["uren_bespaard"]) >= 0
        assert c["schaal"].strip()
        path = DEMO / "cijfers" / f"scores_{c['casus']}.csv"
        assert _header(path) == ["deelnemer", "voor", "na"]
        scores = _rows(path)
        assert 8 <= len(scores) <= 25
        lo, hi = map(int, re.search(r"(\d+)-(\d+)\)", c["schaal"]).groups())
        missing = 0
        for s in scores:
            assert lo <= float(s["voor"]) <= hi
            if s["na"] == "":
                missing += 1
            else:
                assert lo <= float(s["na"]) <= hi
        assert 1 <= missing < len(scores) // 2
    used = {r["casus"] for r in meta if r["casus"]} | {r["casus"] for r in _xlsx_rows()}
    assert used <= ids, used - ids
    assert used == ids, "elke casus komt in het corpus voor"


def test_leeratelier_sheet():
    rows = _xlsx_rows()
    assert 12 <= len(rows) <= 15
    assert list(rows[0]) == ["verhaal_id", "casus", "student", "datum", "tekst"]
    for r in rows:
        assert 80 <= len(str(r["tekst"]).split()) <= 200, r["verhaal_id"]


def test_themes_cover_every_reference_code(meta):
    assert _header(DEMO / "themas.csv") == ["bestand", "themas"]
    rows = _rows(DEMO / "themas.csv")
    assert {r["bestand"] for r in rows} == {r["bestand"] for r in meta}
    counts = {code: 0 for code in REFERENCE_CODES}
    for r in rows:
        codes = {c.strip() for c in r["themas"].split(";") if c.strip()}
        assert codes <= REFERENCE_CODES, codes - REFERENCE_CODES
        for c in codes:
            counts[c] += 1
    assert all(n >= 3 for n in counts.values()), counts


def test_emergent_theme_runs_through_many_documents(meta):
    hits = [r["bestand"] for r in meta
            if re.search(r"digi|online|app\b|portaal", _text_of(r["bestand"]), re.I)]
    assert len(hits) >= 8, hits


def test_encodings():
    raw = (DEMO / CP1252_FILE).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    for ch in "éëï€":
        assert ch in text, ch
    bom = (DEMO / BOM_FILE).read_bytes()
    assert bom.startswith(b"\xef\xbb\xbf")
    bom.decode("utf-8")
    for row in _rows(DEMO / "metadata.csv"):
        if row["bestand"].endswith((".txt", ".md")) and row["bestand"] != CP1252_FILE:
            (DEMO / row["bestand"]).read_bytes().decode("utf-8")


def test_personal_data_for_pseudonymisation(meta):
    text = "\n".join(_text_of(r["bestand"]) for r in meta)
    assert re.search(r"\b06-\d{8}\b", text)
    assert re.search(r"\b[\w.]+@[\w.-]*voorbeeld\.nl\b", text)
    assert re.search(r"\bBSN \d{9}\b", text)
    assert "Lindelaan 14" in text and "geboren 3 maart 1961" in text


def test_pdf_bundle_has_pages_text_and_furniture():
    pages = _pdf_pages()
    assert 3 <= len(pages) <= 5
    for n, page in enumerate(pages, start=1):
        assert len(page.split()) > 150
        assert "Bundel wijkaanpak Havenkwartier" in page  # running header
        assert f"Pagina {n} van {len(pages)}" in page
        assert "Over de Werkplaats" in page  # navigation list on every page
    text = "\n".join(pages)
    assert re.search(r"werkwijze\.3\b", text)  # footnote marker glued to a word
    assert re.search(r"^3 De werkwijze", text, re.M)  # footnote block
    assert re.search(r"^https://\S+$", text, re.M)  # bare URL line
    assert "samen-\nwerking" in text and "uithuis-\nplaatsing" in text
    assert "re-integratie" in text and "sociaal-pedagogisch" in text
    assert re.search(r"^2\. Kim Smit", text, re.M)
    # a paragraph runs across a page break: page 2 starts in the middle of a sentence
    first_body_line = pages[1].splitlines()[8]
    assert first_body_line[:1].islower(), first_body_line


def test_pdf_generator_is_deterministic(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "maak_voorbeeld_pdf", ROOT / "scripts" / "maak_voorbeeld_pdf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "bundel.pdf"
    assert module.build(out) == len(_pdf_pages())
    assert out.read_bytes() == (DEMO / PDF_FILE).read_bytes()


def _ngrams(text: str, n: int = 8) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def test_no_sentence_copied_from_the_seeds(meta, shared_dir):
    seeds = sorted((shared_dir / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("geen seeds gevonden")
    seed_grams: set[tuple[str, ...]] = set()
    for path in seeds:
        seed_grams |= _ngrams(path.read_text(encoding="utf-8", errors="replace"))
    for row in meta:
        shared = _ngrams(_text_of(row["bestand"])) & seed_grams
        assert not shared, (row["bestand"], sorted(shared)[:3])
