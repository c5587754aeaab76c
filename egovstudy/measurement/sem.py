"""Full structural equation models (latent paths) with lavaan's ML conventions.

:func:`sem` reads lavaan syntax (``=~``, ``~``, ``~~``, ``~ 1``, labels and ``:=``
defined parameters such as ``ab := a*b``), fits it by maximum likelihood
(:mod:`egovstudy.measurement.sem_fit`) and reports what ``lavaan::sem()`` reports: every
estimate with its standard error (expected information), the standardized solution
(``std.all``), R² of the endogenous variables, the fit measures, and defined (indirect)
effects with delta-method standard errors and, on request, bootstrap percentile
intervals from the project's resampling engine (:mod:`egovstudy.bootstrap`).
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from egovstudy.errors import InsufficientDataError, ModelSpecError
from egovstudy.measurement._common import html_table
from egovstudy.measurement.sem_fit import (
    EQUAL_OPTIONS,
    FitResult,
    GroupData,
    _scoring,
    fit_ml,
    group_moments,
)
from egovstudy.measurement.sem_syntax import Defined, ModelSpec, parse_model

__all__ = ["SEMResult", "sem"]


@dataclass(frozen=True)
class SEMResult:
    """Estimates, standardized solution, R² and fit measures of a structural model."""

    fit: pd.Series
    estimates: pd.DataFrame
    r_squared: pd.DataFrame
    n: int
    groups: tuple[str, ...]
    bootstrap_info: str = ""

    @property
    def paths(self) -> pd.DataFrame:
        """Structural paths (op ``~``)."""
        return self.estimates[self.estimates["op"] == "~"].reset_index(drop=True)

    @property
    def defined(self) -> pd.DataFrame:
        """Defined parameters (op ``:=``), e.g. indirect effects."""
        return self.estimates[self.estimates["op"] == ":="].reset_index(drop=True)

    def tidy(self) -> pd.DataFrame:
        """Every parameter with broom column names (``term`` = ``lhs op rhs``)."""
        out = self.estimates.copy()
        out.insert(0, "term", out["lhs"] + " " + out["op"] + " " + out["rhs"])
        return out

    def summary(self) -> str:
        """Text summary: fit measures, paths, defined effects and R²."""
        f = self.fit
        cols = ["lhs", "op", "rhs", *(["group"] if len(self.groups) > 1 else []),
                "estimate", "std_error", "p_value", "std_estimate"]
        lines = [f"SEM (ML, lavaan conventions), n = {self.n}, groups = {len(self.groups)}",
                 f"  chi2({int(f['df'])}) = {f['chisq']:.3f}, p = {f['pvalue']:.3f}",
                 f"  CFI = {f['cfi']:.3f}, TLI = {f['tli']:.3f}, RMSEA = {f['rmsea']:.3f} "
                 f"[90% CI {f['rmsea_ci_lower']:.3f}, {f['rmsea_ci_upper']:.3f}], "
                 f"SRMR = {f['srmr']:.3f}",
                 "Paths:", self.paths[cols].round(3).to_string(index=False)]
        if len(self.defined):
            dcols = cols + [c for c in ("boot_ci_low", "boot_ci_high") if c in self.estimates]
            lines += ["Defined effects:", self.defined[dcols].round(3).to_string(index=False)]
        if self.bootstrap_info:
            lines.append(self.bootstrap_info)
        lines += ["R-squared:", self.r_squared.round(3).to_string(index=False)]
        return "\n".join(lines)

    def sentence(self, language: str = "en") -> str:
        """One sentence on the global fit, from the message catalogues."""
        from egovstudy.report.language import text

        f = self.fit
        return text("sem_fit_sentence", language, chisq=f"{f['chisq']:.2f}",
                    df=int(f["df"]), p=f"{f['pvalue']:.3f}", cfi=f"{f['cfi']:.3f}",
                    rmsea=f"{f['rmsea']:.3f}", srmr=f"{f['srmr']:.3f}")

    def _repr_html_(self) -> str:
        return (html_table("SEM fit", self.fit.to_frame("value"))
                + html_table("Estimates", self.estimates)
                + html_table("R-squared", self.r_squared))


def _std_values(res: FitResult) -> list[float]:
    """lavaan's std.all of every entry (same order as ``res.entries``)."""
    pos = {v: i for i, v in enumerate(res.nodes)}
    out = []
    for e in res.entries:
        v = res.implied[e.group][2]
        est = res.theta[e.index] if e.index >= 0 else e.value
        if e.op == "=~":
            i, j = pos[e.lhs], pos[e.rhs]
            out.append(est * np.sqrt(v[i, i] / v[j, j]))
        elif e.op == "~":
            i, j = pos[e.lhs], pos[e.rhs]
            out.append(est * np.sqrt(v[j, j] / v[i, i]))
        elif e.op == "~~" and e.lhs == e.rhs:
            i = pos[e.lhs]
            out.append(est / v[i, i] if v[i, i] > 0 else np.nan)
        elif e.op == "~~":   # lavaan: a (residual) covariance over the (residual) SDs
            s = res.implied[e.group][3]
            i, j = pos[e.lhs], pos[e.rhs]
            out.append(est / np.sqrt(s[i, i] * s[j, j]) if s[i, i] > 0 and s[j, j] > 0
                       else np.nan)
        else:
            i = pos[e.lhs]
            out.append(est / np.sqrt(v[i, i]))
    return [float(x) for x in out]


def _eval(node: ast.AST, values: Mapping[str, float]) -> float:
    """Evaluate a checked defined-parameter expression (no Python eval)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.UnaryOp):
        x = _eval(node.operand, values)
        return -x if isinstance(node.op, ast.USub) else x
    if isinstance(node, ast.BinOp):
        a, b = _eval(node.left, values), _eval(node.right, values)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if isinstance(node.op, ast.Div):
            return a / b if b != 0 else float("nan")
        return float(a ** b)
    raise ModelSpecError("unsupported expression in a defined parameter")  # pragma: no cover


def _indirect_defined(indirect: Mapping[str, Sequence[str]], spec: ModelSpec) -> list[Defined]:
    """Turn ``{"name": [x, m, ..., y]}`` chains into labelled products of paths."""
    if not isinstance(indirect, Mapping):
        raise ModelSpecError("indirect must be a dict {name: [x, mediator, ..., y]}, e.g. "
                             "{'ind': ['ind60', 'dem60', 'dem65']}")
    out = []
    for name, chain in indirect.items():
        if isinstance(chain, str) or len(chain) < 3:
            raise ModelSpecError(f"indirect effect {name!r}: give the chain as a list of at "
                                 f"least three variables [x, mediator, y], got {chain!r}")
        factors = []
        for a, b in itertools.pairwise(chain):
            row = next((r for r in spec.rows if r.op == "~" and r.lhs == b and r.rhs == a),
                       None)
            if row is None:
                raise ModelSpecError(f"indirect effect {name!r}: the model has no path "
                                     f"'{b} ~ {a}'; add it or fix the chain {list(chain)}")
            if not row.label:
                row.label = f".p_{a}_{b}".replace(".", "_")
            factors.append(row.label)
        expr = "*".join(factors)
        out.append(Defined(str(name), expr, ast.parse(expr, mode="eval").body))
    return out


def _defined_function(res: FitResult, defined: list[Defined]
                      ) -> Callable[[np.ndarray, list[float] | None], np.ndarray]:
    label_idx: dict[str, int] = {}
    label_pos: dict[str, int] = {}
    label_fixed: dict[str, float] = {}
    for k, e in enumerate(res.entries):
        if e.label and e.label not in label_pos:
            label_pos[e.label] = k
            if e.index >= 0:
                label_idx[e.label] = e.index
            else:
                label_fixed[e.label] = e.value

    def f(theta: np.ndarray, std: list[float] | None = None) -> np.ndarray:
        if std is None:
            values = {lb: float(theta[i]) for lb, i in label_idx.items()}
            values.update(label_fixed)
        else:
            values = {lb: std[k] for lb, k in label_pos.items()}
        out = []
        for d in defined:
            val = _eval(d.tree, values)
            values[d.name] = val
            out.append(val)
        return np.array(out, dtype=float)

    return f


def estimates_table(res: FitResult, defined: list[Defined] | None = None) -> pd.DataFrame:
    """lavaan's ``parameterEstimates(fit, standardized = TRUE)`` with broom names."""
    from scipy.stats import norm

    se_all = np.sqrt(np.clip(np.diag(res.vcov), 0, None))
    std = _std_values(res)
    multi = len(res.groups) > 1
    rows = []
    for e, s in zip(res.entries, std, strict=True):
        free = e.index >= 0
        rows.append({"lhs": e.lhs, "op": e.op, "rhs": e.rhs,
                     "group": res.groups[e.group].name if multi else "",
                     "label": e.label if not e.label.startswith("_p_") else "",
                     "estimate": float(res.theta[e.index]) if free else e.value,
                     "std_error": float(se_all[e.index]) if free else np.nan,
                     "std_estimate": s})
    out = pd.DataFrame(rows)
    if defined:
        fun = _defined_function(res, defined)
        est = fun(res.theta, None)
        jac = np.zeros((len(defined), len(res.theta)))
        for k in range(len(res.theta)):   # central differences: exact for products of paths
            h = 1e-6 * max(1.0, abs(res.theta[k]))
            tp, tm = res.theta.copy(), res.theta.copy()
            tp[k] += h
            tm[k] -= h
            jac[:, k] = (fun(tp, None) - fun(tm, None)) / (2 * h)
        se = np.sqrt(np.clip(np.einsum("ik,kl,il->i", jac, res.vcov, jac), 0, None))
        dstd = fun(res.theta, std)
        out = pd.concat([out, pd.DataFrame({
            "lhs": [d.name for d in defined], "op": ":=", "rhs": [d.expr for d in defined],
            "group": "", "label": [d.name for d in defined], "estimate": est,
            "std_error": se, "std_estimate": dstd})], ignore_index=True)
    out["statistic"] = out["estimate"] / out["std_error"]
    out["p_value"] = 2 * norm.sf(np.abs(out["statistic"]))
    z = norm.ppf(0.975)
    out["ci_low"] = out["estimate"] - z * out["std_error"]
    out["ci_high"] = out["estimate"] + z * out["std_error"]
    cols = ["lhs", "op", "rhs", "group", "label", "estimate", "std_error", "statistic",
            "p_value", "ci_low", "ci_high", "std_estimate"]
    return out[cols]


def r_squared_table(res: FitResult) -> pd.DataFrame:
    """R² of every variable with an incoming path (lavaan ``inspect(fit, "r2")``)."""
    pos = {v: i for i, v in enumerate(res.nodes)}
    endo = []
    for e in res.entries:
        dep = e.rhs if e.op == "=~" else e.lhs if e.op == "~" else None
        if dep is not None and dep not in endo:
            endo.append(dep)
    rows = []
    for g, gd in enumerate(res.groups):
        v = res.implied[g][2]
        for var in [x for x in res.nodes if x in endo]:
            resid = next((res.theta[e.index] if e.index >= 0 else e.value
                          for e in res.entries if e.group == g and e.op == "~~"
                          and e.lhs == e.rhs == var), 0.0)
            rows.append({"variable": var, "group": gd.name if len(res.groups) > 1 else "",
                         "r_squared": 1 - resid / v[pos[var], pos[var]]})
    return pd.DataFrame(rows, columns=["variable", "group", "r_squared"])


def _check_group_equal(group_equal: Sequence[str] | str) -> tuple[str, ...]:
    import difflib

    items = (group_equal,) if isinstance(group_equal, str) else tuple(group_equal)
    for g in items:
        if g not in EQUAL_OPTIONS:
            near = difflib.get_close_matches(str(g), EQUAL_OPTIONS, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise ModelSpecError(f"group_equal entry {g!r} is not one of "
                                 f"{list(EQUAL_OPTIONS)}{hint}")
    return items


def prepare(model: str, data: pd.DataFrame, group: str | None
            ) -> tuple[ModelSpec, list[GroupData]]:
    """Parse the model and compute each group's sample moments, checking the input."""
    import difflib

    from egovstudy.measurement._common import item_frame

    if not isinstance(data, pd.DataFrame):
        raise ModelSpecError(f"data is a {type(data).__name__}; pass a pandas DataFrame")
    cols = [str(c) for c in data.columns]
    if group is not None and group not in cols:
        near = difflib.get_close_matches(str(group), cols, n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise ModelSpecError(f"group column {group!r} is not a column of data{hint}")
    spec = parse_model(model, cols)
    frame = item_frame(data, spec.observed, min_items=1, what="SEM")
    if group is not None:
        frame[group] = data[group]
    return spec, group_moments(frame, spec.observed, group)


def sem(model: str, data: pd.DataFrame, *, group: str | None = None,
        group_equal: Sequence[str] | str = (), meanstructure: bool | None = None,
        indirect: Mapping[str, Sequence[str]] | None = None, n_boot: int = 0,
        seed: int | None = None, level: float = 0.95, n_jobs: int | None = None) -> SEMResult:
    """Fit a structural equation model (lavaan syntax) by maximum likelihood.

    Matches R ``lavaan::sem(model, data)`` (lavaan 0.6.14): estimates, standard errors,
    ``std.all``, R² and ``fitMeasures``; with ``group=`` a multi-group model as
    ``lavaan::sem(model, data, group = group, group.equal = group_equal)``.

    Parameters
    ----------
    model : str
        lavaan syntax: ``f =~ a + b + c`` (latent), ``y ~ a*x`` (labelled path),
        ``a ~~ b`` (covariance), ``ab := a*b`` (defined parameter).
    data : pandas.DataFrame
        Observed variables (listwise deletion, lavaan's default).
    group : str, optional
        Column whose values define the groups of a multi-group model.
    group_equal : sequence of str
        Parameters held equal across groups: ``"loadings"``, ``"intercepts"``,
        ``"residuals"``, ``"residual.covariances"``, ``"lv.variances"``,
        ``"lv.covariances"``, ``"regressions"``, ``"means"``.
    meanstructure : bool, optional
        Model the means; default: only with groups or ``~ 1`` lines (lavaan's default).
    indirect : dict, optional
        Indirect effects as chains ``{"name": ["x", "m", "y"]}``: the product of the
        paths ``m ~ x`` and ``y ~ m`` (an alternative to ``name := a*b`` in the model).
    n_boot : int
        Bootstrap resamples for percentile intervals of the defined effects (0: none;
        5,000 recommended). Single-group models only.
    seed : int, optional
        Seed of the bootstrap (required when ``n_boot > 0``): same seed, same numbers.
    level : float
        Level of the bootstrap intervals.
    n_jobs : int, optional
        Workers of the bootstrap (see :func:`egovstudy.bootstrap.bootstrap`).

    Returns
    -------
    SEMResult
        ``fit`` (as :func:`~egovstudy.measurement.cfa`), ``estimates`` (lhs, op, rhs,
        group, label, estimate, std_error, statistic, p_value, ci_low, ci_high,
        std_estimate = lavaan's ``std.all``; defined effects with op ``":="`` and, with
        ``n_boot``, ``boot_ci_low``/``boot_ci_high``) and ``r_squared``.

    Notes
    -----
    Checked against the lavaan tutorial's PoliticalDemocracy model (Bollen 1989):
    chi2 = 38.125, df = 35, p = 0.329; every estimate, SE and ``std.all`` to 1e-6.
    The bootstrap resamples cases and refits the model from the full-sample estimates.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=400); m = 0.5 * x + rng.normal(size=400)
    >>> y = 0.4 * m + rng.normal(size=400)
    >>> df = pd.DataFrame({"x": x, "m": m, "y": y})
    >>> res = sem("m ~ a*x\\ny ~ b*m + x\\nab := a*b", df)
    >>> round(float(res.defined["estimate"][0]), 2)
    0.21
    """
    from egovstudy._blas import single_thread_blas

    equal = _check_group_equal(group_equal)
    if equal and group is None:
        raise ModelSpecError(f"group_equal={list(equal)} needs group=<column> naming the "
                             "groups")
    spec, groups = prepare(model, data, group)
    if indirect is not None:
        spec.defined = spec.defined + _indirect_defined(indirect, spec)
    ms = (group is not None or spec.meanstructure) if meanstructure is None else meanstructure
    if n_boot and group is not None:
        raise ModelSpecError("n_boot with group= is not supported; bootstrap each group's "
                             "model separately")
    if n_boot and not spec.defined:
        raise ModelSpecError("n_boot > 0 bootstraps the defined effects, but the model has "
                             "none; add e.g. 'ab := a*b' or indirect={...}")
    if n_boot and seed is None:
        raise ModelSpecError("n_boot > 0 needs seed=<int> so that the intervals can be "
                             "reproduced")
    with single_thread_blas():
        res = fit_ml(spec, groups, meanstructure=ms, group_equal=equal)
        est = estimates_table(res, spec.defined)
    _warn_negative_variances(est)
    info = ""
    if n_boot:
        lo, hi, info = _bootstrap_defined(res, spec, data, n_boot=n_boot, seed=seed,
                                          level=level, n_jobs=n_jobs, ms=ms)
        est["boot_ci_low"] = np.nan
        est["boot_ci_high"] = np.nan
        mask = est["op"] == ":="
        est.loc[mask, "boot_ci_low"] = lo
        est.loc[mask, "boot_ci_high"] = hi
    return SEMResult(fit=res.fit, estimates=est, r_squared=r_squared_table(res),
                     n=int(res.fit["ntotal"]), groups=tuple(g.name for g in groups),
                     bootstrap_info=info)


def _warn_negative_variances(est: pd.DataFrame) -> None:
    """Heywood case: lavaan reports negative variances with a warning, and so do we."""
    import warnings

    from egovstudy.errors import StatisticalWarning

    var = est[(est["op"] == "~~") & (est["lhs"] == est["rhs"]) & (est["estimate"] < 0)]
    if len(var):
        warnings.warn(
            "Heywood case: negative variance estimate(s) " + ", ".join(
                f"{v!r} ({e:.3f})" for v, e in zip(var["lhs"], var["estimate"], strict=True))
            + ": the solution is improper and is reported as lavaan reports it; check the "
            "indicators of that variable, simplify the model or collect more data",
            StatisticalWarning, stacklevel=3)


def _bootstrap_defined(res: FitResult, spec: ModelSpec, data: pd.DataFrame, *, n_boot: int,
                       seed: int | None, level: float, n_jobs: int | None, ms: bool
                       ) -> tuple[np.ndarray, np.ndarray, str]:
    """Case bootstrap of the defined effects: each resample's moments, refitted."""
    from egovstudy.bootstrap import bootstrap
    from egovstudy.measurement.sem_fit import RAM, Objective

    x = data[spec.observed].dropna().to_numpy(dtype=float)
    n, p = x.shape
    if n < 10:
        raise InsufficientDataError(f"the bootstrap needs at least 10 complete cases; got {n}")
    center = x.mean(axis=0)
    xc = x - center
    iu = np.triu_indices(p)
    moments = np.column_stack([np.ones(n), xc, xc[:, iu[0]] * xc[:, iu[1]]])
    fun = _defined_function(res, spec.defined)
    n_par = len(res.theta)
    ram = RAM(res.entries, 0, res.nodes, p, n_par)

    def statistic(sums: np.ndarray) -> np.ndarray:
        out = np.full((sums.shape[0], len(spec.defined)), np.nan)
        for b, row in enumerate(sums):
            nb = row[0]
            mean = row[1:1 + p] / nb
            cov = np.zeros((p, p))
            cov[iu] = row[1 + p:] / nb
            cov = cov + np.triu(cov, 1).T - np.outer(mean, mean)
            gd = GroupData("boot", round(nb), cov, mean + center)
            try:
                theta, ok = _scoring(Objective([ram], [gd], ms), res.theta.copy(), tol=1e-6)
            except (np.linalg.LinAlgError, ValueError):
                continue
            if ok:
                out[b] = fun(theta, None)
        return out

    boot = bootstrap(statistic, n, n_boot=n_boot, seed=seed, moments=moments,
                     estimate=fun(res.theta, None), names=[d.name for d in spec.defined],
                     n_jobs=n_jobs)
    lo, hi = boot.ci(level)
    info = (f"Bootstrap: {boot.n_boot} case resamples, {boot.n_failed} failed, percentile "
            f"{level:.0%} intervals, seed {seed}")
    return lo, hi, info
