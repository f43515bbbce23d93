"""Honest statistics for mixed methods: paired change with a confidence interval (n and
missing follow-ups reported), a social-return helper that prints its formula and assumptions,
and theme share against outcomes only when there are enough cases."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

#: Fewest cases before a theme–outcome correlation is shown at all.
MIN_CASES = 8


def _nl(x: float, fmt: str) -> str:
    """A number with a Dutch decimal comma."""
    return format(x, fmt).replace(".", ",")


@dataclass
class Verandering:
    """Baseline → follow-up change (na − voor) for one group of participants."""

    n_deelnemers: int
    n_paren: int
    n_zonder_nameting: int
    gem_voor: float
    gem_na: float
    gem_verschil: float
    sd_verschil: float
    ci_laag: float
    ci_hoog: float
    betrouwbaarheid: float
    methode: str
    p_waarde: float | None = None
    effectgrootte_dz: float | None = None

    def beschrijving(self) -> str:
        if self.n_paren < 2:
            return (f"Te weinig paren voor een verandering (n = {self.n_paren}; "
                    f"{self.n_zonder_nameting} zonder nameting).")
        pct = round(self.betrouwbaarheid * 100)
        return (f"gemiddelde verandering {_nl(self.gem_verschil, '+.2f')} ({pct}%-BI "
                f"{_nl(self.ci_laag, '+.2f')} tot {_nl(self.ci_hoog, '+.2f')}; {self.methode}), n = "
                f"{self.n_paren} paren, {self.n_zonder_nameting} zonder nameting")

    def as_dict(self) -> dict:
        return asdict(self)


def paired_change(voor, na, confidence: float = 0.95, method: str = "t", n_boot: int = 10_000,
                  random_state: int = 0) -> Verandering:
    """Mean of (na − voor) over complete pairs with a CI: paired t (``method="t"``,
    mean ± t(n−1) · sd/√n) or a percentile bootstrap (``method="bootstrap"``). Participants
    without a follow-up are counted, not imputed."""
    voor = np.asarray(voor, dtype=float)
    na = np.asarray(na, dtype=float)
    ok = ~np.isnan(voor) & ~np.isnan(na)
    d = na[ok] - voor[ok]
    n = int(ok.sum())
    missing = int((~np.isnan(voor) & np.isnan(na)).sum())
    base = dict(n_deelnemers=int(len(voor)), n_paren=n, n_zonder_nameting=missing,
                gem_voor=float(np.nanmean(voor)) if len(voor) and not np.isnan(voor).all() else np.nan,
                gem_na=float(np.nanmean(na)) if len(na) and not np.isnan(na).all() else np.nan,
                betrouwbaarheid=confidence)
    if n < 2:
        return Verandering(gem_verschil=float(d.mean()) if n else np.nan, sd_verschil=np.nan,
                           ci_laag=np.nan, ci_hoog=np.nan, methode="geen (te weinig paren)",
                           **base)
    mean, sd = float(d.mean()), float(d.std(ddof=1))
    se = sd / np.sqrt(n)
    if method == "t":
        tcrit = stats.t.ppf(0.5 + confidence / 2, n - 1)
        lo, hi = mean - tcrit * se, mean + tcrit * se
        p = float(2 * stats.t.sf(abs(mean / se), n - 1)) if se > 0 else (0.0 if mean else 1.0)
        label = "gepaarde t-toets"
    elif method == "bootstrap":
        rng = np.random.default_rng(random_state)
        boots = d[rng.integers(0, n, size=(n_boot, n))].mean(axis=1)
        lo, hi = np.quantile(boots, [(1 - confidence) / 2, 0.5 + confidence / 2])
        p = None
        label = f"bootstrap ({n_boot}×, percentielen)"
    else:
        raise ValueError(f"Onbekende methode '{method}': kies 't' of 'bootstrap'.")
    return Verandering(gem_verschil=mean, sd_verschil=sd, ci_laag=float(lo), ci_hoog=float(hi),
                       methode=label, p_waarde=p, effectgrootte_dz=(mean / sd if sd > 0 else None),
                       **base)


def change_per_case(scores: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """``paired_change`` per ``casus`` of a long scores table (casus, voor, na)."""
    rows = []
    for cid, sub in scores.groupby("casus", sort=True):
        v = paired_change(sub["voor"], sub["na"], **kwargs)
        rows.append({"casus": cid, **v.as_dict(), "beschrijving": v.beschrijving()})
    return pd.DataFrame(rows)


@dataclass
class SocialReturn:
    """Benefits ÷ costs, with the formula and the assumptions behind it."""

    baten: float
    kosten: float
    ratio: float
    formule: str
    aannames: list[str] = field(default_factory=list)

    def beschrijving(self) -> str:
        if np.isnan(self.ratio):
            return "Maatschappelijk rendement niet te berekenen (kosten of baten ontbreken)."
        lines = [f"Elke geïnvesteerde euro levert naar schatting € {_nl(self.ratio, '.2f')} aan "
                 "maatschappelijke baten op.", f"Formule: {self.formule}", "Aannames:"]
        lines += [f"  - {a}" for a in self.aannames]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.beschrijving()


def social_return(baten: float, kosten: float, uren_bespaard: float | None = None,
                  uurtarief: float | None = None, periode: str = "de looptijd van het project"
                  ) -> SocialReturn:
    """Social return per euro invested: (baten [+ uren_bespaard × uurtarief]) ÷ kosten.

    Hours of professional time saved are only turned into money when an ``uurtarief`` is
    given (and then added to the benefits: say so when the benefits already include them)."""
    baten = float(baten) if baten is not None else np.nan
    kosten = float(kosten) if kosten is not None else np.nan
    aannames = [
        f"baten en kosten gelden voor dezelfde periode ({periode}) en zijn niet verdisconteerd",
        "de baten zijn toe te schrijven aan het project (geen correctie voor wat zonder het "
        "project ook was gebeurd: deadweight en attributie)",
        "baten die buiten geld vallen (betekenis, kwaliteit van leven) tellen hier niet mee: "
        "lees het getal naast de verhalen",
    ]
    formule = "maatschappelijk rendement = baten_eur ÷ kosten_eur"
    totaal = baten
    if uurtarief is not None and uren_bespaard is not None and not np.isnan(float(uren_bespaard)):
        totaal = (0.0 if np.isnan(baten) else baten) + float(uren_bespaard) * float(uurtarief)
        formule = ("maatschappelijk rendement = (baten_eur + uren_bespaard × uurtarief) ÷ "
                   f"kosten_eur, met uurtarief € {float(uurtarief):.2f}")
        aannames.append(f"een bespaard uur professionele tijd is € {float(uurtarief):.2f} waard "
                        "en is nog niet in baten_eur meegeteld")
    ratio = totaal / kosten if kosten and not np.isnan(kosten) and kosten > 0 else np.nan
    return SocialReturn(baten=totaal, kosten=kosten, ratio=float(ratio), formule=formule,
                        aannames=aannames)


def theme_outcome(theme_shares: pd.DataFrame, outcome: pd.Series, min_cases: int = MIN_CASES
                  ) -> pd.DataFrame:
    """Spearman correlation of each theme's share (rows = cases) with an outcome per case,
    only with ≥ ``min_cases`` cases; otherwise one row with the caveat and no correlation."""
    common = theme_shares.index.intersection(outcome.dropna().index)
    n = len(common)
    if n < min_cases:
        return pd.DataFrame([{
            "thema": None, "n_casussen": n, "spearman_rho": np.nan, "p_waarde": np.nan,
            "kanttekening": (f"Slechts {n} casussen met cijfers (minstens {min_cases} nodig): "
                             "een verband tussen thema's en uitkomsten is hier niet te schatten. "
                             "Vergelijk de casussen in de joint display in plaats daarvan.")}])
    rows = []
    for theme in theme_shares.columns:
        x = theme_shares.loc[common, theme].astype(float)
        y = outcome.loc[common].astype(float)
        if x.nunique() < 2 or y.nunique() < 2:
            rho, p = np.nan, np.nan
        else:
            rho, p = stats.spearmanr(x, y)
        rows.append({"thema": theme, "n_casussen": n, "spearman_rho": float(rho),
                     "p_waarde": float(p),
                     "kanttekening": "samenhang, geen oorzaak; kleine n, veel toetsen"})
    return pd.DataFrame(rows)
