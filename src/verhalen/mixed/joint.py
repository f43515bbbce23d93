"""Joint display per case ("tellen én vertellen"): the numbers, the track profile, the
leading themes and two exemplar quotes per leading theme — as a DataFrame, a plotly table and a
self-contained HTML section for the report.

Contract with the report (H4)::

    report_section(numbers, segments_df, codes_long, codebook, *, scores=None, themes=None,
                   n_themes=3, n_quotes=2, uurtarief=None, title="Tellen én vertellen") -> str

``numbers`` is a DataFrame from ``read_numbers`` or a path (file or corpus folder, e.g.
``corpora/voorbeeld``); ``segments_df`` has ``id``, ``text`` and ``case_id``; ``codes_long``
is the long codes shape. It returns an HTML fragment (a ``<section>`` with inline CSS, no
scripts) or, when no case matches, a section that says so.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from ..tracks import TRACK_COLOURS, TRACK_LABELS, TRACKS
from .cijfers import check_case_ids, read_numbers, read_scores
from .statistiek import paired_change, social_return


def _numbers(numbers) -> pd.DataFrame:
    return numbers if isinstance(numbers, pd.DataFrame) else read_numbers(numbers)


def _scores_for(numbers: pd.DataFrame, scores) -> pd.DataFrame | None:
    if scores is not None:
        return scores if isinstance(scores, pd.DataFrame) else read_scores(scores)
    bron = numbers.attrs.get("bron")
    if bron:
        s = read_scores(Path(bron).parent, missing_ok=True)
        return s if not s.empty else None
    return None


def _track_profile(segments: pd.DataFrame, long: pd.DataFrame, codebook) -> pd.DataFrame:
    """Share of coded content per track per case: ``verhalen.sporen.profiel.track_profile``
    (codes outside the codebook are left out here, as before)."""
    from ..sporen.profiel import track_profile

    long = long[long["code"].isin(codebook.ids)] if "code" in long.columns else long
    prof = track_profile(segments, long, codebook, by="case_id")
    return prof.set_index("case_id")[list(TRACKS)]


def joint_display(numbers, segments_df: pd.DataFrame, codes_long: pd.DataFrame, codebook, *,
                  scores=None, themes: pd.DataFrame | None = None, n_themes: int = 3,
                  n_quotes: int = 2, uurtarief: float | None = None,
                  strict: bool = True) -> pd.DataFrame:
    """One row per case: numbers, change with CI, social return, track shares, leading
    themes (codes, by number of segments) with ``n_quotes`` exemplar quotes each (highest
    confidence first; the evidence sentence when there is one), and, with ``themes`` (the
    topic assignments of ``ThemaModel.assignments_``), the leading inductive topics."""
    nums = _numbers(numbers)
    segs = segments_df.copy()
    segs["case_id"] = segs["case_id"].map(lambda c: None if c is None or c != c else str(c))
    check_case_ids(nums, segs, strict=strict)
    sc = _scores_for(nums, scores)
    prof = _track_profile(segs, codes_long, codebook)
    labels = codebook.labels()
    long = codes_long.merge(segs[["id", "text", "case_id", "doc_id"]], left_on="segment_id",
                            right_on="id", how="inner")
    rows = []
    for rec in nums.to_dict("records"):
        cid = rec["casus"]
        row = {"casus": cid, "naam": rec.get("naam") or cid,
               "deelnemers": rec.get("deelnemers"), "kosten_eur": rec.get("kosten_eur"),
               "baten_eur": rec.get("baten_eur"), "uren_bespaard": rec.get("uren_bespaard"),
               "schaal": rec.get("schaal")}
        sr = social_return(rec.get("baten_eur"), rec.get("kosten_eur"),
                           rec.get("uren_bespaard"), uurtarief)
        row["rendement_per_euro"] = sr.ratio
        if sc is not None and (sc["casus"] == cid).any():
            sub = sc[sc["casus"] == cid]
            v = paired_change(sub["voor"], sub["na"])
        elif rec.get("voor") is not None and rec.get("na") is not None:
            v = None
            row["verandering"] = float(rec["na"]) - float(rec["voor"])
        else:
            v = None
        if v is not None:
            row.update({"verandering": v.gem_verschil, "ci_laag": v.ci_laag,
                        "ci_hoog": v.ci_hoog, "n_paren": v.n_paren,
                        "n_zonder_nameting": v.n_zonder_nameting,
                        "verandering_tekst": v.beschrijving()})
        for t in TRACKS:
            row[t] = float(prof.loc[cid, t]) if cid in prof.index else np.nan
        case_codes = long[long["case_id"] == cid]
        row["n_segmenten"] = int((segs["case_id"] == cid).sum())
        lead = (case_codes.groupby("code")["segment_id"].nunique()
                .sort_values(ascending=False, kind="stable").head(n_themes))
        themes_out = []
        for code, count in lead.items():
            top = case_codes[case_codes["code"] == code].sort_values(
                "score", ascending=False, kind="stable").head(n_quotes)
            quotes = []
            for q in top.to_dict("records"):
                ev = q.get("evidence")
                text = ev[0] if isinstance(ev, (list, tuple)) and ev else q["text"]
                quotes.append({"tekst": _short(text), "segment": q["segment_id"],
                               "document": q["doc_id"], "score": round(float(q["score"]), 3)})
            themes_out.append({"code": code, "label": labels.get(code, code),
                               "segmenten": int(count), "citaten": quotes})
        row["leidende_themas"] = themes_out
        if themes is not None and "case_id" in themes.columns:
            sub = themes[(themes["case_id"].astype(str) == cid) & (themes["topic"] >= 0)]
            row["leidende_topics"] = sub["label"].value_counts().head(n_themes).index.tolist()
        rows.append(row)
    return pd.DataFrame(rows)


def _short(text: str, limit: int = 240) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _eur(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "–"
    return "€ " + f"{float(v):,.0f}".replace(",", ".")


def _num(v, fmt="{:.0f}") -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "–"
    return fmt.format(float(v)).replace(".", ",")


def _change_text(r) -> str:
    if isinstance(r.get("verandering_tekst"), str):
        if (r.get("n_paren") or 0) >= 2:
            return (f"{_num(r['verandering'], '{:+.2f}')} (95%-BI {_num(r['ci_laag'], '{:+.2f}')}"
                    f" tot {_num(r['ci_hoog'], '{:+.2f}')}; n = {r['n_paren']}, "
                    f"{r['n_zonder_nameting']} zonder nameting)")
        return r["verandering_tekst"]
    if r.get("verandering") is not None and r.get("verandering") == r.get("verandering"):
        return f"{_num(r['verandering'], '{:+.2f}')} (gemiddelden, geen BI)"
    return "–"


def joint_figure(display: pd.DataFrame):
    """The joint display as a plotly table (one row per case)."""
    import plotly.graph_objects as go

    rows = display.to_dict("records")
    themes = ["<br>".join(f"{t['label']} ({t['segmenten']})" for t in r["leidende_themas"]) or "–"
              for r in rows]
    quotes = ["<br>".join(f"“{q['tekst'][:90]}”" for t in r["leidende_themas"][:2]
                          for q in t["citaten"][:1]) or "–" for r in rows]
    tracks = ["<br>".join(f"{TRACK_LABELS[t]} {_num(100 * r[t])}%" for t in TRACKS
                          if r.get(t) == r.get(t)) for r in rows]
    fig = go.Figure(go.Table(
        header=dict(values=["Casus", "Deelnemers", "Kosten", "Baten", "€ per € (rendement)",
                            "Verandering score", "Sporen", "Leidende thema's", "Citaten"],
                    fill_color="#333", font=dict(color="white"), align="left"),
        cells=dict(values=[
            [r["naam"] for r in rows], [_num(r["deelnemers"]) for r in rows],
            [_eur(r["kosten_eur"]) for r in rows], [_eur(r["baten_eur"]) for r in rows],
            [_num(r["rendement_per_euro"], "{:.2f}") for r in rows],
            [_change_text(r) for r in rows], tracks, themes, quotes],
            align="left", height=60)))
    fig.update_layout(title="Tellen én vertellen: cijfers en verhalen per casus",
                      margin=dict(l=10, r=10, t=50, b=10))
    return fig


_CSS = """<style>
.vh-joint table{border-collapse:collapse;width:100%;font-size:0.9em}
.vh-joint th,.vh-joint td{border:1px solid #ccc;padding:6px;vertical-align:top;text-align:left}
.vh-joint th{background:#f0f0f0}
.vh-joint .bar{display:flex;height:12px;width:140px;border:1px solid #999}
.vh-joint blockquote{margin:2px 0 6px 8px;color:#333;font-style:italic}
.vh-joint .klein{color:#666;font-size:0.85em}
</style>"""


def report_section(numbers, segments_df: pd.DataFrame, codes_long: pd.DataFrame, codebook, *,
                   scores=None, themes: pd.DataFrame | None = None, n_themes: int = 3,
                   n_quotes: int = 2, uurtarief: float | None = None,
                   title: str = "Tellen én vertellen") -> str:
    """A self-contained HTML ``<section>`` (inline CSS, no scripts) with the joint display."""
    e = html.escape
    disp = joint_display(numbers, segments_df, codes_long, codebook, scores=scores,
                         themes=themes, n_themes=n_themes, n_quotes=n_quotes,
                         uurtarief=uurtarief, strict=False)
    parts = [f'<section class="vh-joint" id="tellen-en-vertellen">', _CSS, f"<h2>{e(title)}</h2>",
             "<p>Per casus staan de cijfers naast de verhalen: deelnemers, kosten en baten, de "
             "verandering op de schaal (nameting − voormeting, met 95%-betrouwbaarheidsinterval "
             "uit een gepaarde t-toets), het sporenprofiel van de gecodeerde tekst en de leidende "
             "thema's met voorbeeldcitaten.</p>"]
    sr_formula = social_return(1, 1, None, uurtarief).formule
    parts.append("<table><thead><tr><th>Casus</th><th>Cijfers</th><th>Verandering</th>"
                 "<th>Sporen</th><th>Leidende thema's en citaten</th></tr></thead><tbody>")
    for r in disp.to_dict("records"):
        bar = "".join(
            f'<span title="{e(TRACK_LABELS[t])}" style="background:{TRACK_COLOURS[t]};'
            f'width:{100 * (r[t] if r[t] == r[t] else 0):.0f}%"></span>' for t in TRACKS)
        legend = "<br>".join(f"{e(TRACK_LABELS[t])}: {_num(100 * r[t])}%" for t in TRACKS
                             if r[t] == r[t])
        cijfers = (f"deelnemers: {_num(r['deelnemers'])}<br>kosten: {_eur(r['kosten_eur'])}<br>"
                   f"baten: {_eur(r['baten_eur'])}<br>uren bespaard: {_num(r['uren_bespaard'])}"
                   f"<br>rendement: {_num(r['rendement_per_euro'], '{:.2f}')} per euro")
        th = []
        for t in r["leidende_themas"]:
            qs = "".join(f"<blockquote>“{e(q['tekst'])}” <span class=\"klein\">({e(str(q['document']))}"
                         f", {e(str(q['segment']))})</span></blockquote>" for q in t["citaten"])
            th.append(f"<b>{e(t['label'])}</b> <span class=\"klein\">({t['segmenten']} "
                      f"segmenten)</span>{qs}")
        if r.get("leidende_topics"):
            th.append("<span class=\"klein\">Ontdekte thema's: "
                      + e("; ".join(r["leidende_topics"])) + "</span>")
        parts.append(f"<tr><td><b>{e(str(r['naam']))}</b><br><span class=\"klein\">"
                     f"{e(str(r['casus']))} · {r['n_segmenten']} segmenten</span></td>"
                     f"<td>{cijfers}</td><td>{e(_change_text(r))}"
                     f"{'<br>schaal: ' + e(str(r['schaal'])) if isinstance(r.get('schaal'), str) else ''}</td>"
                     f"<td><div class=\"bar\">{bar}</div>{legend}</td>"
                     f"<td>{''.join(th) or '–'}</td></tr>")
    parts.append("</tbody></table>")
    parts.append(f"<p class=\"klein\">Rendement: {e(sr_formula)}. Aannames: baten en kosten over "
                 "dezelfde periode, niet verdisconteerd, zonder correctie voor wat ook zonder het "
                 "project was gebeurd; baten buiten geld tellen niet mee. Met minder dan 8 casussen "
                 "berekenen we geen verband tussen thema's en uitkomsten.</p>")
    parts.append("</section>")
    return "\n".join(parts)
