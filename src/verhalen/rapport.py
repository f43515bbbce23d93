"""The offline HTML report. It opens with its findings (a summary an author can quote: the
corpus in one line, the track map, the leading themes per track with one quote each, where the
roles differ, the emergent themes), then the details (corpus overview, track maps per role and
case, spoorwissel, one section per theme, theme maps, emergent themes, "tellen én vertellen"),
then the appendices: documents and people (the long tables: documents, track profile per
document, people), codebook, method.

``build_report`` returns one self-contained HTML string: plotly.js is inlined once (with the
first figure), every other figure reuses it, there are no external scripts, styles, fonts or
images, so the file opens offline and can be mailed or archived as it is. All text from the
corpus (quotes, names, titles) is escaped. ``write_report`` writes it atomically and never
replaces an earlier report without ``overwrite=True``.

The figures and tables come from :mod:`verhalen.sporen` (figuren, profiel, citaten) and the
"tellen én vertellen" section from :mod:`verhalen.mixed`; this module only lays them out. It
sits above both (mixed uses sporen.profiel), so it is not part of either package.
"""

from __future__ import annotations

import datetime as _dt
import html
import re
from pathlib import Path
from typing import Any

import pandas as pd

from .fouten import VerhalenFout
from .model import Corpus
from .tracks import TRACK_COLOURS, TRACK_LABELS, TRACKS

__all__ = ["build_report", "write_report", "report_figures", "FIGURE_IDS", "SUMMARY_TITLE",
           "APPENDICES"]

e = html.escape

#: The figure divs every report has (id → Dutch caption); tests and the browser check count them.
#: The track map per document is the summary's; the others are in the details.
FIGURE_IDS = {
    "fig-sporenkaart-documenten": "Sporenkaart per document",
    "fig-sporenkaart-rollen": "Sporenkaart per sprekersrol",
    "fig-zonnewiel": "Zonnewiel: spoor → thema → document",
    "fig-heatmap": "Heatmap document × thema",
    "fig-netwerk": "Netwerk van thema's die samen voorkomen",
    "fig-sankey": "Van sprekersrol via thema naar spoor",
    "fig-citatenmatrix": "Citatenmatrix: de best onderbouwde citaten per thema en document",
}

#: Heading of the section the report opens with.
SUMMARY_TITLE = "Samenvatting: de belangrijkste bevindingen"
#: Anchors of the appendix sections (``<section class="bijlage">``), in report order.
APPENDICES = ("documenten", "codeboek", "methode")

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;
 color:#222;background:#fafafa;line-height:1.5}
main{max-width:1100px;margin:0 auto;padding:1.5em 2em 4em;background:#fff}
h1{font-size:1.9em;margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;
 margin-top:2.2em}h3{margin-top:1.6em}
table{border-collapse:collapse;margin:.8em 0;font-size:.9em;display:block;overflow-x:auto;
 max-width:100%}
th,td{border:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}
.klein{color:#666;font-size:.88em}.toc{columns:2;font-size:.95em}
blockquote{margin:.5em 0 .8em;padding:.4em .9em;border-left:4px solid #bbb;background:#f7f7f7}
.bron{display:block;color:#666;font-size:.85em;margin-top:.2em}
.spoor{display:inline-block;padding:0 .5em;border-radius:.8em;color:#fff;font-size:.85em;
 margin-right:.3em}.figuur{margin:1em 0 2em}.let-op{background:#fff6e0;padding:.6em 1em;
 border-left:4px solid #e0a800}
.balk{display:flex;height:.8em;width:7em;border-radius:.2em;overflow:hidden}
.balk span{display:block;height:100%}
.samenvatting{background:#f5f8fb;border:1px solid #d7e2ec;border-radius:.4em;padding:.2em 1.4em 1em}
.samenvatting h2{margin-top:.8em}.samenvatting h3{margin-top:1.2em}
.samenvatting ul{padding-left:1.2em}.samenvatting li{margin:.2em 0}
.sporen-balk{display:flex;height:1.4em;max-width:36em;border-radius:.3em;overflow:hidden;
 margin:.4em 0;font-size:.85em;color:#fff}
.sporen-balk span{display:flex;align-items:center;justify-content:center;white-space:nowrap;
 overflow:hidden}
section.bijlage>h2{border-bottom-style:dashed}
@media print{.toc{columns:1}main{max-width:none}section.bijlage{break-before:page}}
"""


# ---------------------------------------------------------------------------------------------
# small helpers
def _pct(v) -> str:
    return "–" if v is None or v != v else f"{100 * float(v):.0f}%"


def _num(v) -> str:
    if v is None or v != v:
        return "–"
    return f"{v:,.0f}".replace(",", ".") if float(v) == int(v) else f"{v:.2f}".replace(".", ",")


def _table(df: pd.DataFrame, *, numeric: set[str] = frozenset(), rename: dict | None = None,
           fmt: dict | None = None) -> str:
    """A DataFrame as an escaped HTML table (no pandas styling: keeps the file small)."""
    rename, fmt = rename or {}, fmt or {}
    cols = list(df.columns)
    head = "".join(f"<th>{e(str(rename.get(c, c)))}</th>" for c in cols)
    rows = []
    for rec in df.to_dict("records"):
        cells = []
        for c in cols:
            v = rec[c]
            text = fmt[c](v) if c in fmt else ("" if v is None or (isinstance(v, float) and v != v)
                                               else str(v))
            cls = ' class="num"' if c in numeric else ""
            cells.append(f"<td{cls}>{e(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _track_badges(weights: dict[str, float]) -> str:
    if not any(w for w in weights.values()):
        return '<span class="spoor" style="background:#888888">zonder spoor</span>'
    return "".join(f'<span class="spoor" style="background:{TRACK_COLOURS[t]}">'
                   f'{e(TRACK_LABELS[t])}{"" if w == 1 else f" {w:g}"}</span>'
                   for t, w in weights.items() if w)


def _bar(row: dict) -> str:
    spans = "".join(f'<span title="{e(TRACK_LABELS[t])} {_pct(row.get(t))}" style="background:'
                    f'{TRACK_COLOURS[t]};width:{100 * (row.get(t) or 0 if row.get(t) == row.get(t) else 0):.0f}%">'
                    f'</span>' for t in TRACKS)
    return f'<div class="balk">{spans}</div>'


def _doc_titles(segs: pd.DataFrame) -> dict[str, str]:
    if "title" not in segs:
        return {}
    t = segs.drop_duplicates("doc_id").set_index("doc_id")["title"]
    return {k: (v if isinstance(v, str) and v else k) for k, v in t.items()}


def _codes_long(codes_long) -> pd.DataFrame:
    if codes_long is None:
        return pd.DataFrame(columns=["segment_id", "code", "score", "evidence", "source", "coder"])
    if isinstance(codes_long, (str, Path)):
        from .codes import read_codes
        codes_long = read_codes(codes_long)
    if "segment_id" not in codes_long.columns:
        from .codes import wide_to_long
        codes_long = wide_to_long(codes_long)
    return codes_long


# ---------------------------------------------------------------------------------------------
# figures
def report_figures(segments_df: pd.DataFrame, codes_long: pd.DataFrame, codebook) -> dict:
    """The report's figures as plotly Figures, keyed by :data:`FIGURE_IDS` (for notebooks)."""
    from .sporen import figuren as F

    segs = segments_df
    made = {
        "fig-sporenkaart-documenten": lambda: F.track_map(segs, codes_long, codebook, by="doc_id",
                                                         title=FIGURE_IDS["fig-sporenkaart-documenten"]),
        "fig-sporenkaart-rollen": lambda: F.track_map(segs, codes_long, codebook, by="roles",
                                                      title=FIGURE_IDS["fig-sporenkaart-rollen"]),
        "fig-zonnewiel": lambda: F.track_sunburst(segs, codes_long, codebook,
                                                  title=FIGURE_IDS["fig-zonnewiel"]),
        "fig-heatmap": lambda: F.code_heatmap(segs, codes_long, codebook,
                                              title=FIGURE_IDS["fig-heatmap"]),
        "fig-netwerk": lambda: F.cooccurrence_network(segs, codes_long, codebook,
                                                      title=FIGURE_IDS["fig-netwerk"]),
        "fig-sankey": lambda: F.role_sankey(segs, codes_long, codebook,
                                            title=FIGURE_IDS["fig-sankey"]),
        "fig-citatenmatrix": lambda: F.quote_matrix(segs, codes_long, codebook,
                                                    title=FIGURE_IDS["fig-citatenmatrix"]),
    }
    out = {}
    for key, make in made.items():
        try:
            out[key] = make()
        except VerhalenFout as exc:     # e.g. no roles at all: say so in the figure's place
            out[key] = F.empty_figure(FIGURE_IDS[key], f"Niet te tekenen: {exc}")
    return out


class _Figures:
    """Turns figures into divs; plotly.js goes inline with the first one only."""

    def __init__(self) -> None:
        self.n = 0

    def div(self, fig, div_id: str, height: int | None = None) -> str:
        if height:
            fig.update_layout(height=height)
        first = self.n == 0
        self.n += 1
        body = fig.to_html(full_html=False, include_plotlyjs=True if first else False,
                           div_id=div_id, config={"displaylogo": False, "responsive": True})
        return f'<div class="figuur" data-figuur="{e(div_id)}">{body}</div>'


# ---------------------------------------------------------------------------------------------
# the report
def build_report(corpus: Corpus | pd.DataFrame, codes_long, codebook, *,
                 themes: pd.DataFrame | None = None, numbers=None, scores=None,
                 method: dict[str, Any] | None = None, reference=None,
                 title: str = "Verhalen in kaart: sporen van impact",
                 n_quotes: int = 3) -> str:
    """The report as one self-contained HTML string.

    ``corpus``: a :class:`Corpus` (or its ``segments_df()``); ``codes_long``: long codes (or
    a wide frame / a codes file); ``codebook``: the codebook used. Optional: ``themes`` (the
    topic table of ``verhalen themas``: ``topic_table`` or ``themas_tabel.csv``), ``numbers``
    (case table or its path: adds the "tellen én vertellen" joint display) and ``scores``,
    ``method`` (what ran: ``nlp``, ``embedder``, ``coder``, ``drempels`` …; shown in the method
    appendix), ``reference`` (human reference codes, wide or a path: agreement figures).
    """
    if isinstance(corpus, Corpus):
        segs = corpus.segments_df()
        meta = dict(corpus.meta)
        people = corpus.people
        docs = corpus.documents_df()
    elif isinstance(corpus, pd.DataFrame):
        segs, meta, people, docs = corpus, {}, None, None
    else:
        raise VerhalenFout("build_report: geef een Corpus of een segmenten-DataFrame mee.")
    if segs.empty:
        raise VerhalenFout("build_report: het corpus heeft geen segmenten; er valt niets te "
                           "rapporteren.")
    long = _codes_long(codes_long)
    long = long[long["segment_id"].isin(set(segs["id"]))]
    method = dict(method or {})
    figs = _Figures()
    figures = report_figures(segs, long, codebook)
    titles = _doc_titles(segs)
    labels = codebook.labels()

    summary = _summary(segs, long, codebook, meta, people, themes, figs, figures, titles,
                       docs=docs)
    sections: list[tuple[str, str, str]] = []       # (anchor, heading, html)
    sections.append(("overzicht", "Overzicht van het corpus", _overview(segs, long, meta, people, docs)))
    sections.append(("sporenkaart", "Sporenkaart", _track_section(segs, long, codebook, figs, figures)))
    sections.append(("spoorwissel", "Spoorwissel: waar rollen verschillen", _switch_section(segs, long, codebook)))
    sections.append(("themas", "Thema's", _theme_sections(segs, long, codebook, titles, n_quotes)))
    sections.append(("themakaarten", "Themakaarten", "".join(
        figs.div(figures[k], k) for k in ("fig-zonnewiel", "fig-heatmap", "fig-netwerk",
                                           "fig-sankey", "fig-citatenmatrix"))))
    if themes is not None:
        sections.append(("emergent", "Emergente thema's: wat het codeboek mist", _emergent_section(themes, codebook)))
    if numbers is not None:
        from .mixed import report_section
        sections.append(("tellen-en-vertellen-sectie", "Tellen én vertellen",
                         report_section(numbers, segs, long, codebook, scores=scores)))
    sections.append(("documenten", "Bijlage A — Documenten en mensen",
                     _documents_appendix(segs, long, codebook, people, titles)))
    sections.append(("codeboek", "Bijlage B — Codeboek", _codebook_appendix(codebook)))
    sections.append(("methode", "Bijlage C — Methode en verantwoording",
                     _method_appendix(segs, long, codebook, meta, method, reference)))

    toc = (f'<li><a href="#samenvatting">{e(SUMMARY_TITLE)}</a></li>'
           + "".join(f'<li><a href="#{a}">{e(h)}</a></li>' for a, h, _ in sections))
    stamp = _dt.datetime.now().strftime("%d-%m-%Y %H:%M")

    def section(a, h, content):
        cls = ' class="bijlage"' if a in APPENDICES else ""
        if a == "tellen-en-vertellen-sectie":      # the joint display has its own heading
            return f'<section id="{a}">{content}</section>'
        return f'<section id="{a}"{cls}><h2>{e(h)}</h2>{content}</section>'

    # the findings first (before the table of contents), then the details and the appendices;
    # the summary's figure is the first one, so it carries plotly.js
    opening = (f'<section id="samenvatting" class="samenvatting"><h2>{e(SUMMARY_TITLE)}</h2>'
               f'{summary}</section>')
    body = "".join(section(*x) for x in sections)
    n_docs = segs["doc_id"].nunique()
    return ("<!DOCTYPE html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<meta name=\"generator\" content=\"verhalen\"><title>{e(title)}</title>"
            f"<style>{_CSS}</style></head><body><main>"
            f"<h1>{e(title)}</h1><p class=\"klein\">{n_docs} documenten, {len(segs)} segmenten, "
            f"codeboek '{e(codebook.name)}' ({len(codebook)} codes). Gemaakt met verhalen op "
            f"{stamp}. Dit rapport werkt zonder internet.</p>"
            f"{opening}<nav><h2>Inhoud</h2><ol class=\"toc\">{toc}</ol></nav>{body}"
            "</main></body></html>\n")


def write_report(corpus, codes_long, codebook, path: str | Path, *, overwrite: bool = False,
                 **kwargs) -> Path:
    """Build the report and write it to ``path`` (atomic; refuses an existing file unless
    ``overwrite``). Returns the path."""
    from .opslag import atomic_write_text, refuse_overwrite

    path = Path(path)
    refuse_overwrite(path, overwrite)
    text = build_report(corpus, codes_long, codebook, **kwargs)
    atomic_write_text(path, text)
    return path


# ---------------------------------------------------------------------------------------------
# sections
_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december")

#: Below this many coded segments the summary says the shares describe little material.
FEW_CODED = 20


_MONTH_WORDS = {**{m: i for i, m in enumerate(_MONTHS, start=1)},
                **{m[:3]: i for i, m in enumerate(_MONTHS, start=1)}, "mrt": 3, "sept": 9}
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?\b")
_NL_DATE = re.compile(r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\b")
_WORD_DATE = re.compile(r"^\s*(?:(\d{1,2})\s+)?([a-z]+)\.?\s+(\d{4})\b")


def _year_month(value) -> tuple[int, int] | None:
    """(year, month) of a date as documents carry it: ISO (2024-09-12, 2024-09, with a time),
    Dutch day first (12-09-2024, 12/9/2024) or in words (12 september 2024, sept. 2024);
    None for anything else (a pseudonym, 'onbekend')."""
    if value is None or isinstance(value, float) or not str(value).strip():
        return None
    text = str(value).strip().lower()
    for rx, y, m in ((_ISO_DATE, 1, 2), (_NL_DATE, 3, 2)):
        hit = rx.match(text)
        if hit and 1 <= int(hit.group(m)) <= 12:
            return int(hit.group(y)), int(hit.group(m))
    hit = _WORD_DATE.match(text)
    if hit and hit.group(2) in _MONTH_WORDS:
        return int(hit.group(3)), _MONTH_WORDS[hit.group(2)]
    return None


def _month(ym: tuple[int, int]) -> str:
    return f"{_MONTHS[ym[1] - 1]} {ym[0]}"


def _period(segs: pd.DataFrame, docs: pd.DataFrame | None) -> str:
    """'september 2024 – maart 2025' from the documents' dates ('' when none is a date)."""
    src = docs if docs is not None and "date" in docs else segs.drop_duplicates("doc_id")
    if "date" not in src:
        return ""
    dates = [d for d in map(_year_month, src["date"]) if d]
    if not dates:
        return ""
    lo, hi = min(dates), max(dates)
    return _month(lo) if lo == hi else f"{_month(lo)} – {_month(hi)}"


def _listing(items: list[str]) -> str:
    """'a, b en c'."""
    items = [x for x in items if x]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " en " + items[-1]


def _n(k: int, one: str, many: str) -> str:
    return f"{_num(k)} {one if k == 1 else many}"


def _p(v: float) -> str:
    """A p-value as the spoorwissel table writes it."""
    return "< 0.001" if v < 0.001 else f"{v:.3f}"


def _share_of(k: int, n: int) -> str:
    return _pct(k / n) if n else "–"


def _corpus_line(segs, long, meta, people, docs) -> str:
    from .sporen.bevindingen import speakers_per_role

    n_docs, n_segs = segs["doc_id"].nunique(), len(segs)
    n_words = int(segs["text"].str.split().str.len().sum())
    coded = long["segment_id"].nunique()
    line = (f"{_n(n_docs, 'document', 'documenten')} met {_n(n_segs, 'segment', 'segmenten')} "
            f"en {_n(n_words, 'woord', 'woorden')}")
    per_role = speakers_per_role(segs, people)
    if per_role:
        total = sum(per_role.values())
        line += (f"; {_n(total, 'spreker', 'sprekers')} ("
                 + ", ".join(f"{e(str(r))}: {k}" for r, k in per_role.items()) + ")")
    else:
        line += "; geen sprekers herkend"
    period = _period(segs, docs)
    if period:
        line += f"; periode {e(period)}"
    if meta.get("bron"):
        line += f"; bron <code>{e(str(meta['bron']))}</code>"
    line += (f". {_num(coded)} van de {_num(n_segs)} segmenten ({_share_of(coded, n_segs)}) "
             f"hebben minstens één code")
    if len(long):
        human = int((long["source"] == "mens").sum()) if "source" in long else 0
        line += (f" ({_n(len(long), 'toekenning', 'toekenningen')}"
                 + (f", waarvan {human} door mensen" if human else ", alle door de machine")
                 + ")")
    return line + "."


def _summary_quote(r: dict, titles: dict) -> str:
    who = ", ".join(r.get("speakers") or [])
    roles = ", ".join(r.get("roles") or [])
    speaker = f"{who} ({roles})" if who and roles else who or roles or "spreker onbekend"
    where = titles.get(r["doc_id"], r["doc_id"])
    return (f'<blockquote class="citaat-spoor" data-spoor="{e(str(r["spoor"]))}">'
            f"“{e(str(r['citaat']))}”<span class=\"bron\">— {e(speaker)}; {e(str(where))}; "
            f"thema {e(str(r['label']))}; segment {e(str(r['segment_id']))}</span></blockquote>")


def _summary(segs, long, codebook, meta, people, themes, figs, figures, titles,
             docs=None) -> str:
    """The findings, in sentences an author can quote; every figure is in the details too."""
    from .sporen.bevindingen import corpus_tracks, leading_themes, track_quotes

    parts = [f"<p><b>Het corpus.</b> {_corpus_line(segs, long, meta, people, docs)}</p>"]
    coded = long["segment_id"].nunique()
    if not coded:
        parts.append("<p><b>Nog geen bevindingen.</b> Geen enkel segment is gecodeerd, dus er "
                     "is geen sporenkaart, geen hoofdthema en geen verschil tussen rollen. "
                     "Codeer het corpus eerst (<code>verhalen codeer</code>) en maak het rapport "
                     "opnieuw.</p>")
        parts.append(figs.div(figures["fig-sporenkaart-documenten"], "fig-sporenkaart-documenten",
                              height=420))
        parts.append(_summary_emergent(themes, codebook))
        return "".join(parts)
    if coded < FEW_CODED:
        parts.append(f'<p class="let-op"><b>Weinig materiaal:</b> maar {coded} gecodeerde '
                     "segmenten. De aandelen hieronder beschrijven dit materiaal; een patroon "
                     "is het nog niet.</p>")
    # the track map
    ct = corpus_tracks(segs, long, codebook)
    shares = {t: ct[t] for t in TRACKS}
    parts.append("<h3>Sporenkaart</h3>")
    if all(v != v for v in shares.values()):
        parts.append("<p>Geen van de toegekende codes heeft een spoor in het codeboek, dus er "
                     "is geen sporenkaart.</p>")
    else:
        order = sorted(TRACKS, key=lambda t: -shares[t])
        parts.append("<p>Van de gecodeerde inhoud gaat " + _listing(
            [f"{_pct(shares[t])} over {TRACK_LABELS[t].lower()}" for t in order]) + " (" + _listing(
            [f"{_n(ct[f'n_{t}'], 'segment raakt', 'segmenten raken')} {TRACK_LABELS[t].lower()}"
             for t in order]) + ").</p>")
        parts.append('<div class="sporen-balk" role="img" aria-label="aandeel per spoor">' + "".join(
            f'<span style="background:{TRACK_COLOURS[t]};width:{100 * shares[t]:.1f}%" '
            f'title="{e(TRACK_LABELS[t])} {_pct(shares[t])}">'
            f'{e(TRACK_LABELS[t]) if shares[t] >= 0.15 else ""}</span>' for t in TRACKS) + "</div>")
        from .sporen.profiel import without_track, without_track_text
        note = without_track_text(without_track(segs, long, codebook), codebook)
        if note:
            parts.append(f'<p class="klein">{e(note)}</p>')
    parts.append("<p class=\"klein\">Elk punt is een document: hoe dichter bij een hoek, hoe "
                 "groter het aandeel van dat spoor in zijn gecodeerde tekst; de grootte is het "
                 "aantal gecodeerde segmenten. Per rol en per casus: zie "
                 "<a href=\"#sporenkaart\">Sporenkaart</a>; per document in cijfers: "
                 "<a href=\"#documenten\">Bijlage A</a>.</p>")
    parts.append(figs.div(figures["fig-sporenkaart-documenten"], "fig-sporenkaart-documenten",
                          height=460))
    # leading themes per track, one quote each
    lead = leading_themes(segs, long, codebook)
    quotes = track_quotes(segs, long, codebook, leading=lead)
    tw = codebook.track_weights()
    parts.append("<h3>Hoofdthema's per spoor</h3>")
    for t in TRACKS:
        rows = lead[lead["spoor"] == t]
        head = f'<span class="spoor" style="background:{TRACK_COLOURS[t]}">{e(TRACK_LABELS[t])}</span>'
        if rows.empty:
            why = ("het codeboek heeft geen code op dit spoor" if not (tw[t] > 0).any()
                   else "geen enkel gecodeerd segment raakt dit spoor")
            parts.append(f'<p class="spoor-thema" data-spoor="{t}">{head} Geen hoofdthema: '
                         f"{why}.</p>")
            continue
        items = _listing([f'<a href="#thema-{e(r["code"])}">{e(r["label"])}</a> '
                          f"({_n(r['n_segmenten'], 'segment', 'segmenten')}, {_pct(r['aandeel'])})"
                          for r in rows.to_dict("records")])
        parts.append(f'<p class="spoor-thema" data-spoor="{t}">{head} {_pct(shares[t])} van de '
                     f"gecodeerde inhoud. Meest gecodeerd: {items}.</p>")
        q = quotes[quotes["spoor"] == t]
        if len(q):
            parts.append(_summary_quote(q.iloc[0].to_dict(), titles))
    parts.append("<p class=\"klein\">Aandelen van de gecodeerde segmenten (een segment kan "
                 "meer thema's hebben). De citaten zijn automatisch gekozen: de best onderbouwde "
                 "van het thema; controleer ze in de tekst voor u ze gebruikt.</p>")
    parts.append(_summary_roles(segs, long, codebook))
    parts.append(_summary_emergent(themes, codebook))
    return "".join(parts)


def _summary_roles(segs, long, codebook) -> str:
    from .sporen.bevindingen import ALPHA, MIN_DIFFERENCE, MIN_ROLE_SEGMENTS, role_differences

    d = role_differences(segs, long, codebook)
    out = ["<h3>Waar de rollen verschillen</h3>"]
    small = {r: k for r, k in d["te_klein"].items() if r not in (d["a"], d["b"])}
    if d["a"] is None:
        out.append(f"<p>Niets te vergelijken: {e(d['reden'])}.</p>")
        return "".join(out)
    a, b, n = d["a"], d["b"], d["rollen"]
    pair = f"<b>{e(a)}</b> ({n[a]} gecodeerde segmenten) en <b>{e(b)}</b> ({n[b]})"
    if d["reden"]:
        out.append(f"<p>Tussen {pair}: {e(d['reden'])}; er wordt geen verschil genoemd.</p>")
    elif d["verschillen"].empty:
        out.append(f"<p>Tussen {pair} is geen duidelijk verschil: geen spoor of thema verschilt "
                   f"minstens {MIN_DIFFERENCE:.0f} procentpunt met p &lt; {ALPHA:g} na correctie "
                   "voor het aantal toetsen.</p>")
    else:
        said = []
        for r in d["verschillen"].to_dict("records"):
            more, less = (a, b) if r["verschil"] > 0 else (b, a)
            sm, sl = ((r["aandeel_a"], r["aandeel_b"]) if r["verschil"] > 0
                      else (r["aandeel_b"], r["aandeel_a"]))
            what = e(r["label"]) + (" (spoor)" if r["niveau"] == "spoor" else "")
            said.append(f"<li>{what} komt vaker voor bij <b>{e(more)}</b>: {_pct(sm)} van hun "
                        f"gecodeerde segmenten, tegen {_pct(sl)} bij {e(less)} "
                        f"(p na correctie {_p(r['p_bh'])}).</li>")
        out.append(f"<p>Vergeleken zijn {pair}, de twee rollen met de meeste gecodeerde "
                   "segmenten:</p><ul>" + "".join(said) + "</ul>")
    for r, (k, tot) in d["interviewer"].items():
        out.append(f"<p class=\"klein\">Let op: {k} van de {tot} gecodeerde segmenten van "
                   f"'{e(r)}' zijn vragen van de interviewer.</p>")
    if small:
        out.append("<p class=\"klein\">Te weinig gecodeerde segmenten (minder dan "
                   f"{MIN_ROLE_SEGMENTS}) om mee te vergelijken: " + _listing(
                       [f"{e(str(r))} ({k})" for r, k in small.items()]) + ".</p>")
    out.append("<p class=\"klein\">Regel: een verschil wordt genoemd als beide rollen minstens "
               f"{MIN_ROLE_SEGMENTS} gecodeerde segmenten hebben, de aandelen minstens "
               f"{MIN_DIFFERENCE:.0f} procentpunt verschillen en de toets van Fisher na "
               f"Benjamini–Hochberg onder {ALPHA:g} blijft. Alle cijfers: "
               "<a href=\"#spoorwissel\">Spoorwissel</a>.</p>")
    return "".join(out)


def _themes_table(themes) -> pd.DataFrame | None:
    if isinstance(themes, (str, Path)):
        themes = pd.read_csv(themes)
    if themes is None:
        return None
    t = themes.copy()
    if "emergent" not in t:
        t["emergent"] = False
    t["emergent"] = t["emergent"].astype(str).str.lower().isin(["true", "1"])
    return t


def _words(v, k: int = 8) -> str:
    return ", ".join(v[:k]) if isinstance(v, (list, tuple)) else ", ".join(
        w.strip() for w in str(v or "").split(";")[:k] if w.strip())


THEMAS = "thema's"


def _summary_emergent(themes, codebook) -> str:
    t = _themes_table(themes)
    head = "<h3>Emergente thema's</h3>"
    if t is None:
        return (head + "<p>Er is geen topicmodel gedraaid, dus geen thema's gezocht buiten het "
                "codeboek om (<code>verhalen themas</code>).</p>")
    if len(t) == 0:
        return head + "<p>Het topicmodel vond geen thema's.</p>"
    em = t[t["emergent"]]
    if em.empty:
        return head + (f"<p>Het topicmodel vond {_n(len(t), 'thema', THEMAS)}; het codeboek "
                       "dekt ze alle.</p>")
    labels = codebook.labels()
    items = []
    for r in em.to_dict("records"):
        near = r.get("dichtstbijzijnde_code")
        near = "" if near is None or near != near else str(near)
        near = labels.get(near, near)
        items.append(f"<li><b>{e(str(r.get('label', r.get('topic'))))}</b> — "
                     f"{_num(r.get('n'))} eenheden; trefwoorden: {e(_words(r.get('trefwoorden'), 5))}"
                     + (f"; het dichtst bij code {e(near)}" if near else "") + ".</li>")
    return head + (f"<p>Van de {_n(len(t), 'thema', THEMAS)} die het topicmodel vond, "
                   f"dekt het codeboek er {len(em)} niet "
                   "(kandidaten voor een nieuwe code; zie <a href=\"#emergent\">Emergente "
                   "thema's</a>):</p><ul>" + "".join(items) + "</ul>")


def _overview(segs, long, meta, people, docs) -> str:
    n_words = int(segs["text"].str.split().str.len().sum())
    coded = long["segment_id"].nunique()
    rows = [("Documenten", segs["doc_id"].nunique()), ("Segmenten", len(segs)),
            ("Woorden", n_words), ("Segmenten met minstens één code", coded),
            ("Toegekende codes", len(long))]
    if "source" in long and (long["source"] == "mens").any():
        rows.append(("Waarvan door mensen gecodeerd", int((long["source"] == "mens").sum())))
    speakers = sorted({s for sp in segs.get("speakers", []) for s in (sp or [])})
    rows.append(("Sprekers herkend", len(speakers)))
    parts = ["<table><tbody>" + "".join(f"<tr><th>{e(k)}</th><td class=\"num\">{_num(v)}</td></tr>"
                                         for k, v in rows) + "</tbody></table>"]
    roles = {}
    for rs in segs.get("roles", []):
        for r in (rs or []):
            roles[r] = roles.get(r, 0) + 1
    if roles:
        parts.append("<h3>Segmenten per sprekersrol</h3>" + _table(
            pd.DataFrame(sorted(roles.items(), key=lambda kv: -kv[1]), columns=["rol", "segmenten"]),
            numeric={"segmenten"}))
    errors = meta.get("errors") or []
    if errors:
        items = "".join(f"<li>{e(str(x.get('message') or x.get('path')))}</li>" for x in errors)
        parts.append(f'<div class="let-op"><b>Niet gelezen ({len(errors)}):</b><ul>{items}</ul></div>')
    parts.append("<p class=\"klein\">De tabel van alle documenten, het sporenprofiel per "
                 "document en de mensentabel staan in <a href=\"#documenten\">Bijlage A</a>.</p>")
    return "".join(parts)


def _documents_appendix(segs, long, codebook, people, titles) -> str:
    from .sporen.profiel import track_profile

    per_doc = segs.groupby("doc_id", sort=False).agg(
        titel=("title", "first") if "title" in segs else ("doc_id", "first"),
        segmenten=("id", "size")).reset_index()
    coded_per_doc = long.merge(segs[["id", "doc_id"]], left_on="segment_id", right_on="id") \
        .groupby("doc_id")["segment_id"].nunique()
    per_doc["gecodeerd"] = per_doc["doc_id"].map(coded_per_doc).fillna(0).astype(int)
    if "case_id" in segs:
        per_doc["casus"] = per_doc["doc_id"].map(segs.drop_duplicates("doc_id")
                                                 .set_index("doc_id")["case_id"])
    parts = ["<h3>Documenten</h3>" + _table(per_doc, numeric={"segmenten", "gecodeerd"},
                                            rename={"doc_id": "document"})]
    prof = track_profile(segs, long, codebook, by="doc_id")
    parts.append("<h3 id=\"sporenprofiel-documenten\">Sporenprofiel per document</h3>"
                 "<p class=\"klein\">De cijfers achter de sporenkaart van de samenvatting.</p>"
                 + _profile_table(prof, "doc_id", titles, codebook))
    if people is not None and not people.empty:
        cols = [c for c in ("naam", "rol", "organisatie") if c in people.columns]
        parts.append("<h3>Mensentabel</h3>" + _table(people[cols]))
    return "".join(parts)


def _track_section(segs, long, codebook, figs, figures) -> str:
    from .sporen.profiel import track_profile, without_track, without_track_text

    note = without_track_text(without_track(segs, long, codebook), codebook)
    parts = ([f'<p class="let-op"><b>Let op:</b> {e(note)}</p>'] if note else []) + [
        "<p>Elk punt is een rol (of een document, in de <a href=\"#samenvatting\">samenvatting"
        "</a>) in de driehoek van de drie sporen: hoe dichter bij een hoek, hoe groter het "
        "aandeel gecodeerde tekst op dat spoor. De grootte van een punt is het aantal gecodeerde "
        "segmenten. Het sporenprofiel per document staat in <a href=\"#documenten\">Bijlage A"
        "</a>.</p>",
        figs.div(figures["fig-sporenkaart-rollen"], "fig-sporenkaart-rollen")]
    for by, head in (("roles", "Sporenprofiel per sprekersrol"), ("case_id", "Sporenprofiel per casus")):
        if by in segs and segs[by].map(lambda v: bool(v) if not isinstance(v, float) else v == v).any():
            prof = track_profile(segs, long, codebook, by=by)
            if len(prof):
                parts.append(f"<h3>{e(head)}</h3>" + _profile_table(prof, by, {}, codebook))
    return "".join(parts)


def _profile_table(prof: pd.DataFrame, by: str, titles: dict, codebook) -> str:
    labels = codebook.labels()
    head = ("<tr><th>{}</th><th>segmenten</th><th>gecodeerd</th><th>sporen</th>"
            + "".join(f"<th>{e(TRACK_LABELS[t])}</th>" for t in TRACKS)
            + "<th>hoofdthema's</th></tr>").format(e({"doc_id": "document", "roles": "rol",
                                                         "case_id": "casus"}.get(by, by)))
    rows = []
    for r in prof.to_dict("records"):
        name = titles.get(r[by], r[by])
        themes = ", ".join(labels.get(c, c) for c in (r.get("hoofdthemas") or []))
        rows.append(f"<tr><td>{e(str(name))}</td><td class=\"num\">{r['n_segmenten']}</td>"
                    f"<td class=\"num\">{r['n_gecodeerd']}</td><td>{_bar(r)}</td>"
                    + "".join(f"<td class=\"num\">{_pct(r[t])}</td>" for t in TRACKS)
                    + f"<td>{e(themes)}</td></tr>")
    return f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def _switch_section(segs, long, codebook) -> str:
    from .sporen.profiel import compare_groups

    from .sporen.bevindingen import roles_by_coded

    roles = list(roles_by_coded(segs, long, codebook).index)
    if len(roles) < 2:
        return ("<p>Er zijn minder dan twee sprekersrollen met gecodeerde segmenten, dus er valt "
                "geen spoorwissel te tonen.</p>")
    a, b = roles[:2]
    tab = compare_groups(segs, long, codebook, "roles", a, b)
    show = pd.DataFrame({
        "spoor of thema": [f"{lab}" if niv == "spoor" else f"– {lab}"
                           for niv, lab in zip(tab["niveau"], tab["label"])],
        f"n {a}": tab["n_a"], f"aandeel {a}": tab["aandeel_a"].map(_pct),
        f"n {b}": tab["n_b"], f"aandeel {b}": tab["aandeel_b"].map(_pct),
        "verschil (%-punt)": tab["verschil"].map(lambda v: "–" if v != v else f"{v:+.0f}"),
        "p (Fisher)": tab["p_waarde"].map(lambda v: "–" if v != v else f"{v:.3f}"),
        "p (BH)": tab["p_bh"].map(lambda v: "–" if v != v else f"{v:.3f}"),
        "duiding": tab["duiding"]})
    return (f"<p>Waar verschillen <b>{e(a)}</b> en <b>{e(b)}</b> (de twee rollen met de meeste "
            "gecodeerde segmenten)? Per spoor en per thema het aantal en aandeel van hun gecodeerde "
            "segmenten, het verschil in procentpunten en een exacte toets van Fisher; de p-waarde "
            "na Benjamini–Hochberg corrigeert voor het aantal toetsen. Een klein aantal segmenten "
            "geeft grote onzekerheid: lees de verschillen als aanwijzing, niet als bewijs.</p>"
            + _table(show, numeric={f"n {a}", f"n {b}"}))


def _theme_sections(segs, long, codebook, titles, n_quotes) -> str:
    from .sporen.citaten import best_quotes
    from .sporen.profiel import code_counts

    quotes = best_quotes(segs, long, codebook, n=n_quotes, per="code")
    counts = long.groupby("code")["segment_id"].nunique() if len(long) else pd.Series(dtype=int)
    docs = (long.merge(segs[["id", "doc_id"]], left_on="segment_id", right_on="id")
            .groupby("code")["doc_id"].nunique() if len(long) else pd.Series(dtype=int))
    per_doc = code_counts(segs, long, codebook, by="doc_id") if len(long) else None
    parts = ["<p>Per thema van het codeboek: de definitie, de sporen, hoe vaak het voorkomt en "
             "de best onderbouwde citaten (met spreker, document en plaats in de tekst).</p>"]
    toc = "".join(f'<li><a href="#thema-{e(c.id)}">{e(c.label)}</a> '
                  f'<span class="klein">({int(counts.get(c.id, 0))})</span></li>' for c in codebook.codes)
    parts.append(f'<ul class="toc">{toc}</ul>')
    for c in codebook.codes:
        n = int(counts.get(c.id, 0))
        body = [f'<h3 id="thema-{e(c.id)}" style="border-left:6px solid {e(c.colour or "#999")};'
                f'padding-left:.4em">{e(c.label)}</h3>',
                f"<p>{_track_badges(c.tracks or {})}</p><p>{e(c.definition or '')}</p>",
                f"<p class=\"klein\">{n} segmenten in {int(docs.get(c.id, 0))} documenten.</p>"]
        if per_doc is not None and n:
            top = per_doc[c.id].sort_values(ascending=False)
            top = top[top > 0].head(5)
            body.append("<p class=\"klein\">Het meest in: " + e(", ".join(
                f"{titles.get(d, d)} ({k})" for d, k in top.items())) + "</p>")
        q = quotes[quotes["code"] == c.id]
        if q.empty:
            body.append("<p class=\"klein\">Geen citaten: dit thema is niet gecodeerd.</p>")
        for r in q.to_dict("records"):
            who = ", ".join(f"{s}" for s in (r.get("speakers") or []))
            roles = ", ".join(r.get("roles") or [])
            where = [titles.get(r["doc_id"], r["doc_id"])]
            if isinstance(r.get("section"), str) and r["section"]:
                where.append(f"§ {r['section']}")
            where.append(f"tekens {r['start']}–{r['end']}")
            speaker = f"{who} ({roles})" if who and roles else who or roles or "spreker onbekend"
            body.append(f"<blockquote>“{e(str(r['citaat']))}”<span class=\"bron\">— {e(speaker)}; "
                        f"{e(', '.join(map(str, where)))}; zekerheid {_pct(r.get('score'))}; "
                        f"segment {e(str(r['segment_id']))}</span></blockquote>")
        parts.append("".join(body))
    return "".join(parts)


def _emergent_section(themes, codebook) -> str:
    t = _themes_table(themes)
    if t is None or len(t) == 0:
        return "<p>Er zijn geen thema's ontdekt.</p>"
    labels = codebook.labels()

    def near(v):
        if v is None or v != v or not str(v).strip():
            return "–"
        return f"{labels[v]} ({v})" if v in labels else str(v)

    def quotes(v):
        if isinstance(v, (list, tuple)):
            return list(v)
        return [q.strip() for q in str(v or "").split(" | ") if q.strip()]

    parts = ["<p>Met BERTopic zijn thema's gezocht zonder codeboek. Een thema dat geen code dekt "
             "(geen code op een groot deel van zijn segmenten en geen code die er inhoudelijk op "
             "lijkt) heet <b>emergent</b>: kandidaat voor een nieuwe code. Een topicmodel op een "
             "klein corpus is een hulpmiddel om te lezen, geen uitkomst.</p>"]
    em = t[t["emergent"]]
    if em.empty:
        parts.append("<p>Alle gevonden thema's worden gedekt door het codeboek.</p>")
    for r in em.to_dict("records"):
        qs = "".join(f"<blockquote>“{e(q)}”</blockquote>" for q in quotes(r.get("citaten"))[:3])
        parts.append(f"<h3>{e(str(r.get('label', r.get('topic'))))}</h3>"
                     f"<p class=\"klein\">{_num(r.get('n'))} eenheden; trefwoorden: "
                     f"{e(_words(r.get('trefwoorden')))}; dichtstbijzijnde code: "
                     f"{e(near(r.get('dichtstbijzijnde_code')))}</p>{qs}")
    cols = [c for c in ("label", "n", "dichtstbijzijnde_code", "gelijkenis",
                        "meest_gedeelde_code", "aandeel_gedeeld", "emergent") if c in t]
    show = t[cols].copy()
    show["emergent"] = show["emergent"].map({True: "ja", False: "nee"})
    parts.append("<h3>Alle gevonden thema's</h3>" + _table(show, numeric={"n", "gelijkenis",
                                                                          "aandeel_gedeeld"}))
    return "".join(parts)


def _codebook_appendix(codebook) -> str:
    rows = []
    for c in codebook.codes:
        ind = ", ".join(str(i) for i in (c.indicators or [])[:12])
        rows.append(f"<tr><td><span style=\"color:{e(c.colour or '#999')}\">■</span> "
                    f"<b>{e(c.label)}</b><br><span class=\"klein\">{e(c.id)}</span></td>"
                    f"<td>{_track_badges(c.tracks or {})}</td><td>{e(c.definition or '')}</td>"
                    f"<td class=\"klein\">{e(ind)}</td></tr>")
    src = getattr(codebook, "source", "") or ""
    return (f"<p>Codeboek <b>{e(codebook.name)}</b>{' (' + e(str(src)) + ')' if src else ''}.</p>"
            "<table><thead><tr><th>code</th><th>sporen</th><th>definitie</th><th>indicatoren</th>"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _method_appendix(segs, long, codebook, meta, method, reference) -> str:
    from .versie import __version__

    nlp = method.get("nlp") or meta.get("nlp")
    if isinstance(nlp, dict):
        nlp = nlp.get("beschrijving") or ", ".join(f"{k}: {v}" for k, v in nlp.items())
    rows = [("verhalen", __version__),
            ("NLP-pijplijn", nlp or "onbekend"),
            ("Embedder", method.get("embedder") or "onbekend"),
            ("Coder", method.get("coder") or "onbekend"),
            ("Codeboek", f"{codebook.name} ({len(codebook)} codes)")]
    for k in ("getraind_op", "drempels", "themamodel", "bron", "pseudonimisering"):
        if method.get(k):
            rows.append((k.replace("_", " "), method[k]))
    if not method.get("versies"):     # what made this report, also when the caller did not say
        from .omgeving import lock_status, versions_line
        method = {**method, "versies": versions_line(), "lock": lock_status()}
    rows += [("Versies", method["versies"]), ("Lock", method.get("lock") or "onbekend")]
    sources = long["source"].value_counts().to_dict() if "source" in long else {}
    if sources:
        rows.append(("Herkomst van de codes", ", ".join(f"{k}: {v}" for k, v in sources.items())))
    parts = ["<table><tbody>" + "".join(
        f"<tr><th>{e(str(k))}</th><td>{e(str(v))}</td></tr>" for k, v in rows) + "</tbody></table>",
        "<p>Segmenten zijn alinea's (of sprekersbeurten in transcripten). Elke automatische code "
        "heeft een zekerheid en bewijs: de zinnen en indicatoren waarop de coder afging. Een "
        "segment draagt bij aan een spoor naar het gewicht van zijn codes in het codeboek; een "
        "sporenprofiel is het aandeel van de gecodeerde inhoud per spoor. Automatische codes "
        "zijn voorstellen: controleer ze, zeker voordat u een citaat gebruikt.</p>"]
    leren = method.get("leren")     # verhalen.coderen.correctie.learning_report(coder)
    if isinstance(leren, dict) and leren.get("codes"):
        parts.append("<p>Wat de coder leerde van de menselijke codes: "
                     + e(str(leren.get("uitleg", ""))) + "</p><table><thead><tr><th>code</th>"
                     "<th>besluit</th><th>waarom</th></tr></thead><tbody>" + "".join(
                         f"<tr><td>{e(str(c))}</td><td>{e(str(d.get('besluit', '')))}</td>"
                         f"<td>{e(str(d.get('reden', '')))}</td></tr>"
                         for c, d in leren["codes"].items()) + "</tbody></table>")
    bundel = leren.get("aanpassing_aan_bundel") if isinstance(leren, dict) else None
    if isinstance(bundel, dict):
        parts.append(f"<p>Aanpassing aan deze bundel: {int(bundel.get('segmenten_met_menselijke_codes', 0))} "
                     f"van de {int(bundel.get('segmenten_in_bundel', 0))} segmenten hebben menselijke "
                     f"codes. {e(str(bundel.get('uitleg', '')))}</p>")
    if reference is not None:
        parts.append(_agreement(segs, long, codebook, reference))
    else:
        parts.append("<p class=\"klein\">Er is geen referentiecodering meegegeven, dus geen "
                     "overeenstemmingscijfers (geef er een mee met <code>--referentie</code>).</p>")
    return "".join(parts)


def _agreement(segs, long, codebook, reference) -> str:
    from .codes import long_to_wide, read_codes
    from .evaluatie import evaluate

    ref = read_codes(reference) if isinstance(reference, (str, Path)) else reference
    if "segment_id" in getattr(ref, "columns", []):
        ref = long_to_wide(ref)
    pred = long_to_wide(long[long["source"] != "mens"] if "source" in long else long)
    ids = set(segs["id"])
    ref = ref[ref["id"].isin(ids)]
    if ref.empty:
        return "<p class=\"let-op\">De referentiecodering heeft geen segmenten van dit corpus.</p>"
    pred = pred.set_index("id").reindex(ref["id"]).reset_index()
    pred["codes"] = pred["codes"].map(lambda v: v if isinstance(v, list) else [])
    ev = evaluate(ref, pred, codebook=codebook, n_bootstrap=200)
    s = ev.summary
    tab = ev.per_code[["label", "support", "predicted", "precision", "recall", "F1", "kappa",
                       "alpha"]].rename(columns={
        "label": "code", "support": "referentie", "predicted": "voorspeld",
        "precision": "precisie", "alpha": "alfa"})
    fmt = {c: (lambda v: "–" if v is None or v != v else f"{v:.2f}")
           for c in ("precisie", "recall", "F1", "kappa", "alfa")}
    return (f"<h3>Overeenstemming met de referentie ({len(ref)} segmenten)</h3>"
            f"<p>micro-F1 {s['micro_f1']:.2f}, macro-F1 {s['macro_f1']:.2f}"
            + (f", sporen micro-F1 {s['track_micro_f1']:.2f}" if s.get("track_micro_f1") is not None else "")
            + "</p>" + _table(tab, numeric=set(fmt) | {"referentie", "voorspeld"}, fmt=fmt))
