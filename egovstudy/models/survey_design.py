"""Complex survey designs: strata, PSUs, finite population correction and sampling weights,
with design-based (Taylor linearisation) variances as R's ``survey`` package computes them.

A :class:`SurveyDesign` is the single-stage ("ultimate cluster") design of
``svydesign(ids = ~psu, strata = ~stratum, weights = ~w, fpc = ~N, data = ...)``. The variance
of an estimated total of per-row influence values ``z`` is (``survey:::onestrat``)

``sum_h (1 - f_h) n_h / (n_h - 1) sum_i (z_hi - zbar_h)^2``

with ``z_hi`` the PSU totals of stratum ``h``, ``n_h`` its number of PSUs and ``f_h = n_h/N_h``.
A stratum with a single PSU follows ``options(survey.lonely.psu = ...)``: ``"fail"`` (R's default)
raises, ``"remove"`` and ``"certainty"`` give it no variance, ``"adjust"`` centres it at the
grand mean, ``"average"`` scales the other strata's sum by ``H / (H - lonely)``.

We write this ourselves (about 100 lines) because no maintained Python library computes the
design-based variance of regression coefficients with strata, fpc and lonely-PSU rules as R's
``survey`` does; the tests compare every number with R's printed output to 1e-6.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from egovstudy.errors import DataQualityError, InsufficientDataError, ModelSpecError

__all__ = ["SurveyDesign", "SurveyEstimate"]

LonelyPSU = Literal["fail", "remove", "certainty", "adjust", "average"]
_LONELY = ("fail", "remove", "certainty", "adjust", "average")


def _check_column(data: pd.DataFrame, col: str, arg: str) -> None:
    if col not in data.columns:
        close = difflib.get_close_matches(str(col), [str(c) for c in data.columns], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ModelSpecError(
            f"{arg}={col!r} is not a column of the data{hint} "
            f"(columns: {', '.join(map(str, list(data.columns)[:12]))})")


def check_weights(values: pd.Series, name: str) -> np.ndarray:
    """Validate sampling/analytic weights: numeric, complete, finite and positive.

    Examples
    --------
    >>> check_weights(pd.Series([1.0, 2.5], name="w"), "w").tolist()
    [1.0, 2.5]
    """
    w = pd.to_numeric(values, errors="coerce")
    bad = w.isna() | ~np.isfinite(w.to_numpy(dtype=float, na_value=np.nan)) | (w <= 0)
    if bad.any():
        row = bad.index[np.flatnonzero(bad.to_numpy())[0]]
        raw = values.loc[row]
        raise DataQualityError(
            f"weights column {name!r} has {int(bad.sum())} missing, non-numeric, zero or negative "
            f"value(s) (first at row {row!r}: {raw!r}); weights must be positive numbers. Fix: "
            "correct the weights, or drop those respondents before fitting")
    return w.to_numpy(dtype=float)


@dataclass(frozen=True)
class SurveyEstimate:
    """Design-based estimates: a table with estimate, SE, design effect and the design df."""

    statistic: str
    table: pd.DataFrame
    vcov: np.ndarray
    df: int

    def __str__(self) -> str:
        return f"survey {self.statistic} (df = {self.df})\n" + self.table.to_string()

    def tidy(self, conf_level: float = 0.95, *, use_df: bool = False) -> pd.DataFrame:
        """term, estimate, std_error, ci_low, ci_high, deff; normal-theory intervals as R's
        ``confint(svymean(...))``, or t with the design df when ``use_df`` (R:
        ``confint(..., df = degf(design))``).

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "w": [1.0, 1, 1, 1]})
        >>> SurveyDesign(df, weights="w").mean("y").tidy()[["term", "deff"]]
          term  deff
        0    y   NaN
        """
        from scipy import stats

        if not 0 < conf_level < 1:
            raise ModelSpecError(f"conf_level must lie in (0, 1), got {conf_level!r}")
        dist = stats.t(self.df) if use_df else stats.norm
        q = float(dist.ppf(0.5 + conf_level / 2))
        t = self.table
        return pd.DataFrame({"term": list(t.index), "estimate": t["estimate"].to_numpy(),
                             "std_error": t["se"].to_numpy(),
                             "ci_low": (t["estimate"] - q * t["se"]).to_numpy(),
                             "ci_high": (t["estimate"] + q * t["se"]).to_numpy(),
                             "deff": t["deff"].to_numpy()})


@dataclass(frozen=True)
class SurveyDesign:
    """A stratified, clustered, weighted sample (R: ``svydesign(ids=, strata=, weights=, fpc=)``).

    Parameters
    ----------
    data : pandas.DataFrame
        The sample, one row per respondent.
    weights : str
        Column of sampling weights (inverse inclusion probabilities), positive.
    ids : str, optional
        Column of primary sampling units (clusters); each row is its own PSU when omitted.
    strata : str, optional
        Column of strata; PSU ids need only be unique within a stratum.
    fpc : str, optional
        Column with the population number of PSUs in the row's stratum (R's ``fpc=~N``), or the
        sampling fraction when every value is at most 1.
    lonely_psu : {"fail", "remove", "certainty", "adjust", "average"}
        What a stratum with one PSU contributes (R's ``options(survey.lonely.psu=)``).

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6], "w": [10.0, 10, 20, 20, 30, 30],
    ...                    "psu": [1, 1, 2, 2, 3, 3]})
    >>> des = SurveyDesign(df, weights="w", ids="psu")
    >>> des.mean("y").table.round(4)  # R: svymean(~y, svydesign(ids=~psu, weights=~w), deff=TRUE)
       estimate      se    deff
    y    4.1667  1.0184  2.2078
    """

    data: pd.DataFrame
    weights: str
    ids: str | None = None
    strata: str | None = None
    fpc: str | None = None
    lonely_psu: LonelyPSU = "fail"
    calibration: tuple[tuple[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]], ...] = \
        field(default=(), repr=False)
    _w: np.ndarray = field(init=False, repr=False)
    _strata_codes: np.ndarray = field(init=False, repr=False)
    _psu_codes: np.ndarray = field(init=False, repr=False)
    _n_psu: np.ndarray = field(init=False, repr=False)
    _f: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.data, pd.DataFrame):
            raise ModelSpecError("SurveyDesign(data=...) must be a pandas DataFrame")
        if self.lonely_psu not in _LONELY:
            raise ModelSpecError(
                f"lonely_psu={self.lonely_psu!r} is not allowed; use one of {list(_LONELY)}")
        for arg, col in (("weights", self.weights), ("ids", self.ids), ("strata", self.strata),
                         ("fpc", self.fpc)):
            if col is not None:
                _check_column(self.data, col, arg)
                if arg != "weights" and self.data[col].isna().any():
                    row = self.data.index[self.data[col].isna().to_numpy()][0]
                    raise DataQualityError(
                        f"design column {col!r} ({arg}) is missing at row {row!r}; every "
                        "respondent needs a stratum, PSU and fpc value")
        n = len(self.data)
        w = check_weights(self.data[self.weights], self.weights)
        strata = (np.zeros(n, dtype=np.int64) if self.strata is None
                  else pd.factorize(self.data[self.strata], sort=True)[0])
        if self.ids is None:
            psu_key: pd.Series = pd.Series(np.arange(n))
        else:
            psu_key = pd.Series(list(zip(strata, self.data[self.ids].to_numpy())))
        psu = pd.factorize(psu_key)[0]
        n_h = pd.Series(psu).groupby(strata).nunique().reindex(range(strata.max() + 1)).to_numpy()
        f = np.zeros(strata.max() + 1)
        if self.fpc is not None:
            pop = pd.to_numeric(self.data[self.fpc], errors="coerce").to_numpy(dtype=float)
            if np.isnan(pop).any() or (pop <= 0).any():
                raise DataQualityError(
                    f"fpc column {self.fpc!r} must hold positive numbers (population PSUs per "
                    "stratum, or sampling fractions <= 1)")
            per = pd.Series(pop).groupby(strata).agg(["min", "max"])
            if (per["min"] != per["max"]).any():
                bad = int(per.index[(per["min"] != per["max"]).to_numpy()][0])
                raise DataQualityError(
                    f"fpc column {self.fpc!r} varies within a stratum (stratum code {bad}); "
                    "it must be constant per stratum")
            popv = per["max"].to_numpy()
            if (pop <= 1).all():
                f = popv
            else:
                if (popv < n_h).any():
                    raise DataQualityError(
                        f"fpc column {self.fpc!r} is smaller than the number of sampled PSUs in "
                        "a stratum; give the population number of PSUs in the stratum")
                f = n_h / popv
        object.__setattr__(self, "_w", w)
        object.__setattr__(self, "_strata_codes", strata)
        object.__setattr__(self, "_psu_codes", psu)
        object.__setattr__(self, "_n_psu", n_h)
        object.__setattr__(self, "_f", f)

    # -- core --------------------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of respondents."""
        return len(self.data)

    @property
    def sampling_weights(self) -> np.ndarray:
        """The validated weights as a float array (a copy)."""
        return self._w.copy()

    @property
    def degf(self) -> int:
        """Design degrees of freedom: PSUs minus strata (R's ``degf``)."""
        return int(self._n_psu.sum() - len(self._n_psu))

    def weights_at(self, index: pd.Index) -> np.ndarray:
        """The design's (possibly calibrated) weights of the rows with these index labels."""
        pos = self.data.index.get_indexer(index)
        if (pos < 0).any():
            raise ModelSpecError("rows of the model are not rows of the design's data; pass "
                                 "the design's own data frame (design.data)")
        return self._w[pos]

    def degf_of(self, rows: np.ndarray) -> int:
        """Design df of the rows used by a model (positions): their PSUs minus their strata.

        R's ``degf`` after ``design[-na.action, ]``: dropped rows keep their PSU's place in the
        variance but PSUs left without a used row do not count.
        """
        rows = np.asarray(rows, dtype=np.int64)
        return int(len(np.unique(self._psu_codes[rows]))
                   - len(np.unique(self._strata_codes[rows])))

    def describe(self) -> str:
        """One line naming the design (for result notes).

        Examples
        --------
        >>> df = pd.DataFrame({"w": [1.0, 2, 3, 4], "s": [1, 1, 2, 2]})
        >>> SurveyDesign(df, weights="w", strata="s").describe()
        "weights 'w', strata 's' (2), 4 PSUs (rows), no fpc, lonely PSU: fail"
        """
        psu = f"{int(self._n_psu.sum())} PSUs ({self.ids!r})" if self.ids else \
            f"{int(self._n_psu.sum())} PSUs (rows)"
        strata = f"strata {self.strata!r} ({len(self._n_psu)})" if self.strata else "no strata"
        fpc = f"fpc {self.fpc!r}" if self.fpc else "no fpc"
        return (f"weights {self.weights!r}, {strata}, {psu}, {fpc}, "
                f"lonely PSU: {self.lonely_psu}")

    def total_variance(self, z: np.ndarray) -> np.ndarray:
        """Design-based covariance of the estimated totals ``sum_i z_i`` (rows aligned with data).

        ``z`` already includes the weights (R's ``svyrecvar(x * w, ...)``).
        """
        z = np.asarray(z, dtype=float)
        if z.ndim == 1:
            z = z[:, None]
        if z.shape[0] != self.n:
            raise ModelSpecError(f"z has {z.shape[0]} rows but the design has {self.n}")
        z = self._calibrate_scores(z)
        p = z.shape[1]
        n_psu_total = int(self._psu_codes.max()) + 1
        tot = np.zeros((n_psu_total, p))
        np.add.at(tot, self._psu_codes, z)
        psu_stratum = np.zeros(n_psu_total, dtype=np.int64)
        psu_stratum[self._psu_codes] = self._strata_codes
        V = np.zeros((p, p))
        n_strata = len(self._n_psu)
        n_ok = n_strata
        for h in range(n_strata):
            zh = tot[psu_stratum == h]
            nh = zh.shape[0]
            fh = 1.0 - self._f[h]
            if nh > 1:
                d = zh - zh.mean(axis=0)
                V += fh * nh / (nh - 1) * (d.T @ d)
                continue
            if self.lonely_psu == "fail":
                label = (self.data[self.strata].to_numpy()[self._strata_codes == h][0]
                         if self.strata is not None else "all")
                raise InsufficientDataError(
                    f"stratum {label} of {self.strata!r} has only one PSU, so its variance is "
                    "not estimable; pass lonely_psu='adjust', 'remove', 'certainty' or 'average' "
                    "(R: options(survey.lonely.psu=...)) or merge it with a similar stratum")
            if self.lonely_psu == "adjust" and fh > 1e-7:
                V += fh * (zh.T @ zh)
            elif self.lonely_psu == "average":
                n_ok -= 1
        if n_ok < n_strata:
            if n_ok == 0:
                raise InsufficientDataError("every stratum has a single PSU; no variance")
            V = V * n_strata / n_ok
        return V

    def _calibrate_scores(self, z: np.ndarray) -> np.ndarray:
        # survey:::svyrecvar: residuals of the influence values on the post-strata (one pass)
        # or on the raking margins (10 backfitting sweeps), as R does before the stratum sums.
        for kind, margins in self.calibration:
            if kind == "post":
                codes, new_w, old_w = margins[0]
                g = int(codes.max()) + 1
                num = np.zeros((g, z.shape[1]))
                np.add.at(num, codes, z * (old_w / new_w)[:, None])
                den = np.bincount(codes, weights=old_w, minlength=g)
                z = z - (num / den[:, None])[codes] * new_w[:, None]
            else:
                for _ in range(10):
                    for codes, psw, _old in margins:
                        g = int(codes.max()) + 1
                        ratio = z / psw[:, None]
                        sums = np.zeros((g, z.shape[1]))
                        np.add.at(sums, codes, ratio)
                        cnt = np.bincount(codes, minlength=g)
                        z = z - psw[:, None] * (sums / cnt[:, None])[codes]
        return z

    # -- calibration -------------------------------------------------------------------------
    def _cells(self, by: Sequence[str] | str, population: object, arg: str
               ) -> tuple[np.ndarray, np.ndarray]:
        """Cell code of every row and the population count of every cell."""
        cols = [by] if isinstance(by, str) else list(by)
        for c in cols:
            _check_column(self.data, c, arg)
            if self.data[c].isna().any():
                raise DataQualityError(f"calibration column {c!r} has missing values; every "
                                       "respondent needs a cell")
        if isinstance(population, dict):
            pop = pd.Series(population, dtype=float)
        elif isinstance(population, pd.Series):
            pop = population.astype(float)
        else:
            raise ModelSpecError(
                f"population for {cols} must be a dict or pandas Series of population counts "
                "by cell, e.g. {'A': 1200, 'B': 800}")
        keys = (self.data[cols[0]].tolist() if len(cols) == 1
                else list(zip(*(self.data[c].tolist() for c in cols))))
        cells = list(pop.index)
        lookup = {k: i for i, k in enumerate(cells)}
        missing = sorted({str(k) for k in keys if k not in lookup})
        if missing:
            raise ModelSpecError(
                f"cell(s) {missing[:5]} of {cols} are in the sample but not in the population "
                f"counts (population cells: {[str(c) for c in cells[:8]]}); add them")
        codes = np.array([lookup[k] for k in keys], dtype=np.int64)
        empty = [str(cells[i]) for i in range(len(cells)) if not (codes == i).any()]
        if empty:
            raise InsufficientDataError(
                f"population cell(s) {empty[:5]} of {cols} have no respondents, so their "
                "weights cannot be adjusted; merge them with a neighbouring cell")
        if (pop <= 0).any() or pop.isna().any():
            raise ModelSpecError(f"population counts for {cols} must be positive numbers")
        return codes, pop.to_numpy(dtype=float)

    def _with_weights(self, w: np.ndarray, entry: tuple[str, list[tuple[np.ndarray, np.ndarray,
                                                                          np.ndarray]]]
                      ) -> SurveyDesign:
        data = self.data.copy()
        data[self.weights] = w
        return SurveyDesign(data, weights=self.weights, ids=self.ids, strata=self.strata,
                            fpc=self.fpc, lonely_psu=self.lonely_psu,
                            calibration=(*self.calibration, entry))

    def post_stratify(self, by: Sequence[str] | str, population: object) -> SurveyDesign:
        """Post-stratify the weights to known population counts (R's ``postStratify``).

        Parameters
        ----------
        by : str or list of str
            Column(s) defining the cells (e.g. agency, or agency and rank).
        population : dict or pandas.Series
            Population count of every cell (a tuple key per cell with several columns).

        Returns
        -------
        SurveyDesign
            A new design whose weights sum to the population count in each cell; its
            variances account for the post-stratification as R's do.

        Examples
        --------
        >>> df = pd.DataFrame({"w": [1.0, 1, 1, 1], "g": ["a", "a", "b", "b"]})
        >>> ps = SurveyDesign(df, weights="w").post_stratify("g", {"a": 10, "b": 30})
        >>> ps.sampling_weights.tolist()
        [5.0, 5.0, 15.0, 15.0]
        """
        codes, pop = self._cells(by, population, "by")
        old = self._w
        sample = np.bincount(codes, weights=old, minlength=len(pop))
        new = old * (pop / sample)[codes]
        return self._with_weights(new, ("post", [(codes, new, old)]))

    def rake(self, margins: dict[str, object], *, max_iter: int = 10,
             epsilon: float = 1.0) -> SurveyDesign:
        """Rake the weights to several population margins (R's ``rake``).

        Iterative proportional fitting over the margins in the given order, stopping as R does
        when no cell of the joint weighted table moves by more than ``epsilon`` (an absolute
        count; a value below 1 is a fraction of the total weight) or after ``max_iter`` sweeps.

        Parameters
        ----------
        margins : dict
            Column name -> population counts by level (dict or Series), e.g.
            ``{"agency": {...}, "rank": {...}}``.

        Examples
        --------
        >>> df = pd.DataFrame({"w": [1.0] * 4, "g": ["a", "a", "b", "b"],
        ...                    "h": ["x", "y", "x", "y"]})
        >>> margins = {"g": {"a": 10, "b": 30}, "h": {"x": 20, "y": 20}}
        >>> rk = SurveyDesign(df, weights="w").rake(margins)
        >>> rk.sampling_weights.round(3).tolist()
        [5.0, 5.0, 15.0, 15.0]
        """
        import warnings

        from egovstudy.errors import StatisticalWarning

        if not isinstance(margins, dict) or not margins:
            raise ModelSpecError("rake(margins=...) needs a dict {column: population counts}")
        cells = [self._cells(col, pop, "margins") for col, pop in margins.items()]
        joint = pd.factorize(pd.Series(list(zip(*(self.data[c].tolist() for c in margins)))))[0]
        w = self._w.copy()
        total = w.sum()
        eps = epsilon * total if epsilon < 1 else epsilon
        old_table = np.bincount(joint, weights=w)
        converged = False
        steps: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for _ in range(max_iter):
            steps = []
            for codes, pop in cells:
                before = w
                w = w * (pop / np.bincount(codes, weights=w, minlength=len(pop)))[codes]
                steps.append((codes, w, before))
            new_table = np.bincount(joint, weights=w)
            if np.max(np.abs(old_table - new_table)) < eps:
                converged = True
                break
            old_table = new_table
        if not converged:
            warnings.warn(f"raking did not converge after {max_iter} iterations (epsilon "
                          f"{epsilon}); raise max_iter or check the margins agree on the total",
                          StatisticalWarning, stacklevel=2)
        return self._with_weights(w, ("rake", steps))

    def _matrix(self, columns: Sequence[str] | str) -> tuple[np.ndarray, list[str]]:
        cols = [columns] if isinstance(columns, str) else list(columns)
        blocks: list[np.ndarray] = []
        names: list[str] = []
        for c in cols:
            _check_column(self.data, c, "variable")
            s = self.data[c]
            if s.isna().any():
                row = self.data.index[s.isna().to_numpy()][0]
                raise DataQualityError(
                    f"column {c!r} is missing at row {row!r}; survey estimates here need "
                    "complete values (drop or impute first)")
            if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
                blocks.append(s.to_numpy(dtype=float)[:, None])
                names.append(str(c))
            else:
                levels = sorted(pd.unique(s), key=str)
                blocks.append(np.column_stack([(s == lv).to_numpy(dtype=float)
                                               for lv in levels]))
                names += [f"{c}{lv}" for lv in levels]
        return np.hstack(blocks), names

    def _finish(self, stat: str, est: np.ndarray, V: np.ndarray, vsrs: np.ndarray,
                names: list[str]) -> SurveyEstimate:
        se = np.sqrt(np.diag(V))
        # DEFF is undefined (NaN, R: NA or Inf) when the weights sum to no more than n: then
        # they are not population-scaled and the SRS-without-replacement variance is 0
        with np.errstate(divide="ignore", invalid="ignore"):
            deff = np.where(vsrs > 0, np.diag(V) / np.where(vsrs > 0, vsrs, 1.0), np.nan)
        table = pd.DataFrame({"estimate": est, "se": se, "deff": deff},
                             index=names)
        return SurveyEstimate(stat, table, V, self.degf)

    def _srs_var(self, x: np.ndarray, mean: np.ndarray) -> np.ndarray:
        # R's svyvar: weighted variance with n/(n-1); the SRS variance of the mean then
        # multiplies by (N - n) / (N n) with N the sum of weights (survey:::svymean, deff=TRUE).
        w = self._w
        n = self.n
        d = x - mean
        return (w[:, None] * d ** 2).sum(axis=0) / w.sum() * n / (n - 1)

    def mean(self, columns: Sequence[str] | str) -> SurveyEstimate:
        """Weighted means (proportions for categorical columns) with design SEs and DEFF.

        Matches ``svymean(~y, design, deff = TRUE)``.
        """
        x, names = self._matrix(columns)
        w = self._w
        total_w = w.sum()
        est = (x * w[:, None]).sum(axis=0) / total_w
        V = self.total_variance((x - est) * (w / total_w)[:, None])
        vsrs = self._srs_var(x, est) * (total_w - self.n) / (total_w * self.n)
        return self._finish("mean", est, V, vsrs, names)

    def total(self, columns: Sequence[str] | str) -> SurveyEstimate:
        """Weighted totals with design SEs and DEFF (``svytotal(~y, design, deff = TRUE)``)."""
        x, names = self._matrix(columns)
        w = self._w
        total_w = w.sum()
        est = (x * w[:, None]).sum(axis=0)
        V = self.total_variance(x * w[:, None])
        mean = est / total_w
        vsrs = self._srs_var(x, mean) * total_w ** 2 * (total_w - self.n) / (total_w * self.n)
        return self._finish("total", est, V, vsrs, names)
