"""Measurement invariance across groups: configural, metric, scalar and strict models.

Each level adds equality constraints across groups to the one before (lavaan's
``group.equal``; semTools' ``measEq.syntax`` writes the same models):

* configural: the same pattern of loadings in every group, all parameters free
  (intercepts free, latent means fixed at 0);
* metric: + loadings equal;
* scalar: + intercepts equal, the latent means free in every group but the first;
* strict: + residual variances of the items equal.

The nested models are compared with the likelihood-ratio test (``lavTestLRT``: the
difference of the ML chi-squares, its df, p and the RMSEA of the difference) and by the
change of CFI and RMSEA. A level is retained when ΔCFI > -0.010 (Cheung & Rensvold
2002) and ΔRMSEA < 0.015 (Chen 2007); the chi-square difference test is reported but
not used for the verdict because it rejects trivial differences in large samples.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from egovstudy.errors import ModelSpecError
from egovstudy.measurement._common import html_table

__all__ = ["LEVELS", "InvarianceResult", "invariance"]

#: The invariance levels and the ``group.equal`` constraints of each.
LEVELS: dict[str, tuple[str, ...]] = {
    "configural": (),
    "metric": ("loadings",),
    "scalar": ("loadings", "intercepts"),
    "strict": ("loadings", "intercepts", "residuals"),
}

#: Cut-offs of the verdict: ΔCFI (Cheung & Rensvold 2002) and ΔRMSEA (Chen 2007).
DELTA_CFI = -0.010
DELTA_RMSEA = 0.015


@dataclass(frozen=True)
class InvarianceResult:
    """Fit of each invariance level and the comparison with the level before."""

    table: pd.DataFrame
    group: str
    groups: tuple[str, ...]
    n: tuple[int, ...]

    @property
    def highest_level(self) -> str:
        """The strictest level retained in sequence (``"configural"`` if metric fails)."""
        level = "configural"
        for _, row in self.table.iloc[1:].iterrows():
            if not row["supported"]:
                break
            level = str(row["level"])
        return level

    def tidy(self, language: str | None = None) -> pd.DataFrame:
        """The comparison table (one row per level).

        With ``language`` (``"en"`` or ``"id"``) the level names and the verdict are the
        catalogue's words, ready for a report table.
        """
        out = self.table.copy()
        if language is None:
            return out
        from egovstudy.report.language import text

        out["level"] = [text(f"inv_{lv}", language) for lv in out["level"]]
        out["supported"] = [text("inv_supported" if ok else "inv_not_supported", language)
                            for ok in out["supported"]]
        return out

    def summary(self) -> str:
        """Text table with the decision rule stated."""
        cols = ["level", "chisq", "df", "cfi", "rmsea", "delta_chisq", "delta_df", "p_delta",
                "delta_cfi", "delta_rmsea", "supported"]
        groups = ", ".join(f"{g} (n = {n})" for g, n in zip(self.groups, self.n, strict=True))
        return "\n".join([
            f"Measurement invariance across {self.group!r}: {groups}",
            self.table[cols].round(4).to_string(index=False),
            f"Retained when delta CFI > {DELTA_CFI} (Cheung & Rensvold 2002) and delta RMSEA "
            f"< {DELTA_RMSEA} (Chen 2007); highest level: {self.highest_level}"])

    def sentence(self, language: str = "en") -> str:
        """One sentence with the verdict, from the message catalogues."""
        from egovstudy.report.language import text

        level = self.highest_level
        if level == "configural":
            return text("inv_sentence_none", language, group=self.group)
        return text("inv_sentence", language, group=self.group,
                    level=text(f"inv_{level}", language).split(" (")[0].lower())

    def _repr_html_(self) -> str:
        return html_table(f"Measurement invariance across {self.group}", self.table,
                          note=f"Retained when ΔCFI > {DELTA_CFI} and ΔRMSEA < {DELTA_RMSEA}")


def invariance(model: str, data: pd.DataFrame, group: str, *,
               levels: Sequence[str] = ("configural", "metric", "scalar", "strict")
               ) -> InvarianceResult:
    """Test measurement invariance of a CFA (lavaan syntax) across the groups of a column.

    Matches R ``lavaan::cfa(model, data, group = group, group.equal = ...)`` for each level
    and ``lavaan::lavTestLRT`` for the differences (lavaan 0.6.14).

    Parameters
    ----------
    model : str
        The measurement model in lavaan syntax, e.g. ``"f =~ a + b + c"``.
    data : pandas.DataFrame
        Items and the group column; rows with a missing item or group are dropped.
    group : str
        Column with the groups (e.g. gender).
    levels : sequence of str
        Levels to fit, in order (a prefix of configural, metric, scalar, strict).

    Returns
    -------
    InvarianceResult
        ``table``: level, npar, chisq, df, pvalue, cfi, tli, rmsea, srmr, aic, bic,
        delta_chisq, delta_df, p_delta, rmsea_delta (lavTestLRT's RMSEA of the
        difference), delta_cfi, delta_rmsea and supported.

    Notes
    -----
    Checked against the lavaan tutorial's "Multiple groups" page (HolzingerSwineford1939
    by school): chi-square 115.851 (48 df), 124.044 (54), 164.103 (60); lavTestLRT
    Δχ² = 8.192 (p = 0.224) and 40.059 (p < .001).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> f = rng.normal(size=(400, 1))
    >>> df = pd.DataFrame(f + rng.normal(size=(400, 4)), columns=list("abcd"))
    >>> df["g"] = np.repeat(["m", "f"], 200)
    >>> res = invariance("F =~ a + b + c + d", df, "g")
    >>> list(res.table["df"].astype(int))
    [4, 7, 10, 14]
    """
    from scipy.stats import chi2

    from egovstudy._blas import single_thread_blas
    from egovstudy.measurement.sem import prepare
    from egovstudy.measurement.sem_fit import fit_ml

    levels = [levels] if isinstance(levels, str) else list(levels)
    names = list(LEVELS)
    if not levels or levels != names[:len(levels)]:
        import difflib

        bad = next((lv for lv in levels if lv not in names), None)
        near = difflib.get_close_matches(str(bad), names, n=1) if bad else []
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise ModelSpecError(f"levels={levels!r} must be a prefix of {names} in that order"
                             f"{hint}")
    if not isinstance(model, str) or "=~" not in model:
        raise ModelSpecError("invariance needs a measurement model with '=~' lines, e.g. "
                             "'trust =~ t1 + t2 + t3'")
    spec, groups = prepare(model, data, group)
    rows = []
    prev: dict[str, Any] | None = None
    with single_thread_blas():
        for level in levels:
            res = fit_ml(spec, groups, meanstructure=True, group_equal=LEVELS[level])
            f = res.fit
            row: dict[str, Any] = {"level": level, **{k: float(f[k]) for k in (
                "npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic",
                "bic")}}
            if prev is None:
                row.update(delta_chisq=np.nan, delta_df=np.nan, p_delta=np.nan,
                           rmsea_delta=np.nan, delta_cfi=np.nan, delta_rmsea=np.nan,
                           supported=True)
            else:
                dchi = row["chisq"] - prev["chisq"]
                ddf = row["df"] - prev["df"]
                ntot = sum(g.n for g in groups)
                row.update(
                    delta_chisq=dchi, delta_df=ddf,
                    p_delta=float(chi2.sf(max(dchi, 0.0), ddf)),
                    rmsea_delta=float(np.sqrt(max(dchi - ddf, 0) / (ddf * ntot))
                                      * np.sqrt(len(groups))),
                    delta_cfi=row["cfi"] - prev["cfi"],
                    delta_rmsea=row["rmsea"] - prev["rmsea"])
                row["supported"] = bool(row["delta_cfi"] > DELTA_CFI
                                        and row["delta_rmsea"] < DELTA_RMSEA)
            rows.append(row)
            prev = row
    return InvarianceResult(table=pd.DataFrame(rows), group=group,
                            groups=tuple(g.name for g in groups),
                            n=tuple(g.n for g in groups))
