"""Track mapping: from codes to the three tracks (sporen) of impact.

Semantics (the canonical ones; ``verhalen.mixed`` uses these too):

* every code assignment (one segment × one code) is one unit of *coded content*; it spreads
  over the tracks by the codebook's track weights (``Codebook.track_weights()``, rows summing
  to 1). With ``weight="score"`` an assignment counts with its confidence instead of 1;
* a **track profile** of a group (segment, document, section, role, case …) is the sum of its
  assignments' track weights, divided by the total: the share of coded content per track, which
  sums to 1 (NaN when the group has no coded content);
* counts (``n_gecodeerd``, ``n_<spoor>``, ``code_counts``, ``compare_groups``) count
  **segments**: a segment that carries two codes of one track counts once for that track.

Inputs are ``segments_df`` (``Corpus.segments_df()``) and the long codes shape
(``verhalen.codes``); the wide shape (``id, codes, scores, evidence``) is accepted too.
Duplicate segment × code rows (e.g. a human and a machine code) count once, with the highest
score. Codes of segments that are not in ``segments_df`` are left out (so a filtered
``segments_df`` gives the profile of that selection). All functions are pure.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from ..codes import LONG_COLUMNS, wide_to_long
from ..fouten import VerhalenFout
from ..tracks import TRACK_LABELS, TRACKS

#: Column names of ``track_profile`` besides the group column (in this order).
PROFILE_COLUMNS = ["n_segmenten", "n_gecodeerd", *TRACKS, "n_codes", "hoofdthemas",
                   *[f"n_{t}" for t in TRACKS]]

#: Columns of ``compare_groups``.
COMPARE_COLUMNS = ["niveau", "naam", "label", "n_a", "n_b", "totaal_a", "totaal_b",
                   "aandeel_a", "aandeel_b", "verschil", "p_waarde", "p_bh", "toets", "duiding"]

TEST_NAME = "Fisher exact (tweezijdig)"

_WEIGHTS = ("gewicht", "score")


# --------------------------------------------------------------------------- validation

def check_segments(segments_df: pd.DataFrame, needed: Iterable[str] = ()) -> pd.DataFrame:
    """Boundary check of a segments table; returns it with ``id`` as str."""
    if not isinstance(segments_df, pd.DataFrame):
        raise VerhalenFout("segments_df: verwacht een tabel (pandas DataFrame) met segmenten, "
                           f"kreeg {type(segments_df).__name__}.")
    missing = [c for c in ["id", *needed] if c not in segments_df.columns]
    if missing and segments_df.empty:   # no segments at all: an empty table, not an error
        return pd.DataFrame(columns=[*segments_df.columns, *missing])
    if missing:
        raise VerhalenFout(f"segments_df: kolom(men) {', '.join(missing)} ontbreken "
                           f"(aanwezig: {', '.join(map(str, segments_df.columns))}).")
    segs = segments_df.copy()
    segs["id"] = segs["id"].astype(str)
    dup = segs["id"][segs["id"].duplicated()]
    if len(dup):
        raise VerhalenFout(f"segments_df: segment-id '{dup.iloc[0]}' komt meer dan eens voor.")
    return segs.reset_index(drop=True)


def check_codes(codes_long: pd.DataFrame, codebook) -> pd.DataFrame:
    """Boundary check of codes (long shape, or wide shape which is converted).

    Returns the long shape with one row per segment × code (highest score kept), ``score``
    float (missing → 1.0) and ``evidence`` a list. Raises ``VerhalenFout`` for missing columns
    and for codes that are not in the codebook.
    """
    if not isinstance(codes_long, pd.DataFrame):
        raise VerhalenFout("codes_long: verwacht een tabel (pandas DataFrame) met codes, "
                           f"kreeg {type(codes_long).__name__}.")
    long = codes_long
    if long.empty:                      # no codes at all: whatever the columns
        return pd.DataFrame(columns=LONG_COLUMNS)
    if "segment_id" not in long.columns and {"id", "codes"} <= set(long.columns):
        long = wide_to_long(long)
    missing = [c for c in ("segment_id", "code") if c not in long.columns]
    if missing:
        raise VerhalenFout(f"codes_long: kolom(men) {', '.join(missing)} ontbreken; verwacht de "
                           f"lange vorm ({', '.join(LONG_COLUMNS)}).")
    long = long.copy()
    if long.empty:
        return pd.DataFrame(columns=LONG_COLUMNS)
    long["segment_id"] = long["segment_id"].astype(str)
    long["code"] = long["code"].astype(str)
    unknown = sorted(set(long["code"]) - set(codebook.ids))
    if unknown:
        rij = int(np.flatnonzero(long["code"].isin(unknown).to_numpy())[0]) + 1
        raise VerhalenFout(
            f"codes_long, rij {rij}: code(s) {', '.join(repr(c) for c in unknown[:5])}"
            f"{' …' if len(unknown) > 5 else ''} staan niet in codeboek '{codebook.name}' "
            f"(codes in het codeboek: {', '.join(codebook.ids)}).")
    if "score" not in long.columns:
        long["score"] = 1.0
    long["score"] = pd.to_numeric(long["score"], errors="coerce").fillna(1.0).astype(float)
    if "evidence" not in long.columns:
        long["evidence"] = [[] for _ in range(len(long))]
    long["evidence"] = [list(e) if isinstance(e, (list, tuple, np.ndarray))
                        else [e] if isinstance(e, str) and e.strip() else []
                        for e in long["evidence"]]
    for col in ("source", "coder"):
        if col not in long.columns:
            long[col] = ""
    long = (long.sort_values("score", ascending=False, kind="stable")
            .drop_duplicates(["segment_id", "code"], keep="first"))
    return long.sort_index()[LONG_COLUMNS + [c for c in long.columns if c not in LONG_COLUMNS]]


def _check_weight(weight: str) -> None:
    if weight not in _WEIGHTS:
        raise VerhalenFout(f"weight: kies 'gewicht' of 'score', niet {weight!r}.")


def _prepare(segments_df, codes_long, codebook, needed=(), weight="gewicht"):
    """Validated segments, and the assignments (long codes of those segments) with their
    weighted track columns."""
    _check_weight(weight)
    segs = check_segments(segments_df, needed)
    long = check_codes(codes_long, codebook)
    long = long[long["segment_id"].isin(set(segs["id"]))].reset_index(drop=True)
    tw = codebook.track_weights()
    w = tw.reindex(long["code"]).to_numpy(dtype=float) if len(long) else np.zeros((0, 3))
    if weight == "score" and len(long):
        w = w * long["score"].to_numpy(dtype=float)[:, None]
    for i, t in enumerate(TRACKS):
        long[t] = w[:, i] if len(long) else pd.Series(dtype=float)
    return segs, long


def _is_listlike(v) -> bool:
    return isinstance(v, (list, tuple, set, np.ndarray))


def _missing(v) -> bool:
    if isinstance(v, str):
        return not v.strip()
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def group_map(segs: pd.DataFrame, by: str, missing: str | None = None) -> pd.DataFrame:
    """Two columns, ``id`` and ``by``: the group(s) each segment belongs to.

    ``by="segment"`` groups per segment. List columns (``roles``, ``speakers``) are exploded:
    a segment counts for each of its values (once per distinct value). Segments without a value
    are left out, or grouped under ``missing`` when it is given (e.g. ``"onbekend"``).
    Groups keep the order in which they first appear in ``segs``.
    """
    if by == "segment":
        return pd.DataFrame({"id": segs["id"], "segment": segs["id"]})
    if by not in segs.columns and segs.empty:
        return pd.DataFrame({"id": pd.Series(dtype=str), by: pd.Series(dtype=object)})
    if by not in segs.columns:
        raise VerhalenFout(f"segments_df: kolom '{by}' om op te groeperen ontbreekt "
                           f"(aanwezig: {', '.join(map(str, segs.columns))}).")
    ids, vals = [], []
    for sid, v in zip(segs["id"], segs[by]):
        items = list(dict.fromkeys(v)) if _is_listlike(v) else [v]
        items = [x for x in items if not _missing(x)]
        if not items and missing is not None:
            items = [missing]
        for x in items:
            ids.append(sid)
            vals.append(x if isinstance(x, str) else (x.item() if hasattr(x, "item") else x))
    return pd.DataFrame({"id": pd.Series(ids, dtype=object), by: pd.Series(vals, dtype=object)})


def _group_order(gmap: pd.DataFrame, by: str) -> list:
    return list(dict.fromkeys(gmap[by].tolist()))


# --------------------------------------------------------------------------- profiles

def without_track(segments_df: pd.DataFrame, codes_long: pd.DataFrame, codebook) -> dict:
    """How much of the coded content has no track yet (codes "zonder spoor", e.g. imported
    from another tool): ``n_codes`` (such codes in the codebook), ``codes`` (their ids),
    ``n_toekenningen`` (segment × code assignments in ``segments_df``), ``n_zonder_spoor``
    (assignments of codes without a track) and ``aandeel`` (their share; 0.0 when nothing is
    coded). The track shares of :func:`track_profile` are shares of the content *with* a
    track."""
    missing = [c.id for c in codebook.codes if getattr(c, "codable", True) and not any(
        w > 0 for w in (c.tracks or {}).values())]
    segs, long = _prepare(segments_df, codes_long, codebook)
    n = len(long)
    k = int(long["code"].isin(missing).sum()) if n else 0
    return {"n_codes": len(missing), "codes": missing, "n_toekenningen": n,
            "n_zonder_spoor": k, "aandeel": k / n if n else 0.0}


def without_track_text(info: dict, codebook) -> str:
    """A Dutch sentence saying how much is unassigned ('' when every code has a track)."""
    if not info["n_zonder_spoor"]:
        return ""
    labels = codebook.labels()
    used = [labels.get(c, c) for c in info["codes"]][:6]
    return (f"{info['n_zonder_spoor']} van de {info['n_toekenningen']} toekenningen "
            f"({100 * info['aandeel']:.0f}%) hebben een code zonder spoor "
            f"({', '.join(used)}{' …' if info['n_codes'] > 6 else ''}); die tellen niet mee "
            "in de sporen. Geef deze codes een spoor in het codeboek.")


def segment_tracks(segments_df: pd.DataFrame, codes_long: pd.DataFrame, codebook, *,
                   weight: str = "gewicht") -> pd.DataFrame:
    """Track shares of each coded segment (index ``segment_id``, columns ``TRACKS``, rows sum
    to 1), weighting its codes by the codebook's track weights (``weight="gewicht"``) or by
    weight × confidence (``weight="score"``). Segments without codes (or only codes without
    track weights) are not in the result; rows follow the order of ``segments_df``."""
    segs, long = _prepare(segments_df, codes_long, codebook, weight=weight)
    if long.empty:
        return pd.DataFrame(columns=list(TRACKS), dtype=float).rename_axis("segment_id")
    sums = long.groupby("segment_id", sort=False)[list(TRACKS)].sum()
    total = sums.sum(axis=1)
    sums = sums[total > 0]
    out = sums.div(sums.sum(axis=1), axis=0)
    order = [s for s in segs["id"] if s in out.index]
    return out.loc[order].rename_axis("segment_id")


def track_profile(segments_df: pd.DataFrame, codes_long: pd.DataFrame, codebook,
                  by: str = "doc_id", *, weight: str = "gewicht", n_themes: int = 3,
                  missing: str | None = None) -> pd.DataFrame:
    """One row per group (``by``: ``"segment"``, ``"doc_id"``, ``"section"``, ``"hoofdstuk"``,
    ``"case_id"``, ``"roles"``, ``"speakers"`` or any column of ``segments_df``).

    Columns: ``by`` (the group value), ``n_segmenten``, ``n_gecodeerd`` (segments with at least
    one code), ``vakmanschap``, ``betekenisgeving``, ``doelmatigheid`` (shares of coded content,
    summing to 1; NaN when nothing is coded), ``n_codes`` (segment × code assignments),
    ``hoofdthemas`` (the ``n_themes`` leading code ids by number of segments; ties in codebook
    order) and ``n_vakmanschap`` … (coded segments touching each track). List columns are
    exploded; segments without a group value are left out unless ``missing`` names a group.
    """
    segs, long = _prepare(segments_df, codes_long, codebook, weight=weight)
    gmap = group_map(segs, by, missing)
    order = _group_order(gmap, by)
    key = {g: i for i, g in enumerate(order)}          # integer group keys: any value type
    gmap = gmap.assign(_g=gmap[by].map(key))
    m = long.merge(gmap[["id", "_g"]], left_on="segment_id", right_on="id", how="inner")
    idx = pd.RangeIndex(len(order))
    out = pd.DataFrame({by: pd.Series(order, dtype=object)})
    out["n_segmenten"] = gmap.groupby("_g")["id"].nunique().reindex(idx, fill_value=0)
    out["n_gecodeerd"] = m.groupby("_g")["segment_id"].nunique().reindex(idx, fill_value=0)
    sums = m.groupby("_g")[list(TRACKS)].sum().reindex(idx, fill_value=0.0).astype(float)
    total = sums.sum(axis=1).replace(0.0, np.nan)
    for t in TRACKS:
        out[t] = (sums[t] / total).to_numpy(dtype=float)
    out["n_codes"] = m.groupby("_g").size().reindex(idx, fill_value=0)
    rank = {c: i for i, c in enumerate(codebook.ids)}
    cnt = m.groupby(["_g", "code"])["segment_id"].nunique().rename("n").reset_index()
    cnt["_r"] = cnt["code"].map(rank)
    cnt = cnt.sort_values(["_g", "n", "_r"], ascending=[True, False, True], kind="stable")
    lead = cnt.groupby("_g").head(n_themes).groupby("_g")["code"].agg(list)
    out["hoofdthemas"] = [list(lead.get(i, [])) for i in idx]
    for t in TRACKS:
        on = m[m[t] > 0]
        out[f"n_{t}"] = on.groupby("_g")["segment_id"].nunique().reindex(idx, fill_value=0)
    for col in ("n_segmenten", "n_gecodeerd", "n_codes", *[f"n_{t}" for t in TRACKS]):
        out[col] = out[col].astype(int)
    return out[[by, *PROFILE_COLUMNS]]


def code_counts(segments_df: pd.DataFrame, codes_long: pd.DataFrame, codebook,
                by: str = "doc_id", *, normalize: bool = False,
                missing: str | None = None) -> pd.DataFrame:
    """Group × code table: the number of segments in each group carrying each code (columns
    all codebook codes, in codebook order; index the group values, named ``by``).
    With ``normalize=True`` each count is divided by the group's number of coded segments
    (share of coded segments; NaN for groups with nothing coded)."""
    segs, long = _prepare(segments_df, codes_long, codebook)
    gmap = group_map(segs, by, missing)
    order = _group_order(gmap, by)
    m = long.merge(gmap, left_on="segment_id", right_on="id", how="inner")
    if len(m):
        tab = pd.crosstab(m[by], m["code"])
    else:
        tab = pd.DataFrame()
    tab = tab.reindex(index=order, columns=codebook.ids, fill_value=0).fillna(0).astype(int)
    tab.index.name = by
    tab.columns.name = "code"
    if normalize:
        coded = m.groupby(by)["segment_id"].nunique() if len(m) else pd.Series(dtype=float)
        denom = coded.reindex(order).astype(float).replace(0, np.nan)
        tab = tab.div(denom.to_numpy(), axis=0)
    return tab


def cooccurrence(segments_df: pd.DataFrame, codes_long: pd.DataFrame, codebook) -> pd.DataFrame:
    """Pairs of codes that occur together in a segment: columns ``code_a``, ``code_b`` (in
    codebook order, ``code_a`` first) and ``n`` (number of segments carrying both); only pairs
    with ``n > 0``, sorted by ``n`` descending then codebook order."""
    segs, long = _prepare(segments_df, codes_long, codebook)
    cols = ["code_a", "code_b", "n"]
    if long.empty:
        return pd.DataFrame(columns=cols)
    ids = codebook.ids
    rank = {c: i for i, c in enumerate(ids)}
    onehot = pd.crosstab(long["segment_id"], long["code"]).reindex(columns=ids, fill_value=0)
    x = (onehot.to_numpy() > 0).astype(int)
    co = x.T @ x
    rows = [(ids[i], ids[j], int(co[i, j])) for i in range(len(ids))
            for j in range(i + 1, len(ids)) if co[i, j] > 0]
    out = pd.DataFrame(rows, columns=cols)
    if out.empty:
        return out
    out["_ra"] = out["code_a"].map(rank)
    out["_rb"] = out["code_b"].map(rank)
    out = out.sort_values(["n", "_ra", "_rb"], ascending=[False, True, True], kind="stable")
    return out.drop(columns=["_ra", "_rb"]).reset_index(drop=True)


# --------------------------------------------------------------------------- comparison

def _pct(v: float) -> str:
    return "–" if v != v else f"{100 * v:.0f}%"


def _p_text(p: float) -> str:
    if p != p:
        return "–"
    if p < 0.001:
        return "p < 0,001"
    return "p = " + f"{p:.3f}".replace(".", ",")


def _bh(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (NaN stays NaN)."""
    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    q = p[ok]
    if q.size == 0:
        return out
    order = np.argsort(q)
    ranked = q[order] * q.size / np.arange(1, q.size + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    adj = np.empty_like(q)
    adj[order] = np.minimum(ranked, 1.0)
    out[ok] = adj
    return out


def compare_groups(segments_df: pd.DataFrame, codes_long: pd.DataFrame, codebook, by: str,
                   a, b, *, alpha: float = 0.05) -> pd.DataFrame:
    """Where two groups differ (the "spoorwissel" table): one row per track, then one per code.

    For group ``a`` and ``b`` (values of ``by``, e.g. roles ``"sociaal professional"`` and
    ``"onderzoeker"``): ``n_a``/``n_b`` coded segments touching the track (or carrying the
    code), ``totaal_a``/``totaal_b`` the groups' coded segments, ``aandeel_a``/``aandeel_b``
    their ratio, ``verschil`` in percentage points (a − b), ``p_waarde`` of a two-sided Fisher
    exact test on the 2×2 table (segments with/without, group a/b; column ``toets``),
    ``p_bh`` the Benjamini–Hochberg adjusted p-value (separately over the track rows and over
    the code rows) and a short Dutch ``duiding``. A segment in both groups (e.g. two roles)
    counts in both.
    """
    from scipy.stats import fisher_exact

    if a == b:
        raise VerhalenFout(f"compare_groups: groep a en b zijn gelijk ({a!r}); kies twee "
                           "verschillende groepen.")
    segs, long = _prepare(segments_df, codes_long, codebook)
    gmap = group_map(segs, by)
    present = _group_order(gmap, by)
    for name, g in (("a", a), ("b", b)):
        if g not in present:
            shown = ", ".join(repr(x) for x in present[:12])
            raise VerhalenFout(f"compare_groups: groep {name} = {g!r} komt niet voor in kolom "
                               f"'{by}' (wel: {shown}{' …' if len(present) > 12 else ''}).")
    m = long.merge(gmap, left_on="segment_id", right_on="id", how="inner")
    ma, mb = m[m[by] == a], m[m[by] == b]
    tot_a, tot_b = ma["segment_id"].nunique(), mb["segment_id"].nunique()
    labels = codebook.labels()
    items = [("spoor", t, TRACK_LABELS[t],
              ma.loc[ma[t] > 0, "segment_id"].nunique(),
              mb.loc[mb[t] > 0, "segment_id"].nunique()) for t in TRACKS]
    items += [("code", c, labels[c],
               ma.loc[ma["code"] == c, "segment_id"].nunique(),
               mb.loc[mb["code"] == c, "segment_id"].nunique()) for c in codebook.ids]
    rows = []
    for niveau, naam, label, na, nb in items:
        sa = na / tot_a if tot_a else np.nan
        sb = nb / tot_b if tot_b else np.nan
        if tot_a and tot_b:
            p = float(fisher_exact([[na, tot_a - na], [nb, tot_b - nb]])[1])
        else:
            p = np.nan
        rows.append({"niveau": niveau, "naam": naam, "label": label, "n_a": int(na),
                     "n_b": int(nb), "totaal_a": int(tot_a), "totaal_b": int(tot_b),
                     "aandeel_a": sa, "aandeel_b": sb, "verschil": 100 * (sa - sb),
                     "p_waarde": min(p, 1.0) if p == p else p, "toets": TEST_NAME})
    out = pd.DataFrame(rows)
    out["p_bh"] = np.nan
    for niveau in ("spoor", "code"):
        sel = out["niveau"] == niveau
        out.loc[sel, "p_bh"] = _bh(out.loc[sel, "p_waarde"].to_numpy())
    out["duiding"] = [_duiding(r, a, b, alpha) for r in out.to_dict("records")]
    return out[COMPARE_COLUMNS]


def _duiding(r: dict, a, b, alpha: float) -> str:
    label = r["label"]
    if not r["totaal_a"] or not r["totaal_b"]:
        leeg = a if not r["totaal_a"] else b
        return f"Niet te vergelijken: groep '{leeg}' heeft geen gecodeerde segmenten."
    if r["n_a"] == 0 and r["n_b"] == 0:
        return f"{label} komt in geen van beide groepen voor."
    pa, pb = _pct(r["aandeel_a"]), _pct(r["aandeel_b"])
    cijfers = f"{pa} tegen {pb} van de gecodeerde segmenten; {_p_text(r['p_waarde'])}"
    if r["p_waarde"] < alpha:
        meer = a if r["verschil"] > 0 else b
        tekst = f"{label} komt vaker voor bij '{meer}' ({cijfers})."
        if r["p_bh"] >= alpha:
            tekst += " Na correctie voor het aantal toetsen niet meer significant."
        return tekst
    klein = " (kleine aantallen)" if min(r["totaal_a"], r["totaal_b"]) < 10 else ""
    return f"Geen duidelijk verschil voor {label}{klein} ({cijfers})."
