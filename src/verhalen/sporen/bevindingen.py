"""The findings a report opens with, as data: the corpus's track shares, the leading themes per
track with one quote each, and where the speaker roles differ.

Pure functions on ``segments_df`` + long codes + codebook (the semantics of
:mod:`verhalen.sporen.profiel`: shares of coded content, counts of segments); the report
(:mod:`verhalen.rapport`) turns them into Dutch sentences. Every figure they return is one the
report's detail sections show too (the theme sections, the spoorwissel table), so an author can
check a sentence of the summary against them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..tracks import TRACKS
from .citaten import best_quotes
from .profiel import _prepare, compare_groups, group_map, track_profile

__all__ = ["corpus_tracks", "leading_themes", "track_quotes", "roles_by_coded",
           "role_differences", "speakers_per_role", "MIN_ROLE_SEGMENTS", "MIN_DIFFERENCE",
           "ALPHA"]

#: A role takes part in the comparison of roles only with at least this many coded segments.
MIN_ROLE_SEGMENTS = 10
#: A difference between two roles is named only when it is at least this many percentage
#: points ...
MIN_DIFFERENCE = 10.0
#: ... and its Fisher test stays below this level after the Benjamini–Hochberg correction.
ALPHA = 0.05

LEADING_COLUMNS = ["spoor", "rang", "code", "label", "n_segmenten", "aandeel", "gewicht"]


def corpus_tracks(segments_df: pd.DataFrame, codes_long: pd.DataFrame, codebook) -> dict:
    """The track profile of the whole corpus: ``{"n_segmenten", "n_gecodeerd", <spoor>: share
    of coded content (NaN when nothing has a track), "n_<spoor>": coded segments touching it}``
    (one row of :func:`~verhalen.sporen.profiel.track_profile` over all segments)."""
    segs = segments_df.assign(_corpus="corpus")
    prof = track_profile(segs, codes_long, codebook, by="_corpus")
    if prof.empty:
        out = {"n_segmenten": len(segments_df), "n_gecodeerd": 0}
        out.update({t: float("nan") for t in TRACKS})
        out.update({f"n_{t}": 0 for t in TRACKS})
        return out
    row = prof.iloc[0].to_dict()
    return {k: row[k] for k in ("n_segmenten", "n_gecodeerd", *TRACKS,
                                *[f"n_{t}" for t in TRACKS])}


def leading_themes(segments_df: pd.DataFrame, codes_long: pd.DataFrame, codebook, *,
                   n: int = 3) -> pd.DataFrame:
    """Per track the ``n`` codes on it (track weight > 0) with the most segments.

    Columns: ``spoor``, ``rang`` (1 = most), ``code``, ``label``, ``n_segmenten`` (segments
    carrying the code, as in the report's theme sections), ``aandeel`` (of all coded segments)
    and ``gewicht`` (the code's weight on that track). Codes without segments are left out;
    ties in codebook order. A code with two tracks is listed under both."""
    segs, long = _prepare(segments_df, codes_long, codebook)
    if long.empty:
        return pd.DataFrame(columns=LEADING_COLUMNS)
    coded = long["segment_id"].nunique()
    counts = long.groupby("code")["segment_id"].nunique()
    tw = codebook.track_weights()
    labels = codebook.labels()
    rows = []
    for t in TRACKS:
        on = [c for c in codebook.ids if tw.at[c, t] > 0 and counts.get(c, 0) > 0]
        on.sort(key=lambda c: -int(counts[c]))           # stable: codebook order on ties
        for i, c in enumerate(on[:n], start=1):
            rows.append({"spoor": t, "rang": i, "code": c, "label": labels[c],
                         "n_segmenten": int(counts[c]), "aandeel": counts[c] / coded,
                         "gewicht": float(tw.at[c, t])})
    return pd.DataFrame(rows, columns=LEADING_COLUMNS)


def track_quotes(segments_df: pd.DataFrame, codes_long: pd.DataFrame, codebook, *,
                 leading: pd.DataFrame | None = None, limit: int = 200,
                 candidates: int = 3) -> pd.DataFrame:
    """One quote per track: the best-evidenced quote (:func:`~verhalen.sporen.citaten.
    best_quotes`) of its leading theme, or of the next leading theme when that segment already
    speaks for an earlier track (a code with two tracks would otherwise give the same quote
    twice). Columns of ``best_quotes`` plus ``spoor``; a track without coded themes has no row.
    """
    if leading is None:
        leading = leading_themes(segments_df, codes_long, codebook)
    q = best_quotes(segments_df, codes_long, codebook, n=candidates, per="code", limit=limit)
    rows, used = [], set()
    for t in TRACKS:
        for code in leading.loc[leading["spoor"] == t].sort_values("rang")["code"]:
            pick = q[(q["code"] == code) & ~q["segment_id"].isin(used)].head(1)
            if len(pick):
                rec = pick.iloc[0].to_dict()
                used.add(rec["segment_id"])
                rows.append({"spoor": t, **rec})
                break
    return pd.DataFrame(rows, columns=["spoor", *q.columns])


def roles_by_coded(segments_df: pd.DataFrame, codes_long: pd.DataFrame, codebook) -> pd.Series:
    """Coded segments per speaker role (``onbekend`` left out), most first (ties by name)."""
    segs, long = _prepare(segments_df, codes_long, codebook)
    if "roles" not in segs.columns or long.empty:
        return pd.Series(dtype=int, name="n_gecodeerd")
    gmap = group_map(segs, "roles")
    gmap = gmap[gmap["roles"].astype(str) != "onbekend"]
    coded = gmap[gmap["id"].isin(set(long["segment_id"]))]
    n = coded.groupby("roles")["id"].nunique()
    order = sorted(n.index, key=lambda r: (-int(n[r]), str(r)))
    return n.reindex(order).astype(int).rename("n_gecodeerd")


def speakers_per_role(segments_df: pd.DataFrame, people: pd.DataFrame | None = None) -> dict:
    """Distinct speakers per role, most first: a segment's ``speakers`` and ``roles`` taken
    pairwise when they are as long, otherwise the role from the ``people`` table (``naam``,
    ``rol``); speakers without a known role under ``"onbekend"``."""
    known = {}
    if people is not None and {"naam", "rol"} <= set(people.columns):
        known = {str(n): str(r) for n, r in zip(people["naam"], people["rol"])
                 if isinstance(n, str) and isinstance(r, str) and r.strip()}
    role_of: dict[str, str] = {}
    for sp, rs in zip(segments_df.get("speakers", []), segments_df.get("roles", [])):
        sp = list(sp) if isinstance(sp, (list, tuple, np.ndarray)) else []
        rs = list(rs) if isinstance(rs, (list, tuple, np.ndarray)) else []
        for i, name in enumerate(sp):
            if not name:
                continue
            role = rs[i] if len(rs) == len(sp) else known.get(str(name), "")
            if role and role != "onbekend" or str(name) not in role_of:
                role_of[str(name)] = role or "onbekend"
    counts: dict[str, int] = {}
    for role in role_of.values():
        counts[role] = counts.get(role, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (kv[0] == "onbekend", -kv[1], kv[0])))


def role_differences(segments_df: pd.DataFrame, codes_long: pd.DataFrame, codebook, *,
                     min_segments: int = MIN_ROLE_SEGMENTS, min_difference: float = MIN_DIFFERENCE,
                     alpha: float = ALPHA) -> dict:
    """Where the two roles with the most coded segments differ, by a rule that says nothing
    rather than noise.

    The comparison is :func:`~verhalen.sporen.profiel.compare_groups` of those two roles (the
    report's spoorwissel table). A track or theme counts as a difference when both roles have
    at least ``min_segments`` coded segments, the shares differ by at least ``min_difference``
    percentage points and the Fisher test stays below ``alpha`` after the Benjamini–Hochberg
    correction. Returns ``{"rollen": Series of coded segments per role, "a", "b" (None when
    there is no pair to compare), "reden" (why not, Dutch; None when compared), "verschillen"
    (the rows of compare_groups that count, largest difference first), "te_klein" (roles with
    fewer than ``min_segments`` coded segments: {role: n}), "interviewer" ({role: (coded
    interviewer turns, coded segments)} for a role of which interviewer turns are part)}``.
    """
    roles = roles_by_coded(segments_df, codes_long, codebook)
    out = {"rollen": roles, "a": None, "b": None, "reden": None,
           "verschillen": pd.DataFrame(), "te_klein": {}, "interviewer": {}}
    if roles.empty:
        out["reden"] = "geen gecodeerde segmenten met een sprekersrol"
        return out
    out["te_klein"] = {r: int(n) for r, n in roles.items() if n < min_segments}
    if len(roles) < 2:
        out["reden"] = f"alle gecodeerde segmenten met een rol zijn van één rol ({roles.index[0]})"
        return out
    a, b = roles.index[0], roles.index[1]
    out["a"], out["b"] = a, b
    if roles[b] < min_segments:
        out["reden"] = (f"te weinig gecodeerde segmenten om te vergelijken (minder dan "
                        f"{min_segments} bij '{b}')")
        return out
    tab = compare_groups(segments_df, codes_long, codebook, "roles", a, b)
    keep = (tab["p_bh"] < alpha) & (tab["verschil"].abs() >= min_difference)
    out["verschillen"] = (tab.assign(_abs=tab["verschil"].abs())[keep]
                          .sort_values(["niveau", "_abs"], ascending=[False, False], kind="stable")
                          .drop(columns="_abs").reset_index(drop=True))
    if "beurt" in segments_df.columns:
        segs, long = _prepare(segments_df, codes_long, codebook)
        coded = set(long["segment_id"])
        asked = set(segs.loc[segs["beurt"].astype(str) == "interviewer", "id"]) & coded
        if asked:
            gmap = group_map(segs, "roles")
            for r in (a, b):
                ids = set(gmap.loc[gmap["roles"] == r, "id"]) & coded
                if ids & asked:
                    out["interviewer"][r] = (len(ids & asked), len(ids))
    return out
