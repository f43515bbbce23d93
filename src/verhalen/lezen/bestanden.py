"""Readers per file type (.txt/.md, .docx, .pdf, .csv/.xlsx) and for a folder of mixed files.

Each reader turns one file into one or more ``RawDoc`` (blocks of cleaned text plus metadata);
``read_corpus`` assembles them into a Corpus. Every failure is a ``LeesFout`` naming the file
and, where there is one, the place (page, line, row).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..fouten import LeesFout
from ..model import slugify
from .codering import read_text_file
from .pdf_opschonen import Block, clean_pdf_text, looks_like_pdf_export, normalise_chars
from .segmenteren import text_blocks
from .vervangingstekens import (check_mangled, drop_lone_glyphs, glyph_record, merge_scans,
                                scan_glyphs)

TEXT_EXT = {".txt", ".md", ".markdown", ".text"}
SHEET_EXT = {".csv", ".tsv", ".xlsx", ".xlsm"}
SUPPORTED = TEXT_EXT | SHEET_EXT | {".docx", ".pdf"}
#: Files in a corpus folder that are not documents.
RESERVED_FILES = {"readme.md", "leesmij.md", "metadata.csv", "mensen.csv", "themas.csv",
                  "readme.txt", "leesmij.txt"}
RESERVED_DIRS = {"cijfers"}
TEXT_COLUMNS = ("tekst", "verhaal", "text", "story", "ervaring", "ervaringsverhaal", "verhalen",
                "beschrijving", "antwoord", "transcript", "inhoud", "body", "content")
CASE_COLUMNS = ("casus", "case", "case_id", "casus_id", "caseid")
DATE_COLUMNS = ("datum", "date")
TITLE_COLUMNS = ("titel", "title", "kop")
ID_COLUMNS = ("id", "nr", "nummer", "volgnummer", "verhaal_id", "respondent", "code")
SPEAKER_COLUMNS = ("verteller", "auteur", "spreker", "naam", "schrijver", "student")
#: Excel dates read as text come with a midnight time ("2024-10-02 00:00:00").
_MIDNIGHT = re.compile(r"(?<=^\d{4}-\d{2}-\d{2})[ T]00:00:00$")
ROLE_COLUMNS = ("rol", "role")


@dataclass
class RawDoc:
    doc_id: str
    blocks: list[Block]
    source: str
    title: str = ""
    case_id: str | None = None
    date: str | None = None
    links: list[str] = field(default_factory=list)
    caption_names: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    speaker: str | None = None
    speaker_role: str | None = None


def read_file(path: Path, doc_id: str, text_column: str | None = None) -> list[RawDoc]:
    """Read one file into raw documents (spreadsheets: one per row)."""
    ext = path.suffix.lower()
    if not path.exists():
        raise LeesFout(path, "het bestand bestaat niet.")
    if path.is_dir():
        raise LeesFout(path, "dit is een map, geen bestand.")
    if ext not in SUPPORTED:
        raise LeesFout(path, f"bestandstype '{ext or '(geen extensie)'}' wordt niet ondersteund "
                       "(wel: .txt, .md, .docx, .pdf, .csv, .xlsx).")
    if path.stat().st_size == 0:
        raise LeesFout(path, "het bestand is leeg.")
    if ext in TEXT_EXT:
        return [read_text_doc(path, doc_id)]
    if ext == ".docx":
        return [read_docx(path, doc_id)]
    if ext == ".pdf":
        return [read_pdf(path, doc_id)]
    return read_sheet(path, doc_id, text_column)


def read_text_doc(path: Path, doc_id: str) -> RawDoc:
    text, enc = read_text_file(path)   # refuses a text whose letters were lost
    text = normalise_chars(text)
    meta: dict[str, Any] = {"codering": enc}
    glyphs = glyph_record(scan_glyphs(text))
    if glyphs:
        meta["vervangingstekens"] = glyphs
    if looks_like_pdf_export(text):
        cleaned = clean_pdf_text(text)   # uses the glyphs to find navigation, then drops them
        meta["opgeschoond"] = dict(cleaned.removed)
        blocks, links, names = cleaned.blocks, cleaned.links, cleaned.caption_names
    else:
        blocks, links, names = text_blocks(drop_lone_glyphs(text)), [], []
    if not any(b.kind == "paragraph" for b in blocks):
        raise LeesFout(path, "het bestand bevat geen leesbare tekst.")
    return RawDoc(doc_id, blocks, str(path), links=links, caption_names=names, meta=meta)


def read_docx(path: Path, doc_id: str) -> RawDoc:
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError as exc:  # pragma: no cover - python-docx is a dependency
        raise LeesFout(path, "python-docx is niet geïnstalleerd.") from exc
    if not zipfile.is_zipfile(path):
        raise LeesFout(path, "dit is geen geldig Word-bestand (.docx): het bestand is beschadigd "
                       "of heeft de verkeerde extensie.")
    try:
        d = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, Exception) as exc:
        raise LeesFout(path, f"het Word-bestand kan niet worden geopend ({type(exc).__name__}); "
                       "het is mogelijk beschadigd.") from exc
    lines: list[tuple[str, int]] = []  # (text, heading level or 0)
    title = ""
    try:
        title = (d.core_properties.title or "").strip()
    except Exception:  # noqa: BLE001
        title = ""
    for p in d.paragraphs:
        t = normalise_chars(p.text).strip()   # glyphs are dropped below, after the scan
        style = (p.style.name if p.style is not None else "") or ""
        level = 0
        m = re.match(r"(?:heading|kop)\s*(\d)", style, re.I)
        if m:
            level = min(3, int(m.group(1)))
        elif style.lower() in ("title", "titel"):
            level = 1
        lines.append((t, level))
    for table in d.tables:
        for row in table.rows:
            cells = [normalise_chars(c.text).strip() for c in row.cells]
            cells = list(dict.fromkeys(c for c in cells if c))
            if cells:
                lines.append((" — ".join(cells), 0))
    scan = check_mangled("\n".join(t for t, _ in lines), path, unit="alinea")
    lines = [(drop_lone_glyphs(t).strip(), level) for t, level in lines]
    blocks: list[Block] = []
    para_lines: list[str] = []

    def flush():
        if para_lines:
            blocks.extend(text_blocks("\n".join(para_lines)))
            para_lines.clear()

    for t, level in lines:
        if level:
            flush()
            if t:
                blocks.append(Block("heading", t, level=level))
        elif t:
            # each Word paragraph is a paragraph: blank line between them
            para_lines.append(t)
            para_lines.append("")
        else:
            para_lines.append("")
    flush()
    if not any(b.kind == "paragraph" for b in blocks):
        raise LeesFout(path, "het Word-bestand bevat geen tekst.")
    glyphs = glyph_record(scan, unit="alinea")
    return RawDoc(doc_id, blocks, str(path), title=title,
                  meta={"vervangingstekens": glyphs} if glyphs else {})


#: Titles PDF producers fill in by themselves ("untitled", "Microsoft Word - verslag.docx").
PLACEHOLDER_TITLE_RE = re.compile(
    r"^(?:untitled|naamloos|document\d*|microsoft word\s*-.*|.*\.(?:docx?|odt|rtf|pdf))$", re.I)


def _page_text(page) -> tuple[str, list[tuple[bool, float]] | None]:
    """The page's text layer and, per line of it, what the layout says about that line.

    pypdf's plain extraction drops vertical spacing and font sizes, so a paragraph whose last
    line is nearly full could not be told apart from the next one, nor a heading from a short
    body line. Its visitor gives each text chunk's baseline and size; per output line we
    return ``(gap_before, size)``: whether the distance to the line above is clearly larger
    than the page's usual line spacing at body size (a paragraph gap), and the line's font
    size relative to the body size (> 1 for titles and headings). ``None`` when the chunks do
    not add up to the extracted text (unusual content streams) or the page is too short to
    tell; the cleaner then relies on the text alone.
    """
    parts: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font_dict, font_size):
        # baseline in page space: text matrix then current transformation matrix
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        size = abs(font_size * (tm[3] or 1.0) * (cm[3] or 1.0))
        parts.append((text, y, size))

    text = page.extract_text(visitor_text=visit) or ""
    if not parts or "".join(t for t, _, _ in parts) != text:
        return text, None
    # each output line gets the baseline and size of its first visible chunk
    lines: list[list] = [[None, 0.0]]
    for chunk, y, size in parts:
        for k, piece in enumerate(chunk.split("\n")):
            if k:
                lines.append([None, 0.0])
            if piece.strip() and lines[-1][0] is None:
                lines[-1][0], lines[-1][1] = y, size
    sizes = sorted(sz for y, sz in lines if y is not None)
    if len(sizes) < 4 or sizes[len(sizes) // 2] <= 0:
        return text, None
    body = sizes[len(sizes) // 2]
    gaps = []
    prev = None
    for y, sz in lines:
        if y is None:
            continue
        if prev is not None and abs(sz - body) < 0.5 and abs(prev[1] - body) < 0.5:
            gap = prev[0] - y
            if 0 < gap < 4 * body:
                gaps.append(gap)
        prev = (y, sz)
    spacing = sorted(gaps)[len(gaps) // 2] if len(gaps) >= 3 else None
    layout: list[tuple[bool, float]] = []
    prev = None
    for y, sz in lines:
        if y is None:
            layout.append((False, 1.0))
            continue
        gap = bool(spacing and prev is not None and prev[0] - y > 1.3 * spacing)
        layout.append((gap, round(sz / body, 3)))
        prev = (y, sz)
    return text, layout


def read_pdf(path: Path, doc_id: str) -> RawDoc:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as exc:  # pragma: no cover
        raise LeesFout(path, "pypdf is niet geïnstalleerd.") from exc
    import logging

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if b"%PDF" not in head:
        raise LeesFout(path, "dit is geen geldig PDF-bestand (de PDF-kop ontbreekt); het bestand "
                       "is beschadigd of heeft de verkeerde extensie.")
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception as exc:  # noqa: BLE001
                raise LeesFout(path, "de PDF is beveiligd met een wachtwoord.") from exc
        n = len(reader.pages)
    except LeesFout:
        raise
    except (PdfReadError, Exception) as exc:  # noqa: BLE001 - pypdf raises many kinds
        raise LeesFout(path, f"de PDF kan niet worden gelezen ({type(exc).__name__}); het "
                       "bestand is mogelijk beschadigd.") from exc
    pages, layout = [], []
    for i in range(n):
        try:
            text, lay = _page_text(reader.pages[i])
            pages.append(text)
            layout.append(lay)
        except Exception as exc:  # noqa: BLE001
            raise LeesFout(path, f"de tekst van de pagina kan niet worden gelezen "
                           f"({type(exc).__name__}).", plaats=f"pagina {i + 1}") from exc
    if not any(p.strip() for p in pages):
        raise LeesFout(path, "de PDF heeft geen tekstlaag (gescand document?). Maak er eerst "
                       "tekst van met OCR, bijvoorbeeld met ocrmypdf.")
    scan = merge_scans((i + 1, scan_glyphs(normalise_chars(p))) for i, p in enumerate(pages))
    check_mangled("", path, unit="pagina", scan=scan)
    cleaned = clean_pdf_text("", pages=pages, layout=layout)
    if not any(b.kind == "paragraph" for b in cleaned.blocks):
        raise LeesFout(path, "na het opschonen bleef geen tekst over.")
    title = ""
    try:
        title = (reader.metadata.title or "") if reader.metadata else ""
    except Exception:  # noqa: BLE001
        title = ""
    if PLACEHOLDER_TITLE_RE.match(str(title).strip()):
        title = ""  # a tool's default, not the author's title: the first heading decides
    return RawDoc(doc_id, cleaned.blocks, str(path), title=str(title).strip(),
                  links=cleaned.links, caption_names=cleaned.caption_names,
                  meta={"paginas": n, "opgeschoond": dict(cleaned.removed),
                        **({"vervangingstekens": glyph_record(scan, unit="pagina")}
                           if scan.n_lone or scan.n_in_word else {})})


def _read_table(path: Path) -> list[tuple[str, pd.DataFrame]]:
    ext = path.suffix.lower()
    if ext in (".csv", ".tsv"):
        text, _ = read_text_file(path)
        try:
            df = pd.read_csv(io.StringIO(text), dtype=str, sep="\t" if ext == ".tsv" else None,
                             engine="python", skip_blank_lines=True)
        except pd.errors.ParserError as exc:
            m = re.search(r"line (\d+)", str(exc))
            raise LeesFout(path, "het CSV-bestand kan niet worden gelezen: de kolommen kloppen "
                           "niet (controleer scheidingsteken en aanhalingstekens).",
                           plaats=f"regel {m.group(1)}" if m else None) from exc
        except Exception as exc:  # noqa: BLE001
            raise LeesFout(path, f"het CSV-bestand kan niet worden gelezen ({exc}).") from exc
        return [("", df)]
    if not zipfile.is_zipfile(path):
        raise LeesFout(path, "dit is geen geldig Excel-bestand (.xlsx): het bestand is "
                       "beschadigd of heeft de verkeerde extensie.")
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=str, engine="openpyxl")
    except Exception as exc:  # noqa: BLE001
        raise LeesFout(path, f"het Excel-bestand kan niet worden gelezen ({type(exc).__name__})."
                       ) from exc
    return [(name, df) for name, df in sheets.items() if not df.dropna(how="all").empty]


def detect_text_column(df: pd.DataFrame, text_column: str | None, path: Path) -> str:
    cols = {str(c).strip().lower(): c for c in df.columns}
    if text_column:
        if text_column in df.columns:
            return text_column
        if text_column.lower() in cols:
            return cols[text_column.lower()]
        raise LeesFout(path, f"de tekstkolom '{text_column}' bestaat niet (kolommen: "
                       f"{', '.join(map(str, df.columns))}).")
    for name in TEXT_COLUMNS:
        if name in cols:
            return cols[name]
    for low, col in cols.items():
        if any(low.startswith(n) for n in TEXT_COLUMNS):
            return col
    best, best_len = None, 0.0
    for col in df.columns:
        vals = df[col].dropna().astype(str)
        if vals.empty:
            continue
        avg = vals.str.len().mean()
        words = vals.str.split().str.len().mean()
        if words >= 5 and avg > best_len:
            best, best_len = col, avg
    if best is None:
        raise LeesFout(path, "geen kolom met verhalen gevonden; geef de tekstkolom aan met "
                       "--tekstkolom (bijvoorbeeld 'tekst' of 'verhaal').")
    return best


def read_sheet(path: Path, doc_id: str, text_column: str | None = None) -> list[RawDoc]:
    docs: list[RawDoc] = []
    tables = _read_table(path)
    if not tables:
        raise LeesFout(path, "het bestand bevat geen rijen.")
    for sheet, df in tables:
        df = df.dropna(how="all")
        if df.empty:
            continue
        col = detect_text_column(df, text_column, path)
        cols = {str(c).strip().lower(): c for c in df.columns}
        idcol = next((cols[c] for c in ID_COLUMNS if c in cols and cols[c] != col), None)
        casecol = next((cols[c] for c in CASE_COLUMNS if c in cols), None)
        datecol = next((cols[c] for c in DATE_COLUMNS if c in cols), None)
        titlecol = next((cols[c] for c in TITLE_COLUMNS if c in cols), None)
        spcol = next((cols[c] for c in SPEAKER_COLUMNS if c in cols and cols[c] != col), None)
        rolecol = next((cols[c] for c in ROLE_COLUMNS if c in cols), None)
        prefix = doc_id if not sheet or len(tables) == 1 else f"{doc_id}-{slugify(sheet)}"
        # plain dicts per row: iterrows() builds a Series per row (most of the reading time
        # of a 10,000-row sheet)
        for n, row in enumerate(df.to_dict("records"), start=1):
            raw = row[col]
            if raw is None or (isinstance(raw, float) and raw != raw) or not str(raw).strip():
                continue
            text = normalise_chars(str(raw)).replace("_x000D_", "")
            rid = str(row[idcol]).strip() if idcol is not None and pd.notna(row[idcol]) else str(n)
            row = {k: (_MIDNIGHT.sub("", v) if isinstance(v, str) else v) for k, v in row.items()}
            meta = {str(k): (v if pd.notna(v) else None) for k, v in row.items() if k != col}
            meta = {k: v for k, v in meta.items() if v not in (None, "")}
            meta["rij"] = n + 1  # spreadsheet row (header is row 1)
            if sheet and len(tables) > 1:
                meta["blad"] = sheet
            sc = scan_glyphs(text)
            sc.lone, sc.in_word = [n + 1] * sc.n_lone, [n + 1] * sc.n_in_word  # the row
            glyphs = glyph_record(sc, unit="rij")
            if glyphs:
                meta["vervangingstekens"] = glyphs
            blocks = text_blocks(drop_lone_glyphs(text))
            if not blocks:
                continue
            rd = RawDoc(f"{prefix}-{slugify(rid)}", blocks, str(path),
                        title=str(row[titlecol]).strip() if titlecol is not None
                        and pd.notna(row[titlecol]) else f"{path.stem} rij {n + 1}",
                        case_id=str(row[casecol]).strip() if casecol is not None
                        and pd.notna(row[casecol]) else None,
                        date=str(row[datecol]).strip() if datecol is not None
                        and pd.notna(row[datecol]) else None, meta=meta)
            if spcol is not None and pd.notna(row[spcol]) and str(row[spcol]).strip():
                rd.speaker = str(row[spcol]).strip()
                if str(spcol).strip().lower() in ("auteur", "schrijver", "student"):
                    rd.speaker_role = "auteur"  # the writer of the story (a rol column wins)
            if rolecol is not None and pd.notna(row[rolecol]):
                rd.speaker_role = str(row[rolecol]).strip()
            docs.append(rd)
    if not docs:
        raise LeesFout(path, "geen enkele rij bevat tekst in de tekstkolom.")
    return docs


# ---------------------------------------------------------------------------------------------
# folders
def list_documents(folder: Path) -> list[Path]:
    files = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if any(part.startswith(".") or part.startswith("~$") for part in rel.parts):
            continue
        if any(part.lower() in RESERVED_DIRS for part in rel.parts[:-1]):
            continue
        if p.is_dir():
            continue
        if len(rel.parts) == 1 and p.name.lower() in RESERVED_FILES:
            continue
        if p.name.lower() in ("readme.md", "leesmij.md"):
            continue
        files.append(p)
    return files


def read_metadata(folder: Path) -> tuple[dict[str, dict[str, Any]], list[dict[str, str]]]:
    """``metadata.csv``: bestand, titel, casus, datum, soort (+ any other column → meta).

    Returns the metadata per relative path and the problems (rows naming missing files)."""
    path = folder / "metadata.csv"
    problems: list[dict[str, str]] = []
    if not path.exists():
        return {}, problems
    text, _ = read_text_file(path)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, sep=None, engine="python").fillna("")
    except Exception as exc:  # noqa: BLE001
        raise LeesFout(path, f"metadata.csv kan niet worden gelezen ({exc}).") from exc
    cols = {c.strip().lower(): c for c in df.columns}
    if "bestand" not in cols:
        raise LeesFout(path, "metadata.csv mist de kolom 'bestand' (verwacht: bestand, titel, "
                       "casus, datum, soort).")
    out: dict[str, dict[str, Any]] = {}
    for n, row in enumerate(df.to_dict("records"), start=2):
        name = str(row[cols["bestand"]]).strip().replace("\\", "/")
        if not name:
            continue
        if not (folder / name).exists():
            err = LeesFout(path, f"het bestand '{name}' uit metadata.csv bestaat niet in de map.",
                           plaats=f"regel {n}")
            problems.append({"path": str(path), "message": str(err)})
            continue
        out[name] = {k.strip().lower(): str(v).strip() for k, v in row.items()
                     if k != cols["bestand"] and str(v).strip()}
    return out, problems
