"""instrument_report: the instrument chapter of a thesis in one call (en and id)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from egovstudy._text import fmt
from egovstudy.errors import ModelSpecError
from egovstudy.measurement._common import check_constructs, html_table
from egovstudy.measurement.reliability import reliability
from egovstudy.measurement.validity import critical_r

__all__ = ["InstrumentReport", "instrument_report"]


@dataclass(frozen=True)
class InstrumentReport:
    """Per-item validity and per-construct reliability with report sentences."""

    items: pd.DataFrame
    constructs: pd.DataFrame
    sig_level: float
    min_r_rest: float
    min_loading: float

    @property
    def alpha(self) -> pd.Series:
        """Cronbach's alpha of every construct (index: construct).

        The significance level of the r-table test is :attr:`sig_level` (before 0.2 it
        was called ``alpha``, which read like Cronbach's alpha).
        """
        return pd.Series(self.constructs["alpha"].to_numpy(dtype=float),
                         index=pd.Index(self.constructs["construct"], name="construct"),
                         name="alpha")

    @property
    def weak_items(self) -> list[str]:
        """Items that fail the validity rules."""
        return self.items.loc[~self.items["valid"], "item"].tolist()

    def tidy(self) -> pd.DataFrame:
        """The item table (one row per item)."""
        return self.items.copy()

    def summary(self, lang: str = "en") -> str:
        """All report sentences in ``lang`` ("en" or "id")."""
        col = f"sentence_{lang}"
        if col not in self.items:
            raise ModelSpecError(f"lang={lang!r}: use 'en' or 'id'")
        return "\n".join([*self.items[col], *self.constructs[col]])

    def _repr_html_(self) -> str:
        return html_table("Item validity", self.items) + html_table("Reliability",
                                                                    self.constructs)


def _verdict(value: float) -> tuple[str, str, str]:
    c70, c60 = fmt(0.70, 2, "id"), fmt(0.60, 2, "id")
    if value >= 0.7:
        return "reliable", "reliable (>= 0.70)", f"reliabel (>= {c70})"
    if value >= 0.6:
        return "acceptable", "acceptable (0.60-0.70)", f"cukup reliabel ({c60}-{c70})"
    return "unreliable", "not reliable (< 0.60)", f"tidak reliabel (< {c60})"


def _id_num(x: float) -> str:
    return fmt(x, 3, "id")  # the package's one formatter, in the sentence's decimal mark


def instrument_report(survey: Any, constructs: Mapping[str, Sequence[str]] | None = None, *,
                      sig_level: float = 0.05, tails: int = 2, min_r_rest: float = 0.30,
                      min_loading: float = 0.40,
                      alpha: float | None = None) -> InstrumentReport:
    """Validity of every item and reliability of every construct, with sentences.

    Parameters
    ----------
    survey : Survey or pandas.DataFrame
        A :class:`egovstudy.Survey` (its ``.data`` and ``.construct_items()`` are
        used) or a DataFrame of item codes (reverse-keyed items already reversed).
    constructs : dict, optional
        ``{construct: [items]}``; required for a DataFrame.
    sig_level, tails : float, int
        Significance level and tails of the r-table test.
    min_r_rest : float
        Smallest acceptable corrected item-total r (0.30, the usual rule).
    min_loading : float
        Smallest acceptable standardized one-factor loading.
    alpha : float, optional
        Former name of ``sig_level``, still accepted (it is not Cronbach's alpha; the
        result's ``.alpha`` is).

    Returns
    -------
    InstrumentReport
        ``items``: construct, item, n, r_total, r_rest, r_critical, loading,
        alpha_if_deleted, valid, reason, sentence_en, sentence_id; ``constructs``:
        construct, n_items, alpha, alpha_ci_low, alpha_ci_high, omega_total, rho_c,
        ave, verdict, sentence_en, sentence_id. An item is valid when its corrected
        item-total r exceeds the critical r, is at least ``min_r_rest`` and its
        loading is at least ``min_loading``. A construct is reliable at alpha >= 0.70,
        acceptable at 0.60-0.70 and not reliable below 0.60.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(4)
    >>> f = rng.normal(size=(200, 1))
    >>> df = pd.DataFrame(np.hstack([f + 0.7 * rng.normal(size=(200, 3)),
    ...                              rng.normal(size=(200, 1))]), columns=["a", "b", "c", "d"])
    >>> instrument_report(df, {"X": ["a", "b", "c", "d"]}).weak_items
    ['d']
    """
    if isinstance(survey, pd.DataFrame):
        if constructs is None:
            raise ModelSpecError("constructs is required with a DataFrame, e.g. "
                                 "{'budget': ['bud1', 'bud2', 'bud3']}")
        data = survey
        labels: dict[str, dict[str, str]] = {}
    else:
        data = getattr(survey, "data", None)
        if not isinstance(data, pd.DataFrame):
            raise ModelSpecError("survey must be an egovstudy Survey (with .data) or a "
                                 "DataFrame of item codes")
        if constructs is None:
            constructs = survey.construct_items()
        labels = {}
        codebook = getattr(survey, "codebook", None)
        for name in constructs:
            con = getattr(codebook, "constructs", {}).get(name) if codebook else None
            lab = getattr(con, "label", None)
            if isinstance(lab, dict):
                labels[name] = lab
    if alpha is not None:
        if sig_level != 0.05 and sig_level != alpha:
            raise ModelSpecError(f"alpha={alpha!r} and sig_level={sig_level!r} disagree; alpha "
                                 "is the former name of sig_level: pass sig_level only")
        sig_level = alpha
    if not 0 < sig_level < 1:
        raise ModelSpecError(f"sig_level={sig_level!r}: pass a significance level between 0 "
                             "and 1, e.g. 0.05")
    cons = check_constructs(data, constructs, min_items=2)
    item_rows = []
    con_rows = []
    for name, items in cons.items():
        lab_en = labels.get(name, {}).get("en", name)
        lab_id = labels.get(name, {}).get("id", name)
        rel = reliability(data, items)
        it = rel.items
        n_complete = int(data[items].dropna().shape[0])
        rc = critical_r(n_complete, sig_level, tails)
        for item in items:
            r_rest = float(it.loc[item, "r_rest"])
            load = float(it.loc[item, "loading"])
            reasons = []
            if not r_rest > rc:
                reasons.append("r_rest <= r_critical")
            if r_rest < min_r_rest:
                reasons.append(f"r_rest < {min_r_rest:.2f}")
            if load < min_loading:
                reasons.append(f"loading < {min_loading:.2f}")
            valid = not reasons
            if valid:
                en = (f"Item {item} ({lab_en}) is valid: its corrected item-total correlation "
                      f"r = {r_rest:.3f} exceeds the critical r = {rc:.3f} (n = {n_complete}, "
                      f"significance level {sig_level}).")
                idn = (f"Butir {item} ({lab_id}) valid: korelasi butir-total terkoreksi "
                       f"r hitung = {_id_num(r_rest)} lebih besar dari r tabel = {_id_num(rc)} "
                       f"(n = {n_complete}, taraf signifikansi "
                       f"{fmt(sig_level, 2, 'id')}).")
            else:
                en = (f"Item {item} ({lab_en}) is not valid: corrected item-total r = "
                      f"{r_rest:.3f} (critical r = {rc:.3f}, minimum {min_r_rest:.2f}), "
                      f"loading = {load:.3f}; consider dropping it.")
                idn = (f"Butir {item} ({lab_id}) tidak valid: r hitung = {_id_num(r_rest)} "
                       f"(r tabel = {_id_num(rc)}, minimum {_id_num(min_r_rest)}), muatan "
                       f"faktor = {_id_num(load)}; pertimbangkan untuk menghapusnya.")
            item_rows.append({"construct": name, "item": item, "n": n_complete,
                              "r_total": float(it.loc[item, "r_total"]), "r_rest": r_rest,
                              "r_critical": rc, "loading": load,
                              "alpha_if_deleted": float(it.loc[item, "alpha_if_deleted"]),
                              "valid": valid, "reason": "; ".join(reasons),
                              "sentence_en": en, "sentence_id": idn})
        sc = rel.scale
        a = float(sc["raw_alpha"])
        verdict, v_en, v_id = _verdict(a)
        en = (f"{lab_en} ({len(items)} items) is {v_en}: Cronbach's alpha = {a:.3f} "
              f"(95% CI {sc['alpha_ci_low']:.3f}-{sc['alpha_ci_high']:.3f}), omega = "
              f"{sc['omega_total']:.3f}, composite reliability = {sc['rho_c']:.3f}, "
              f"AVE = {sc['ave']:.3f}.")
        idn = (f"{lab_id} ({len(items)} butir) {v_id}: Cronbach's alpha = {_id_num(a)} "
               f"(IK 95% {_id_num(sc['alpha_ci_low'])} sampai {_id_num(sc['alpha_ci_high'])}), "
               f"omega = {_id_num(sc['omega_total'])}, reliabilitas komposit = "
               f"{_id_num(sc['rho_c'])}, AVE = {_id_num(sc['ave'])}.")
        con_rows.append({"construct": name, "n_items": len(items), "alpha": a,
                         "alpha_ci_low": float(sc["alpha_ci_low"]),
                         "alpha_ci_high": float(sc["alpha_ci_high"]),
                         "omega_total": float(sc["omega_total"]), "rho_c": float(sc["rho_c"]),
                         "ave": float(sc["ave"]), "verdict": verdict,
                         "sentence_en": en, "sentence_id": idn})
    return InstrumentReport(items=pd.DataFrame(item_rows), constructs=pd.DataFrame(con_rows),
                            sig_level=sig_level, min_r_rest=min_r_rest,
                            min_loading=min_loading)


