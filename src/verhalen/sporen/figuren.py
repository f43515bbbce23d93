"""Theme maps on the three tracks (plotly, Dutch labels, colours from ``verhalen.tracks`` and
the codebook). Every function takes ``segments_df``, ``codes_long`` and ``codebook`` and returns
a ``plotly.graph_objects.Figure`` with a Dutch title; without coded segments it returns a figure
that says so ("Geen gecodeerde segmenten") instead of raising.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..tracks import TRACK_COLOURS, TRACK_LABELS, TRACKS
from .citaten import best_quotes
from .profiel import _prepare, code_counts, cooccurrence, group_map, track_profile

EMPTY_TEXT = "Geen gecodeerde segmenten"
NEUTRAL = "#999999"

#: Dutch plural of what a group is, for titles and hover.
GROUP_WORDS = {"doc_id": "documenten", "case_id": "casussen", "roles": "rollen",
               "speakers": "sprekers", "section": "secties", "hoofdstuk": "hoofdstukken",
               "segment": "segmenten", "title": "documenten"}
GROUP_WORD = {"doc_id": "Document", "case_id": "Casus", "roles": "Rol", "speakers": "Spreker",
              "section": "Sectie", "hoofdstuk": "Hoofdstuk", "segment": "Segment",
              "title": "Document"}


# --------------------------------------------------------------------------- helpers

def empty_figure(title: str, text: str = EMPTY_TEXT) -> go.Figure:
    """A figure with only a title and a centred Dutch message."""
    fig = go.Figure()
    fig.add_annotation(text=text, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font=dict(size=16, color="#555555"))
    fig.update_layout(title=title, xaxis=dict(visible=False), yaxis=dict(visible=False),
                      template="plotly_white")
    return fig


def rgba(hex_colour: str, alpha: float) -> str:
    """``#rrggbb`` → ``rgba(r,g,b,alpha)`` (grey for anything else)."""
    h = str(hex_colour).lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    try:
        r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        r = g = b = 136
    return f"rgba({r},{g},{b},{alpha})"


def _short(text, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def group_labels(segments_df: pd.DataFrame, by: str, values) -> dict:
    """Display names of group values: document titles for ``by="doc_id"`` (made unique),
    the value itself otherwise."""
    values = list(values)
    if by == "doc_id" and "title" in segments_df.columns:
        titles = (segments_df.drop_duplicates("doc_id").set_index("doc_id")["title"]
                  .to_dict())
        out = {}
        for v in values:
            t = titles.get(v)
            out[v] = t if isinstance(t, str) and t.strip() else str(v)
        seen = pd.Series(list(out.values()))
        dup = set(seen[seen.duplicated()])
        return {v: (f"{t} ({v})" if t in dup else t) for v, t in out.items()}
    return {v: str(v) for v in values}


def _pct(v: float) -> str:
    return "–" if v != v else f"{100 * v:.0f}%"


def _has_codes(segments_df, codes_long, codebook) -> bool:
    segs, long = _prepare(segments_df, codes_long, codebook)
    return not long.empty


# --------------------------------------------------------------------------- track map

#: Font size of the three corner labels (the track names) of the ternary track map.
CORNER_FONT = 14
#: Tick values on each ternary axis: never 0 or 1, so no tick label sits on a corner, where
#: two axes' labels meet each other and the corner label.
TERNARY_TICKS = (0.2, 0.4, 0.6, 0.8)
#: Where each corner label goes, relative to its corner (a: top vertex; b: bottom left;
#: c: bottom right): above the top and below the bottom corners, centred.
CORNER_POSITIONS = ("top center", "bottom center", "bottom center")
#: Diameter (px) of the largest group marker of the track map.
MAX_MARKER = 40
#: Distance (px) of a corner label from its corner: beyond the largest marker on that corner
#: and, below the bottom corners, beyond the row of tick labels along the bottom edge.
CORNER_CLEARANCE = 24


def _text_width(text: str, size: float) -> float:
    """A generous estimate of a label's width in pixels (sans-serif, ~0.62 em a character)."""
    return 0.62 * size * len(str(text))


def track_map(segments_df: pd.DataFrame, codes_long: pd.DataFrame, codebook, *,
              by: str = "doc_id", weight: str = "gewicht", title: str | None = None,
              show_text: bool | None = None) -> go.Figure:
    """Ternary track map: each group (document, case, role …) a point in the
    vakmanschap–betekenisgeving–doelmatigheid triangle (``a``/``b``/``c`` = the shares of
    ``track_profile`` in ``TRACKS`` order), sized by its number of coded segments and coloured by
    its dominant track; hover shows the shares and the leading themes (Dutch labels). Groups
    without coded content are left out.

    Two ``scatterternary`` traces: the groups (first, ``name`` = the group word) and the three
    corner labels (``name="hoeken"``, text only, no hover). The corner labels are placed by
    plotly at the corners in pixels, :data:`CORNER_CLEARANCE` away from them (an invisible
    marker of that radius pushes the text out), above the top corner and below the row of tick
    labels along the bottom edge (:data:`TERNARY_TICKS`: none on a corner), so they keep clear
    of the tick labels and of a marker on the corner at any figure size. The margins leave room
    for them, and the note on size and colour sits below the bottom corner labels. A group's
    own label points into the triangle near the top corner.
    """
    what = GROUP_WORDS.get(by, by)
    title = title or f"Sporenkaart: {what} in de driehoek van de drie sporen"
    prof = track_profile(segments_df, codes_long, codebook, by=by, weight=weight)
    prof = prof[prof[list(TRACKS)].notna().all(axis=1)].reset_index(drop=True)
    if prof.empty:
        return empty_figure(title)
    labels = codebook.labels()
    names = group_labels(segments_df, by, prof[by])
    n = prof["n_gecodeerd"].to_numpy(dtype=float)
    sizes = 12 + (MAX_MARKER - 12) * np.sqrt(n / n.max())
    dominant = prof[list(TRACKS)].to_numpy().argmax(axis=1)
    colours = [TRACK_COLOURS[TRACKS[i]] for i in dominant]
    if show_text is None:
        show_text = len(prof) <= 15
    hover = []
    for r in prof.to_dict("records"):
        shares = " · ".join(f"{TRACK_LABELS[t]} {_pct(r[t])}" for t in TRACKS)
        themes = ", ".join(labels[c] for c in r["hoofdthemas"]) or "–"
        hover.append(f"<b>{names[r[by]]}</b><br>{r['n_gecodeerd']} van {r['n_segmenten']} "
                     f"segmenten gecodeerd<br>{shares}<br>Hoofdthema's: {themes}")
    # a label above a point near the top corner would run into the corner label: put it below
    text_pos = ["bottom center" if a > 0.7 else "top center" for a in prof[TRACKS[0]]]
    fig = go.Figure(go.Scatterternary(
        a=prof[TRACKS[0]].tolist(), b=prof[TRACKS[1]].tolist(), c=prof[TRACKS[2]].tolist(),
        mode="markers+text" if show_text else "markers",
        text=[_short(names[v], 24) for v in prof[by]] if show_text else None,
        textposition=text_pos, textfont=dict(size=10),
        marker=dict(size=sizes.tolist(), color=colours, opacity=0.8,
                    line=dict(width=1, color="white")),
        hovertext=hover, hoverinfo="text", name=what, cliponaxis=False,
        customdata=prof[[by, "n_gecodeerd"]].astype(str).to_numpy().tolist()))
    corner_labels = [TRACK_LABELS[t] for t in TRACKS]
    fig.add_trace(go.Scatterternary(
        a=[1, 0, 0], b=[0, 1, 0], c=[0, 0, 1], mode="markers+text", name="hoeken",
        marker=dict(size=2 * CORNER_CLEARANCE, color="rgba(0,0,0,0)", line=dict(width=0)),
        text=[f"<b>{x}</b>" for x in corner_labels], textposition=list(CORNER_POSITIONS),
        textfont=dict(size=CORNER_FONT, color=[TRACK_COLOURS[t] for t in TRACKS]),
        hoverinfo="skip", cliponaxis=False, showlegend=False))

    def axis(t):
        return dict(title=dict(text=""), min=0, linewidth=2, linecolor=TRACK_COLOURS[t],
                    tickmode="array", tickvals=list(TERNARY_TICKS), tickformat=".0%",
                    tickfont=dict(size=11, color="#444444"))

    note_lines = ["Grootte: aantal gecodeerde segmenten; kleur: sterkste spoor."]
    untracked = _untracked_note(segments_df, codes_long, codebook)
    if untracked:
        note_lines.append(untracked.lstrip("; ") + ".")
    # room beside the bottom corners for half a corner label (when the triangle fills the
    # width), above the top one and below the bottom ones for the labels, then the note
    side = int(max(_text_width(x, CORNER_FONT) for x in corner_labels) / 2) + 24
    below_corners = CORNER_CLEARANCE + int(1.4 * CORNER_FONT) + 8
    fig.update_layout(title=title, template="plotly_white", showlegend=False,
                      margin=dict(l=side, r=side, t=90 + CORNER_CLEARANCE,
                                  b=below_corners + 18 * len(note_lines) + 12),
                      ternary=dict(sum=1, aaxis=axis(TRACKS[0]), baxis=axis(TRACKS[1]),
                                   caxis=axis(TRACKS[2])),
                      meta={"hoeken": corner_labels},
                      annotations=[dict(text="<br>".join(note_lines), x=0.5, y=0,
                                        xref="paper", yref="paper", xanchor="center",
                                        yanchor="top", yshift=-below_corners, align="center",
                                        showarrow=False, font=dict(size=11, color="#555555"))])
    return fig


def _untracked_note(segments_df, codes_long, codebook) -> str:
    """'; 12% van de toekenningen zonder spoor' (or '') for a figure's footnote."""
    from .profiel import without_track

    info = without_track(segments_df, codes_long, codebook)
    if not info["n_zonder_spoor"]:
        return ""
    return (f"; {info['n_zonder_spoor']} van de {info['n_toekenningen']} toekenningen "
            f"({_pct(info['aandeel'])}) zonder spoor, niet in de kaart")


# --------------------------------------------------------------------------- sunburst

def track_sunburst(segments_df: pd.DataFrame, codes_long: pd.DataFrame, codebook, *,
                   weight: str = "gewicht", title: str | None = None,
                   maxdepth: int = 3) -> go.Figure:
    """Sunburst track → code → document. A leaf's size is the code's coded content in that
    document on that track (segments × track weight; a code with two tracks is split over
    both); hover shows the number of segments. ``maxdepth=2`` hides the document ring until a
    code is clicked (for corpora with many documents)."""
    title = title or "Sporen, thema's en documenten"
    segs, long = _prepare(segments_df, codes_long, codebook, needed=("doc_id",), weight=weight)
    if long.empty:
        return empty_figure(title)
    m = long.merge(segs[["id", "doc_id"]], left_on="segment_id", right_on="id")
    docnames = group_labels(segs, "doc_id", m["doc_id"].unique())
    labels, colours = codebook.labels(), codebook.colours()
    ids, lab, par, val, col, hov = [], [], [], [], [], []
    for t in TRACKS:
        on = m[m[t] > 0]
        if on.empty:
            continue
        ids.append(t)
        lab.append(TRACK_LABELS[t])
        par.append("")
        val.append(0.0)
        col.append(TRACK_COLOURS[t])
        hov.append(f"{TRACK_LABELS[t]}: {on['segment_id'].nunique()} segmenten, "
                   f"gewogen {on[t].sum():.1f}".replace(".", ","))
        for c in codebook.ids:
            oc = on[on["code"] == c]
            if oc.empty:
                continue
            cid = f"{t}/{c}"
            ids.append(cid)
            lab.append(labels[c])
            par.append(t)
            val.append(0.0)
            col.append(colours[c])
            hov.append(f"{labels[c]} ({TRACK_LABELS[t]}): {len(oc)} segmenten")
            for d, od in oc.groupby("doc_id", sort=False):
                ids.append(f"{cid}/{d}")
                lab.append(_short(docnames[d], 30))
                par.append(cid)
                val.append(float(od[t].sum()))
                col.append(rgba(colours[c], 0.55))
                hov.append(f"{docnames[d]}<br>{labels[c]}: {len(od)} segmenten")
    off = m[(m[list(TRACKS)] <= 0).all(axis=1)]      # codes without a track
    if len(off):
        ids.append("zonder")
        lab.append("zonder spoor")
        par.append("")
        val.append(0.0)
        col.append(NEUTRAL)
        hov.append(f"zonder spoor: {off['segment_id'].nunique()} segmenten (nog geen spoor)")
        for c, oc in off.groupby("code", sort=False):
            ids.append(f"zonder/{c}")
            lab.append(labels[c])
            par.append("zonder")
            val.append(float(len(oc)))
            col.append(rgba(colours[c], 0.55))
            hov.append(f"{labels[c]} (zonder spoor): {len(oc)} segmenten")
    fig = go.Figure(go.Sunburst(ids=ids, labels=lab, parents=par, values=val,
                                branchvalues="remainder", marker=dict(colors=col),
                                hovertext=hov, hoverinfo="text", insidetextorientation="radial",
                                maxdepth=maxdepth))
    fig.update_layout(title=title, template="plotly_white", margin=dict(t=60, l=10, r=10, b=10))
    return fig


# --------------------------------------------------------------------------- heatmap

def code_heatmap(segments_df: pd.DataFrame, codes_long: pd.DataFrame, codebook, *,
                 by: str = "doc_id", value: str = "aandeel", title: str | None = None,
                 all_codes: bool = True) -> go.Figure:
    """Heatmap group (default: document) × code. ``value="aandeel"`` colours by the share of the
    group's coded segments carrying the code, ``"aantal"`` by the number of segments; counts are
    written in the cells and both are in the hover. Code labels in their codebook colour."""
    if value not in ("aandeel", "aantal"):
        from ..fouten import VerhalenFout
        raise VerhalenFout(f"code_heatmap: value moet 'aandeel' of 'aantal' zijn, niet {value!r}.")
    what = GROUP_WORDS.get(by, by)
    title = title or (f"Thema's per {GROUP_WORD.get(by, by).lower()} ("
                      + ("aandeel van de gecodeerde segmenten)" if value == "aandeel"
                         else "aantal segmenten)"))
    if not _has_codes(segments_df, codes_long, codebook):
        return empty_figure(title)
    counts = code_counts(segments_df, codes_long, codebook, by=by)
    shares = code_counts(segments_df, codes_long, codebook, by=by, normalize=True)
    if not all_codes:
        keep = counts.columns[counts.sum(axis=0) > 0]
        counts, shares = counts[keep], shares[keep]
    labels, colours = codebook.labels(), codebook.colours()
    names = group_labels(segments_df, by, counts.index)
    y = [_short(names[v], 40) for v in counts.index]
    x = [labels[c] for c in counts.columns]
    z = (shares if value == "aandeel" else counts).to_numpy(dtype=float)
    cnt = counts.to_numpy()
    shr = shares.to_numpy(dtype=float)
    pct = np.array([[_pct(v) for v in row] for row in shr], dtype=object).reshape(cnt.shape)
    custom = np.dstack([cnt.astype(object), pct,
                        np.array([[names[v]] * len(x) for v in counts.index], dtype=object)])
    fig = go.Figure(go.Heatmap(
        z=z, x=x, y=y, colorscale="Blues", zmin=0, zmax=1 if value == "aandeel" else None,
        text=np.where(cnt > 0, cnt.astype(str), ""), texttemplate="%{text}",
        customdata=custom, xgap=1, ygap=1,
        hovertemplate=("<b>%{customdata[2]}</b><br>%{x}: %{customdata[0]} segmenten "
                       "(%{customdata[1]} van de gecodeerde segmenten)<extra></extra>"),
        colorbar=dict(title="aandeel" if value == "aandeel" else "aantal",
                      tickformat=".0%" if value == "aandeel" else None)))
    fig.update_layout(
        title=title, template="plotly_white",
        xaxis=dict(title="Thema", tickangle=-40, tickmode="array", tickvals=x,
                   ticktext=[f"<span style='color:{colours[c]}'>{labels[c]}</span>"
                             for c in counts.columns]),
        yaxis=dict(title=GROUP_WORD.get(by, by), autorange="reversed"),
        height=max(400, 160 + 24 * len(y)), meta={"groep": what})
    return fig


# --------------------------------------------------------------------------- network

def _label_side(x: float, y: float) -> str:
    """Text position that puts a node's label outside the circle."""
    if abs(x) < 0.35:
        return "top center" if y >= 0 else "bottom center"
    side = "right" if x > 0 else "left"
    return ("top " if y > 0.35 else "bottom " if y < -0.35 else "middle ") + side


def cooccurrence_network(segments_df: pd.DataFrame, codes_long: pd.DataFrame, codebook, *,
                         min_count: int = 1, title: str | None = None) -> go.Figure:
    """Code co-occurrence network: codes as nodes on a circle (codebook order, so the layout is
    deterministic), sized by their number of segments and coloured by the codebook; an edge per
    pair of codes that share at least ``min_count`` segments, its width by that number.
    Edge traces are named ``"verband"``, the node trace ``"codes"``."""
    title = title or "Thema's die samen voorkomen (in hetzelfde segment)"
    segs, long = _prepare(segments_df, codes_long, codebook)
    if long.empty:
        return empty_figure(title)
    freq = long.groupby("code")["segment_id"].nunique()
    nodes = [c for c in codebook.ids if freq.get(c, 0) > 0]
    k = len(nodes)
    angle = {c: math.pi / 2 - 2 * math.pi * i / k for i, c in enumerate(nodes)}
    pos = {c: (math.cos(a), math.sin(a)) if k > 1 else (0.0, 0.0) for c, a in angle.items()}
    co = cooccurrence(segments_df, codes_long, codebook)
    co = co[co["n"] >= min_count] if len(co) else co
    labels, colours = codebook.labels(), codebook.colours()
    fig = go.Figure()
    nmax = float(co["n"].max()) if len(co) else 1.0
    mid_x, mid_y, mid_t = [], [], []
    for r in co.itertuples(index=False):
        (x0, y0), (x1, y1) = pos[r.code_a], pos[r.code_b]
        fig.add_trace(go.Scatter(
            x=[x0, x1], y=[y0, y1], mode="lines", name="verband", showlegend=False,
            line=dict(width=1 + 7 * r.n / nmax, color="rgba(120,120,120,0.45)"),
            hoverinfo="skip"))
        mid_x.append((x0 + x1) / 2)
        mid_y.append((y0 + y1) / 2)
        mid_t.append(f"{labels[r.code_a]} + {labels[r.code_b]}: {r.n} segmenten samen")
    if mid_x:
        fig.add_trace(go.Scatter(x=mid_x, y=mid_y, mode="markers", name="verband (hover)",
                                 marker=dict(size=8, opacity=0), hovertext=mid_t,
                                 hoverinfo="text", showlegend=False))
    f = np.array([freq[c] for c in nodes], dtype=float)
    fig.add_trace(go.Scatter(
        x=[pos[c][0] for c in nodes], y=[pos[c][1] for c in nodes], mode="markers+text",
        name="codes", showlegend=False, text=[labels[c] for c in nodes],
        textposition=[_label_side(*pos[c]) for c in nodes],
        marker=dict(size=(14 + 30 * np.sqrt(f / f.max())).tolist(),
                    color=[colours[c] for c in nodes], line=dict(width=1, color="white")),
        customdata=nodes,
        hovertext=[f"<b>{labels[c]}</b><br>{int(freq[c])} segmenten" for c in nodes],
        hoverinfo="text"))
    fig.update_layout(title=title, template="plotly_white",
                      xaxis=dict(visible=False, range=[-1.9, 1.9]),
                      yaxis=dict(visible=False, range=[-1.35, 1.35], scaleanchor="x"),
                      height=600, meta={"knopen": k, "verbanden": int(len(co))},
                      annotations=[dict(text="Grootte: aantal segmenten met het thema; "
                                         "lijndikte: aantal segmenten met beide thema's",
                                         x=0, y=-0.04, xref="paper", yref="paper",
                                         showarrow=False, font=dict(size=11, color="#555555"))])
    return fig


# --------------------------------------------------------------------------- sankey

def role_sankey(segments_df: pd.DataFrame, codes_long: pd.DataFrame, codebook, *,
                missing: str | None = "zonder rol", title: str | None = None) -> go.Figure:
    """Sankey speaker role → code → track. A role → code link counts the segments of that role
    carrying the code (a segment with two roles counts for both; segments without a role go to
    ``missing``, or are left out with ``missing=None``); a code's flow goes on to the tracks by
    its codebook track weights."""
    title = title or "Van sprekersrol via thema naar spoor"
    segs, long = _prepare(segments_df, codes_long, codebook, needed=("roles",))
    if long.empty:
        return empty_figure(title)
    gmap = group_map(segs, "roles", missing)
    m = long.merge(gmap, left_on="segment_id", right_on="id")
    if m.empty:
        return empty_figure(title, "Geen gecodeerde segmenten met een sprekersrol")
    rc = m.groupby(["roles", "code"], sort=False)["segment_id"].nunique()
    roles = list(dict.fromkeys(gmap["roles"][gmap["roles"].isin(m["roles"])]))
    codes = [c for c in codebook.ids if c in set(m["code"])]
    tw = codebook.track_weights()
    code_in = rc.groupby(level="code").sum()
    tracks = [t for t in TRACKS if any(tw.at[c, t] > 0 for c in codes)]
    untracked = [c for c in codes if not (tw.loc[c] > 0).any()]
    labels, colours = codebook.labels(), codebook.colours()
    node_ids = ([("rol", r) for r in roles] + [("code", c) for c in codes]
                + [("spoor", t) for t in tracks] + ([("spoor", "")] if untracked else []))
    index = {n: i for i, n in enumerate(node_ids)}
    node_label = ([str(r) for r in roles] + [labels[c] for c in codes]
                  + [TRACK_LABELS[t] for t in tracks] + (["zonder spoor"] if untracked else []))
    node_colour = ([NEUTRAL] * len(roles) + [colours[c] for c in codes]
                   + [TRACK_COLOURS[t] for t in tracks] + ([NEUTRAL] if untracked else []))
    src, tgt, val, lcol, lhov = [], [], [], [], []
    for (r, c), v in rc.items():
        src.append(index[("rol", r)])
        tgt.append(index[("code", c)])
        val.append(float(v))
        lcol.append(rgba(colours[c], 0.4))
        lhov.append(f"{r} → {labels[c]}: {int(v)} segmenten")
    for c in codes:
        for t in tracks:
            w = float(tw.at[c, t])
            if w > 0:
                v = float(code_in[c]) * w
                src.append(index[("code", c)])
                tgt.append(index[("spoor", t)])
                val.append(v)
                lcol.append(rgba(TRACK_COLOURS[t], 0.4))
                lhov.append(f"{labels[c]} → {TRACK_LABELS[t]}: "
                            + f"{v:g}".replace(".", ",") + " (segmenten × spoorgewicht)")
    for c in untracked:                       # codes without a track: their own node
        src.append(index[("code", c)])
        tgt.append(index[("spoor", "")])
        val.append(float(code_in[c]))
        lcol.append(rgba(NEUTRAL, 0.4))
        lhov.append(f"{labels[c]} → zonder spoor: {int(code_in[c])} segmenten")
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node=dict(label=node_label, color=node_colour, pad=14, thickness=16,
                  line=dict(width=0.5, color="white")),
        link=dict(source=src, target=tgt, value=val, color=lcol, customdata=lhov,
                  hovertemplate="%{customdata}<extra></extra>")))
    fig.update_layout(title=title, template="plotly_white",
                      height=max(450, 28 * max(len(roles), len(codes)) + 120))
    return fig


# --------------------------------------------------------------------------- quote matrix

def quote_matrix(segments_df: pd.DataFrame, codes_long: pd.DataFrame, codebook, *, n: int = 1,
                 title: str | None = None, limit: int = 240) -> go.Figure:
    """Table of the best-evidenced quotes per code and document (``best_quotes(per=
    "code_doc", n=n)``): theme, document, quote, speaker (role) and confidence; the theme cell
    in the code's colour."""
    title = title or "Citaten per thema en document"
    q = best_quotes(segments_df, codes_long, codebook, n=n, per="code_doc", limit=limit)
    if q.empty:
        return empty_figure(title)
    colours = codebook.colours()
    docnames = group_labels(segments_df, "doc_id", q["doc_id"].unique())

    def who(r):
        sp = ", ".join(r["speakers"]) or "–"
        return f"{sp} ({', '.join(r['roles'])})" if r["roles"] else sp

    recs = q.to_dict("records")
    fills = [rgba(colours[r["code"]], 0.3) for r in recs]
    fig = go.Figure(go.Table(
        columnwidth=[1.3, 1.6, 5, 1.6, 0.9],
        header=dict(values=["<b>Thema</b>", "<b>Document</b>", "<b>Citaat</b>",
                            "<b>Spreker (rol)</b>", "<b>Zekerheid</b>"],
                    fill_color="#eeeeee", align="left"),
        cells=dict(values=[[r["label"] for r in recs],
                           [_short(docnames[r["doc_id"]], 60) for r in recs],
                           [f"“{r['citaat']}”" for r in recs],
                           [who(r) for r in recs],
                           [f"{r['score']:.2f}".replace(".", ",") for r in recs]],
                   fill_color=[fills, ["white"] * len(recs), ["white"] * len(recs),
                               ["white"] * len(recs), ["white"] * len(recs)],
                   align="left", height=28)))
    fig.update_layout(title=title, template="plotly_white",
                      height=min(4000, 140 + 60 * len(recs)), margin=dict(l=10, r=10))
    return fig
