"""PLS-SEM assessment as SmartPLS 4 and Hair et al. (2021) report it.

Steps after :func:`egovstudy.pls.pls_sem` has estimated a model:

* :func:`outer_vif` -- collinearity of the indicators of every block (SmartPLS's
  "outer VIF"; Hair et al. 2021, ch. 5: VIF >= 5 critical, >= 3 possibly a problem).
* :func:`formative_assessment` -- the formative (Mode B) indicators' bootstrap weight
  significance, loadings and VIF with the retain / consider-removing rule of Hair et al.
  (2021, ch. 5, Fig. 5.3).
* :func:`pls_predict` -- PLSpredict (Shmueli et al. 2016, 2019): k-fold (or
  leave-one-out) cross-validated indicator predictions with repetitions, RMSE and MAE of
  PLS-SEM next to the linear-model (LM) benchmark, Q²_predict and the verdict
  none / low / medium / high predictive power.

The functions take the same model keywords as :func:`~egovstudy.pls.pls_sem` and reuse
its parser, data preparation and PLS algorithm, so a model is estimated the same way
everywhere. Numbers are checked against seminr (the R package of Hair et al. 2021) and
R's ``car::vif`` in ``tests/test_pls_assess.py``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from egovstudy.bootstrap import SeedLike, seed_sequence
from egovstudy.errors import ConvergenceError, ModelSpecError, StatisticalWarning
from egovstudy.pls import (
    PLSResult,
    _corr_from_sums,
    _estimates,
    _fit_point,
    _Model,
    _moments,
    _parse_model,
    _prepare,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["IPMAResult", "ModelFitResult", "PLSPredictResult", "blindfolding",
           "formative_assessment", "ipma", "ipma_map", "model_fit", "outer_vif", "pls_predict"]

Technique = Literal["DA", "EA"]
Metric = Literal["rmse", "mae"]


# --------------------------------------------------------------------------- outer VIF
def outer_vif(data: pd.DataFrame, *, measurement: Mapping[str, Sequence[str]],
              missing: Literal["mean", "listwise", "raise"] = "mean",
              na_values: Sequence[float] = ()) -> pd.DataFrame:
    """Variance inflation factor of every indicator within its own block.

    ``VIF_i = 1 / (1 - R²_i)``, with ``R²_i`` from regressing indicator ``i`` on the
    other indicators of the same construct: the diagonal of the inverse of the block's
    correlation matrix. A single-indicator block gets 1 (as SmartPLS prints it).

    Parameters
    ----------
    data : pandas.DataFrame
        Indicator columns.
    measurement : mapping
        Construct -> indicator columns, as for :func:`~egovstudy.pls.pls_sem`.
    missing, na_values
        Missing-value handling, as for :func:`~egovstudy.pls.pls_sem` (the VIF is then
        that of the data the PLS model is estimated on).

    Returns
    -------
    pandas.DataFrame
        construct, indicator, vif.

    Notes
    -----
    Checked against R's ``car::vif`` on the formative blocks of the extended corporate
    reputation model (Hair et al. 2021, ch. 5).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    >>> v = outer_vif(d, measurement={"X": ["a", "b"], "Y": ["c"]})
    >>> v["vif"].round(2).tolist()
    [1.0, 1.0, 1.0]
    """
    if not isinstance(data, pd.DataFrame):
        raise ModelSpecError(f"data is a {type(data).__name__}; pass a pandas DataFrame")
    if not isinstance(measurement, Mapping) or not measurement:
        raise ModelSpecError("measurement must map each construct to its indicator columns, "
                             "e.g. {'COMP': ['comp_1', 'comp_2', 'comp_3']}")
    blocks = {c: ([v] if isinstance(v, str) else list(v)) for c, v in measurement.items()}
    items = [it for b in blocks.values() for it in b]
    X, _ = _prepare(data, items, missing, na_values)
    R = np.corrcoef(X.to_numpy(), rowvar=False)
    pos = {it: k for k, it in enumerate(items)}
    rows = []
    for c, its in blocks.items():
        idx = [pos[i] for i in its]
        blk = R[np.ix_(idx, idx)]
        if len(idx) > 1:
            if np.linalg.cond(blk) > 1e12:
                raise ModelSpecError(f"the indicators of {c!r} are perfectly collinear; drop "
                                     "one of the duplicated or summed indicators")
            v = np.diag(np.linalg.inv(blk))
        else:
            v = np.ones(1)
        rows += [{"construct": c, "indicator": it, "vif": float(x)} for it, x in zip(its, v,
                                                                                     strict=True)]
    return pd.DataFrame(rows)


def formative_assessment(result: PLSResult, vif: pd.DataFrame, *, alpha: float = 0.05,
                         min_loading: float = 0.5, vif_max: float = 3.0) -> pd.DataFrame:
    """Formative indicators: weight significance, loading and VIF with a verdict.

    The rule of Hair et al. (2021, ch. 5, Fig. 5.3): a significant outer weight ->
    ``"retain"`` (relative contribution); else a loading >= ``min_loading`` ->
    ``"retain"`` (absolute contribution); else a significant loading -> ``"retain
    (significant loading)"``, to be weighed on theory; else ``"consider removal"``.
    VIF >= ``vif_max`` is flagged in ``collinearity``.

    Parameters
    ----------
    result : PLSResult
        A fit with a bootstrap (``n_boot > 0``) and at least one Mode B construct.
    vif : pandas.DataFrame
        :func:`outer_vif` of the same data.
    alpha, min_loading, vif_max : float
        Significance level, loading threshold and VIF threshold.

    Returns
    -------
    pandas.DataFrame
        construct, indicator, weight, weight_t, weight_p, weight_ci_low, weight_ci_high,
        loading, loading_p, vif, collinearity, verdict.

    Examples
    --------
    >>> rng = np.random.default_rng(5)
    >>> f = rng.normal(size=(300, 1))
    >>> d = pd.DataFrame(np.hstack([rng.normal(size=(300, 2)) + f,
    ...                             0.7 * f + 0.6 * rng.normal(size=(300, 2))]),
    ...                  columns=["x1", "x2", "y1", "y2"])
    >>> from egovstudy.pls import pls_sem
    >>> mm = {"X": ["x1", "x2"], "Y": ["y1", "y2"]}
    >>> res = pls_sem(d, measurement=mm, structural=[("X", "Y")], mode={"X": "B"},
    ...               n_boot=200, seed=1, q2_folds=0)
    >>> formative_assessment(res, outer_vif(d, measurement=mm))["verdict"].tolist()
    ['retain', 'retain']
    """
    if not isinstance(result, PLSResult):
        raise ModelSpecError(f"result is a {type(result).__name__}; pass the PLSResult of "
                             "pls_sem")
    if result.boot is None:
        raise ModelSpecError("result has no bootstrap; refit pls_sem with n_boot > 0 to test "
                             "the outer weights")
    modes = dict(zip(result.reliability["construct"], result.reliability["mode"], strict=True))
    form = [c for c, m in modes.items() if m == "B"]
    if not form:
        raise ModelSpecError("the model has no formative (Mode B) construct; pass "
                             "mode={'CONSTRUCT': 'B'} to pls_sem")
    if not {"construct", "indicator", "vif"} <= set(vif.columns):
        raise ModelSpecError("vif must be the frame of outer_vif (columns construct, "
                             "indicator, vif)")
    w = result.outer_weights[result.outer_weights["construct"].isin(form)]
    ld = result.outer_loadings.set_index("indicator")
    vv = vif.set_index("indicator")["vif"]
    missing_vif = [i for i in w["indicator"] if i not in vv.index]
    if missing_vif:
        raise ModelSpecError(f"vif has no row for {', '.join(missing_vif)}; compute outer_vif "
                             "with the same measurement")
    rows = []
    for _, r in w.iterrows():
        it = r["indicator"]
        lam, lp = float(ld.loc[it, "estimate"]), float(ld.loc[it, "p_value"])
        if r["p_value"] < alpha or lam >= min_loading:
            verdict = "retain"
        elif lp < alpha:
            verdict = "retain (significant loading)"
        else:
            verdict = "consider removal"
        rows.append({"construct": r["construct"], "indicator": it, "weight": r["estimate"],
                     "weight_t": r["statistic"], "weight_p": r["p_value"],
                     "weight_ci_low": r["ci_low"], "weight_ci_high": r["ci_high"],
                     "loading": lam, "loading_p": lp, "vif": float(vv[it]),
                     "collinearity": bool(vv[it] >= vif_max), "verdict": verdict})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- PLSpredict
@dataclass(frozen=True)
class PLSPredictResult:
    """Result of :func:`pls_predict`.

    Attributes
    ----------
    indicators : pandas.DataFrame
        One row per endogenous indicator: construct, indicator, q2_predict, pls_rmse,
        pls_mae, lm_rmse, lm_mae, pls_better (PLS-SEM error below LM's on ``metric``).
    constructs : pandas.DataFrame
        Q²_predict, RMSE and MAE of the standardized construct scores.
    verdict : pandas.DataFrame
        construct, n_indicators, n_q2_positive, n_pls_better, power (``"none"``,
        ``"low"``, ``"medium"``, ``"high"``) by Shmueli et al. (2019).
    options : dict
        folds, repetitions, technique, metric, seed entropy.
    """

    indicators: pd.DataFrame
    constructs: pd.DataFrame
    verdict: pd.DataFrame
    options: dict[str, Any] = field(default_factory=dict)

    def tidy(self) -> pd.DataFrame:
        """The indicator table with the construct verdict joined on."""
        return self.indicators.merge(self.verdict[["construct", "power"]], on="construct")

    def summary(self) -> str:
        """Text report."""
        o = self.options
        return "\n".join([
            f"PLSpredict ({o['technique']}, {o['folds']} folds x {o['repetitions']} "
            f"repetitions, n = {o['n']})",
            self.indicators.to_string(index=False, float_format="%.3f"), "",
            self.verdict.to_string(index=False)])

    def sentences(self, language: str = "en") -> list[str]:
        """One sentence per endogenous construct with its predictive power (en / id)."""
        from egovstudy.report.language import text

        o = self.options
        return [text("sent_plspredict", language, folds=o["folds"],
                     repetitions=o["repetitions"], construct=r["construct"],
                     power=text(f"pls_power_{r['power']}", language),
                     better=int(r["n_pls_better"]), total=int(r["n_indicators"]))
                for _, r in self.verdict.iterrows()]

    def _repr_html_(self) -> str:
        return ("<h4>PLSpredict</h4>" + self.indicators.to_html(index=False, float_format="%.3f")
                + self.verdict.to_html(index=False))


def _order(model: _Model) -> list[int]:
    """Endogenous construct indices in an order where antecedents come first."""
    cons = model.constructs
    done = {j for j, c in enumerate(cons) if c not in model.preds}
    out: list[int] = []
    while len(out) < len(model.preds):
        for j, c in enumerate(cons):
            if j not in done and all(cons.index(q) in done for q in model.preds.get(c, [])):
                done.add(j)
                out.append(j)
    return out


def _predict_fold(Xtr: np.ndarray, Xte: np.ndarray, model: _Model, technique: str,
                  max_iter: int, tol: float, scheme: str, lm_sets: dict[int, np.ndarray],
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """PLS and LM predictions of the test rows from a fit on the training rows."""
    K = len(model.constructs)
    p = Xtr.shape[1]
    W, _, conv, S = _fit_point(Xtr, model, max_iter, tol, scheme)
    if not conv:
        raise ConvergenceError(f"PLSpredict: a training fold did not converge within "
                               f"max_iter={max_iter}; raise max_iter")
    _, L, B, _ = (a[0] for a in _estimates(S[None], W[None], model))
    mu, sd = Xtr.mean(axis=0), Xtr.std(axis=0, ddof=1)
    Y = ((Xte - mu) / sd) @ W
    endo = _order(model)
    if technique == "DA":
        Yhat = Y @ B
        exo = [j for j in range(K) if j not in endo]
        Yhat[:, exo] = Y[:, exo]
    else:
        Yhat = Y.copy()
        Yhat[:, endo] = 0.0
        for j in endo:
            Yhat[:, j] = Yhat @ B[:, j]
    ind_con = np.argmax(model.mask, axis=1)
    lam = L[np.arange(p), ind_con]
    pred = Yhat[:, ind_con] * lam * sd + mu
    lm = np.full_like(Xte, np.nan)
    for j, cols in lm_sets.items():
        targets = np.flatnonzero(model.mask[:, j])
        A = np.column_stack([np.ones(len(Xtr)), Xtr[:, cols]])
        coef, *_ = np.linalg.lstsq(A, Xtr[:, targets], rcond=None)
        lm[:, targets] = np.column_stack([np.ones(len(Xte)), Xte[:, cols]]) @ coef
    return pred, lm, Yhat, Y


def pls_predict(data: pd.DataFrame, *, measurement: Mapping[str, Sequence[str]],
                structural: Any, mode: Mapping[str, str] | None = None,
                folds: int | None = 10, repetitions: int = 10,
                technique: Technique = "DA", metric: Metric = "rmse",
                seed: SeedLike = None,
                missing: Literal["mean", "listwise", "raise"] = "mean",
                na_values: Sequence[float] = (), scheme: str = "path",
                max_iter: int = 300, tol: float = 1e-7) -> PLSPredictResult:
    """PLSpredict with the linear-model benchmark, as SmartPLS 4 and seminr report it.

    The rows are split into ``folds`` folds (``None``: leave-one-out); the model is
    estimated on the other folds and predicts the indicators of every endogenous
    construct in the held-out fold: construct scores from the held-out indicators and the
    training weights, endogenous scores from the path coefficients -- with the direct
    antecedents' scores (``technique="DA"``, seminr's default) or propagated from the
    exogenous constructs (``"EA"``, Shmueli et al. 2016) -- then indicators from the
    loadings, unstandardized with the training means and SDs. The LM benchmark regresses
    each endogenous indicator (with an intercept) on the indicators of the construct's
    direct antecedents (DA) or of all exogenous constructs (EA). With ``repetitions`` >
    1 the fold split is redrawn and every case's predictions are averaged over the
    repetitions before the errors are taken (as seminr's ``predict_pls(reps=)`` does).

    Q²_predict = 1 - SSE(PLS) / SSE(training-fold mean). The verdict per endogenous
    construct follows Shmueli et al. (2019): if no indicator has Q²_predict > 0 the model
    has no predictive relevance (``"none"``); otherwise it counts the indicators whose
    PLS-SEM ``metric`` is below the LM's: none -> ``"none"``, a minority -> ``"low"``,
    a majority or half -> ``"medium"``, all -> ``"high"``.

    Parameters
    ----------
    data, measurement, structural, mode, missing, na_values, scheme, max_iter, tol
        As for :func:`~egovstudy.pls.pls_sem`.
    folds : int or None
        Number of folds (SmartPLS default 10); ``None`` or ``n`` for leave-one-out.
    repetitions : int
        Repetitions of the fold split (SmartPLS default 10; 1 with leave-one-out).
    technique : {"DA", "EA"}
        Direct or earliest antecedents.
    metric : {"rmse", "mae"}
        Error used in the verdict (MAE when the prediction errors are highly skewed).
    seed : int or numpy.random.SeedSequence
        Seed of the fold splits (one spawned child per repetition).

    Returns
    -------
    PLSPredictResult

    Notes
    -----
    Leave-one-out RMSE and MAE of PLS-SEM and LM match seminr's ``predict_pls(noFolds =
    344)`` fixtures for the extended corporate reputation model with both techniques.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> f = rng.normal(size=(200, 1))
    >>> g = 0.7 * f + 0.7 * rng.normal(size=(200, 1))
    >>> d = pd.DataFrame(np.hstack([f + 0.5 * rng.normal(size=(200, 3)),
    ...                             g + 0.5 * rng.normal(size=(200, 2))]),
    ...                  columns=["x1", "x2", "x3", "y1", "y2"])
    >>> r = pls_predict(d, measurement={"X": ["x1", "x2", "x3"], "Y": ["y1", "y2"]},
    ...                 structural=[("X", "Y")], folds=10, repetitions=2, seed=1)
    >>> bool((r.indicators["q2_predict"] > 0).all()), r.verdict["power"].iloc[0] in (
    ...     "low", "medium", "high")
    (True, True)
    """
    if not isinstance(data, pd.DataFrame):
        raise ModelSpecError(f"data is a {type(data).__name__}; pass a pandas DataFrame")
    if technique not in ("DA", "EA"):
        raise ModelSpecError(f"technique={technique!r}: choose 'DA' (direct antecedents) or "
                             "'EA' (earliest antecedents)")
    if metric not in ("rmse", "mae"):
        raise ModelSpecError(f"metric={metric!r}: choose 'rmse' or 'mae'")
    if isinstance(repetitions, bool) or not isinstance(repetitions, int | np.integer) \
            or repetitions < 1:
        raise ModelSpecError(f"repetitions={repetitions!r}: pass a positive integer "
                             "(SmartPLS uses 10)")
    model = _parse_model(measurement, structural, mode)
    X, _ = _prepare(data, model.indicators, missing, na_values)
    Xv = X.to_numpy()
    n = len(Xv)
    k = n if folds is None else folds
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 2 <= k <= n:
        raise ModelSpecError(f"folds={folds!r}: pass 2..{n} (the number of cases) or None "
                             "for leave-one-out")
    loo = k == n
    reps = 1 if loo else int(repetitions)
    cons = model.constructs
    cidx = {c: j for j, c in enumerate(cons)}
    exo = [j for j, c in enumerate(cons) if c not in model.preds]
    lm_sets: dict[int, np.ndarray] = {}
    for c, pr in model.preds.items():
        src = [cidx[q] for q in pr] if technique == "DA" else exo
        lm_sets[cidx[c]] = np.flatnonzero(model.mask[:, src].sum(axis=1) > 0)
    n_train = n - -(-n // k)
    widest = max(len(v) for v in lm_sets.values())
    if n_train < widest + 2:
        raise ModelSpecError(f"folds={folds}: a training fold has {n_train} cases, too few "
                             f"for the LM benchmark on {widest} indicators; use fewer folds "
                             "or more cases")
    ss = seed_sequence(seed)
    children = ss.spawn(reps)
    pred = np.zeros((reps, *Xv.shape))
    lmp = np.zeros((reps, *Xv.shape))
    base = np.zeros((reps, *Xv.shape))
    sc_pred = np.zeros((reps, n, len(cons)))
    sc_true = np.zeros((reps, n, len(cons)))
    for r in range(reps):
        fold_of = (np.arange(n) if loo else
                   np.random.default_rng(children[r]).permutation(np.arange(n) % k))
        for f in range(k):
            te = fold_of == f
            tr = ~te
            pr_, lm_, yh, y = _predict_fold(Xv[tr], Xv[te], model, technique, max_iter, tol,
                                            scheme, lm_sets)
            pred[r, te], lmp[r, te] = pr_, lm_
            sc_pred[r, te], sc_true[r, te] = yh, y
            base[r, te] = Xv[tr].mean(axis=0)
    pred_m, lm_m, base_m = pred.mean(axis=0), lmp.mean(axis=0), base.mean(axis=0)
    ind_con = np.argmax(model.mask, axis=1)
    endo = [cidx[c] for c in cons if c in model.preds]
    rows = []
    for i in range(len(model.indicators)):
        if ind_con[i] not in endo:
            continue
        e, el = Xv[:, i] - pred_m[:, i], Xv[:, i] - lm_m[:, i]
        rows.append({"construct": cons[ind_con[i]], "indicator": model.indicators[i],
                     "q2_predict": 1 - (e**2).sum() / ((Xv[:, i] - base_m[:, i]) ** 2).sum(),
                     "pls_rmse": float(np.sqrt((e**2).mean())), "pls_mae": float(np.abs(e).mean()),
                     "lm_rmse": float(np.sqrt((el**2).mean())),
                     "lm_mae": float(np.abs(el).mean())})
    ind = pd.DataFrame(rows)
    ind["pls_better"] = ind[f"pls_{metric}"] < ind[f"lm_{metric}"]
    sp, st = sc_pred.mean(axis=0), sc_true.mean(axis=0)
    crow = []
    for j in endo:
        e = st[:, j] - sp[:, j]
        crow.append({"construct": cons[j], "q2_predict": 1 - (e**2).sum() / (st[:, j] ** 2).sum(),
                     "rmse": float(np.sqrt((e**2).mean())), "mae": float(np.abs(e).mean())})
    vrows = []
    for c, g in ind.groupby("construct", sort=False):
        m, q, b = len(g), int((g["q2_predict"] > 0).sum()), int(g["pls_better"].sum())
        if q == 0 or b == 0:
            power = "none"
        elif b == m:
            power = "high"
        elif 2 * b >= m:
            power = "medium"
        else:
            power = "low"
        vrows.append({"construct": c, "n_indicators": m, "n_q2_positive": q,
                      "n_pls_better": b, "power": power})
    return PLSPredictResult(
        indicators=ind, constructs=pd.DataFrame(crow), verdict=pd.DataFrame(vrows),
        options={"folds": k, "repetitions": reps, "technique": technique, "metric": metric,
                 "n": n, "leave_one_out": loo, "seed_entropy": ss.entropy})



# --------------------------------------------------------------------------- model fit
@dataclass(frozen=True)
class ModelFitResult:
    """Result of :func:`model_fit`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per criterion (``srmr``, ``d_uls``, ``d_g``): saturated, estimated and,
        with a bootstrap, the Bollen-Stine quantiles saturated_hi95, saturated_hi99,
        estimated_hi95, estimated_hi99 (SmartPLS's "HI95" / "HI99").
    implied : dict of pandas.DataFrame
        Model-implied indicator correlation matrices, ``"saturated"`` and
        ``"estimated"``.
    options : dict
        n_boot, n_failed, seed entropy, consistent.
    """

    table: pd.DataFrame
    implied: dict[str, pd.DataFrame]
    options: dict[str, Any] = field(default_factory=dict)

    def tidy(self) -> pd.DataFrame:
        """The fit table."""
        return self.table

    def summary(self) -> str:
        """Text report."""
        return ("Model fit (Dijkstra & Henseler 2015)\n"
                + self.table.to_string(index=False, float_format="%.3f"))

    def _repr_html_(self) -> str:
        return "<h4>Model fit</h4>" + self.table.to_html(index=False, float_format="%.3f")


def _implied(S: np.ndarray, W: np.ndarray, model: _Model, consistent: bool,
             saturated: bool) -> np.ndarray:
    """Model-implied indicator correlations for a batch (b, p, p).

    ``Sigma = L' V(eta) L + Theta`` with ``Theta`` making the diagonal 1; within a Mode
    B block the observed correlations are kept (a composite leaves them free). ``V(eta)``
    is the construct correlation matrix (saturated model) or the one implied by the
    path coefficients with ``var(zeta) = 1 - R²`` (estimated model) -- cSEM's ``fit()``,
    following Dijkstra & Henseler (2015).
    """
    C, L, B, r2 = _estimates(S, W, model, consistent)
    b, p, K = L.shape
    cons = model.constructs
    if not saturated:
        endo = [j for j, c in enumerate(cons) if c in model.preds]
        exo = [j for j in range(K) if j not in endo]
        Bt = B.transpose(0, 2, 1)
        beta = Bt[:, endo][:, :, endo]
        gamma = Bt[:, endo][:, :, exo]
        phi = C[:, exo][:, :, exo]
        inv = np.linalg.inv(np.eye(len(endo))[None] - beta)
        psi = np.zeros((b, len(endo), len(endo)))
        psi[:, np.arange(len(endo)), np.arange(len(endo))] = 1 - r2[:, endo]
        c_xe = phi @ gamma.transpose(0, 2, 1) @ inv.transpose(0, 2, 1)
        c_ee = inv @ (gamma @ phi @ gamma.transpose(0, 2, 1) + psi) @ inv.transpose(0, 2, 1)
        c_ee[:, np.arange(len(endo)), np.arange(len(endo))] = 1.0
        V = np.empty_like(C)
        V[np.ix_(range(b), exo, exo)] = phi
        V[np.ix_(range(b), exo, endo)] = c_xe
        V[np.ix_(range(b), endo, exo)] = c_xe.transpose(0, 2, 1)
        V[np.ix_(range(b), endo, endo)] = c_ee
    else:
        V = C
    Lam = L * model.mask[None]                    # (b, p, K) own-block loadings
    Sig = Lam @ V @ Lam.transpose(0, 2, 1)
    Sig[:, np.arange(p), np.arange(p)] = 1.0
    for j, c in enumerate(cons):
        if model.modes[c] == "B":
            r = np.flatnonzero(model.mask[:, j])
            Sig[:, r[:, None], r[None, :]] = S[:, r[:, None], r[None, :]]
    return Sig


def _discrepancies(S: np.ndarray, Sig: np.ndarray) -> np.ndarray:
    """SRMR, d_ULS and d_G of a batch, (b, 3)."""
    p = S.shape[1]
    il = np.tril_indices(p)
    R = S - Sig
    srmr = np.sqrt((R[:, il[0], il[1]] ** 2).mean(axis=1))
    duls = 0.5 * (R**2).sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        ev = np.linalg.eigvals(np.linalg.solve(S, Sig)).real
        dg = 0.5 * (np.log(ev) ** 2).sum(axis=1)
    return np.column_stack([srmr, duls, dg])


def _msqrt(A: np.ndarray, inverse: bool = False) -> np.ndarray:
    val, vec = np.linalg.eigh(A)
    if (val <= 1e-12).any():
        raise ModelSpecError("the indicator correlation matrix (or the model-implied one) is "
                             "not positive definite, so the Bollen-Stine bootstrap cannot "
                             "transform the data; drop collinear indicators")
    return (vec * val ** (-0.5 if inverse else 0.5)) @ vec.T


def model_fit(data: pd.DataFrame, *, measurement: Mapping[str, Sequence[str]],
              structural: Any, mode: Mapping[str, str] | None = None,
              n_boot: int = 0, seed: SeedLike = None, consistent: bool = False,
              scheme: str = "path",
              missing: Literal["mean", "listwise", "raise"] = "mean",
              na_values: Sequence[float] = (), max_iter: int = 300, tol: float = 1e-7,
              n_jobs: int | None = None) -> ModelFitResult:
    """SRMR, d_ULS and d_G of the saturated and the estimated model, as SmartPLS reports.

    The discrepancies between the indicator correlation matrix ``S`` and the
    model-implied one (see Notes): ``SRMR = sqrt(mean of the squared residuals of the
    lower triangle with the diagonal)``, ``d_ULS = 1/2 sum (S - Sigma)²`` and ``d_G = 1/2
    sum log²(eigenvalues of S⁻¹ Sigma)`` (Dijkstra & Henseler 2015). The saturated model
    leaves the construct correlations free; the estimated model implies them from the
    path coefficients. With ``n_boot`` the exact-fit test: the data are Bollen-Stine
    transformed (``Z S^-1/2 Sigma^1/2``, so their correlation matrix is ``Sigma``), the
    model is re-estimated on ``n_boot`` resamples of them (the project's bootstrap
    engine and seeding, one run per model as SmartPLS does) and the 95 % and 99 %
    quantiles of each discrepancy are reported; a value above HI95 rejects exact fit at
    5 %.

    Parameters
    ----------
    data, measurement, structural, mode, consistent, scheme, missing, na_values,
    max_iter, tol, n_jobs
        As for :func:`~egovstudy.pls.pls_sem`.
    n_boot : int
        Bollen-Stine resamples (0: no test).
    seed : int or numpy.random.SeedSequence
        Bootstrap seed (the estimated model's run uses a spawned child).

    Returns
    -------
    ModelFitResult

    Notes
    -----
    Implied matrix (cSEM's ``fit()``): ``Sigma = L' V L + Theta`` with own-block
    loadings ``L`` (PLSc loadings with ``consistent``), ``Theta`` diagonal so that
    ``diag(Sigma) = 1``, and the observed correlations kept within Mode B blocks. There
    is no published SmartPLS output for the bundled data sets, so the tests check the
    SRMR against lavaan's on the same implied matrix, identities between the criteria
    and the bootstrap's size and power in simulations.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(300, 1))
    >>> g = 0.5 * f + np.sqrt(0.75) * rng.normal(size=(300, 1))
    >>> d = pd.DataFrame(np.hstack([0.8 * f + 0.6 * rng.normal(size=(300, 3)),
    ...                             0.8 * g + 0.6 * rng.normal(size=(300, 3))]),
    ...                  columns=["x1", "x2", "x3", "y1", "y2", "y3"])
    >>> fit = model_fit(d, measurement={"X": ["x1", "x2", "x3"], "Y": ["y1", "y2", "y3"]},
    ...                 structural=[("X", "Y")], consistent=True)
    >>> bool(fit.table.set_index("criterion").loc["srmr", "saturated"] < 0.05)
    True
    """
    from egovstudy.bootstrap import bootstrap
    from egovstudy.pls import _check_consistent

    if not isinstance(data, pd.DataFrame):
        raise ModelSpecError(f"data is a {type(data).__name__}; pass a pandas DataFrame")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 0:
        raise ModelSpecError(f"n_boot={n_boot!r}: pass 0 (no test) or a positive integer "
                             "(SmartPLS uses 5000)")
    if 0 < n_boot < 100:
        raise ModelSpecError(f"n_boot={n_boot}: the 99 % quantile needs at least 100 "
                             "resamples; pass 0 or >= 100")
    model = _parse_model(measurement, structural, mode)
    X, _ = _prepare(data, model.indicators, missing, na_values)
    Xv = X.to_numpy()
    n, p = Xv.shape
    W, _, conv, S = _fit_point(Xv, model, max_iter, tol, scheme)
    if not conv:
        raise ConvergenceError(f"the PLS algorithm did not converge within max_iter={max_iter}")
    if consistent:
        _check_consistent(S, W, model)
    out: dict[str, Any] = {}
    implied: dict[str, pd.DataFrame] = {}
    ss = seed_sequence(seed)
    kids = ss.spawn(2)
    n_failed = {}
    Z = (Xv - Xv.mean(axis=0)) / Xv.std(axis=0, ddof=1)
    for (kind, sat), child in zip((("saturated", True), ("estimated", False)), kids,
                                  strict=True):
        Sig = _implied(S[None], W[None], model, consistent, sat)[0]
        implied[kind] = pd.DataFrame(Sig, index=model.indicators, columns=model.indicators)
        out[kind] = _discrepancies(S[None], Sig[None])[0]
        if not n_boot:
            continue
        Zs = Z @ _msqrt(S, inverse=True) @ _msqrt(Sig)
        P = _moments(Zs)

        def statistic(counts: np.ndarray, _P: np.ndarray = P, _sat: bool = sat) -> np.ndarray:
            from egovstudy.pls import _pls_core

            Sb, bad = _corr_from_sums(np.asarray(counts, dtype=float) @ _P, p)
            Wb, _, cv = _pls_core(Sb, model, max_iter, tol, scheme)
            res = _discrepancies(Sb, _implied(Sb, Wb, model, consistent, _sat))
            res[~cv | bad] = np.nan
            return res

        boot = bootstrap(statistic, n, n_boot=n_boot, seed=child, estimate=out[kind],
                         names=["srmr", "d_uls", "d_g"], n_jobs=n_jobs, progress=False)
        q = np.nanquantile(boot.samples, [0.95, 0.99], axis=0)
        out[f"{kind}_hi95"], out[f"{kind}_hi99"] = q[0], q[1]
        n_failed[kind] = boot.n_failed
    table = pd.DataFrame({"criterion": ["srmr", "d_uls", "d_g"],
                          **{k: np.asarray(v, dtype=float) for k, v in out.items()}})
    return ModelFitResult(table=table, implied=implied,
                          options={"n_boot": n_boot, "n_failed": n_failed,
                                   "seed_entropy": ss.entropy, "consistent": consistent,
                                   "n": n})


# --------------------------------------------------------------------------- IPMA
@dataclass(frozen=True)
class IPMAResult:
    """Result of :func:`ipma`.

    Attributes
    ----------
    constructs : pandas.DataFrame
        construct, importance (unstandardized total effect on the target of the rescaled
        scores), performance (mean rescaled score, 0-100), for every construct with a
        total effect on the target.
    indicators : pandas.DataFrame
        construct, indicator, rescaled_weight, importance (rescaled weight x the
        construct's importance), performance (mean rescaled indicator, 0-100).
    scores : pandas.DataFrame
        Rescaled (0-100) construct scores.
    target : str
    """

    constructs: pd.DataFrame
    indicators: pd.DataFrame
    scores: pd.DataFrame
    target: str

    def tidy(self) -> pd.DataFrame:
        """Constructs and indicators in one frame (``level`` column)."""
        return pd.concat([self.constructs.assign(level="construct", indicator=""),
                          self.indicators.assign(level="indicator")], ignore_index=True)

    def summary(self) -> str:
        """Text report."""
        return (f"IPMA of {self.target}\n"
                + self.constructs.to_string(index=False, float_format="%.3f") + "\n\n"
                + self.indicators.to_string(index=False, float_format="%.3f"))

    def _repr_html_(self) -> str:
        return (f"<h4>IPMA of {self.target}</h4>"
                + self.constructs.to_html(index=False, float_format="%.3f"))


def ipma(data: pd.DataFrame, *, measurement: Mapping[str, Sequence[str]], structural: Any,
         target: str, mode: Mapping[str, str] | None = None,
         scale: tuple[float, float] | Mapping[str, tuple[float, float]] | None = None,
         missing: Literal["mean", "listwise", "raise"] = "mean",
         na_values: Sequence[float] = (), scheme: str = "path", max_iter: int = 300,
         tol: float = 1e-7) -> IPMAResult:
    """Importance-performance map analysis (Ringle & Sarstedt 2016), as SmartPLS.

    Every indicator is rescaled to 0-100 with ``(x - min) / (max - min) * 100``; the
    standardized outer weights are unstandardized (divided by the indicator's SD) and
    rescaled to sum to 1 within each block, so the construct scores
    ``sum(rescaled weight * rescaled indicator)`` are on 0-100 too. Performance is a
    score's mean; importance is the unstandardized total effect on ``target``, i.e. the
    standardized total effect times ``SD(target score) / SD(construct score)`` of the
    rescaled scores. An indicator's importance is its rescaled weight times its
    construct's importance.

    Parameters
    ----------
    data, measurement, structural, mode, missing, na_values, scheme, max_iter, tol
        As for :func:`~egovstudy.pls.pls_sem`.
    target : str
        The key target construct (endogenous).
    scale : (min, max) or mapping indicator -> (min, max), optional
        Theoretical range of the answer scale (e.g. ``(1, 7)``); default the observed
        minimum and maximum of each indicator (SmartPLS's default).

    Returns
    -------
    IPMAResult

    Notes
    -----
    There is no published IPMA output for the bundled data sets; the tests check the
    properties (performance in [0, 100] and equal to a hand rescaling, importance equal to
    the regression slope of the rescaled scores) and the figure. A negative outer weight
    makes the rescaled scores leave 0-100 and raises a StatisticalWarning, as SmartPLS
    and cSEM warn.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(300, 1))
    >>> g = 0.6 * f + 0.8 * rng.normal(size=(300, 1))
    >>> lik = lambda z: np.clip(np.round(4 + 1.2 * z), 1, 7)
    >>> d = pd.DataFrame(np.hstack([lik(f + 0.6 * rng.normal(size=(300, 3))),
    ...                             lik(g + 0.6 * rng.normal(size=(300, 3)))]),
    ...                  columns=["x1", "x2", "x3", "y1", "y2", "y3"])
    >>> r = ipma(d, measurement={"X": ["x1", "x2", "x3"], "Y": ["y1", "y2", "y3"]},
    ...          structural=[("X", "Y")], target="Y", scale=(1, 7))
    >>> row = r.constructs.iloc[0]
    >>> row["construct"], bool(0 < row["performance"] < 100), bool(row["importance"] > 0)
    ('X', True, True)
    """
    import difflib

    if not isinstance(data, pd.DataFrame):
        raise ModelSpecError(f"data is a {type(data).__name__}; pass a pandas DataFrame")
    model = _parse_model(measurement, structural, mode)
    cons = model.constructs
    if target not in cons:
        close = difflib.get_close_matches(str(target), cons, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ModelSpecError(f"target={target!r} is not a construct in measurement{hint}")
    if target not in model.preds:
        raise ModelSpecError(f"target={target!r} is exogenous (no path points at it); pick an "
                             "endogenous construct")
    X, _ = _prepare(data, model.indicators, missing, na_values)
    items = model.indicators
    lo = X.min().to_numpy(copy=True)
    hi = X.max().to_numpy(copy=True)
    if scale is not None:
        rng_of: Mapping[str, tuple[float, float]]
        if isinstance(scale, Mapping):
            unknown = [k for k in scale if k not in items]
            if unknown:
                close = difflib.get_close_matches(str(unknown[0]), items, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise ModelSpecError(f"scale names {unknown[0]!r}, which is not an indicator "
                                     f"of the model{hint}")
            rng_of = scale
        else:
            rng_of = dict.fromkeys(items, scale)
        for k, it in enumerate(items):
            if it in rng_of:
                pair = rng_of[it]
                if not (isinstance(pair, tuple | list) and len(pair) == 2
                        and float(pair[0]) < float(pair[1])):
                    raise ModelSpecError(f"scale for {it!r} is {pair!r}; give (min, max) with "
                                         "min < max, e.g. (1, 7)")
                lo[k], hi[k] = float(pair[0]), float(pair[1])
        outside = [it for k, it in enumerate(items)
                   if X[it].min() < lo[k] - 1e-9 or X[it].max() > hi[k] + 1e-9]
        if outside:
            raise ModelSpecError(f"indicator {outside[0]!r} has values outside its scale "
                                 f"({lo[items.index(outside[0])]:g} to "
                                 f"{hi[items.index(outside[0])]:g}); fix scale or the data")
    if (hi <= lo).any():
        bad = items[int(np.flatnonzero(hi <= lo)[0])]
        raise ModelSpecError(f"indicator {bad!r} has no range to rescale; drop it")
    Xv = X.to_numpy()
    W, _, conv, S = _fit_point(Xv, model, max_iter, tol, scheme)
    if not conv:
        raise ConvergenceError(f"the PLS algorithm did not converge within max_iter={max_iter}")
    _, _, B, _ = (a[0] for a in _estimates(S[None], W[None], model))
    ind_con = np.argmax(model.mask, axis=1)
    w_std = W[np.arange(len(items)), ind_con]
    if (w_std < 0).any():
        neg = [items[k] for k in np.flatnonzero(w_std < 0)]
        warnings.warn(f"negative outer weight(s) for {', '.join(neg)}: the rescaled scores "
                      "can leave 0-100 and the IPMA is questionable (Ringle & Sarstedt 2016)",
                      StatisticalWarning, stacklevel=2)
    w_un = w_std / Xv.std(axis=0, ddof=1)
    w_res = np.empty_like(w_un)
    for j in range(len(cons)):
        r = ind_con == j
        w_res[r] = w_un[r] / w_un[r].sum()
    R = (Xv - lo) / (hi - lo) * 100
    scores = np.column_stack([R[:, ind_con == j] @ w_res[ind_con == j]
                              for j in range(len(cons))])
    K = len(cons)
    T = np.linalg.inv(np.eye(K) - B) - np.eye(K)
    sd = scores.std(axis=0, ddof=1)
    t = cons.index(target)
    imp = T[:, t] * sd[t] / sd
    reach = [j for j in range(K) if abs(T[j, t]) > 0 and j != t]
    crow = [{"construct": cons[j], "importance": float(imp[j]),
             "performance": float(scores[:, j].mean())} for j in reach]
    irow = [{"construct": cons[ind_con[k]], "indicator": it, "rescaled_weight": float(w_res[k]),
             "importance": float(w_res[k] * imp[ind_con[k]]),
             "performance": float(R[:, k].mean())}
            for k, it in enumerate(items) if ind_con[k] in reach]
    return IPMAResult(constructs=pd.DataFrame(crow), indicators=pd.DataFrame(irow),
                      scores=pd.DataFrame(scores, index=X.index, columns=cons), target=target)


def ipma_map(result: IPMAResult, *, level: Literal["construct", "indicator"] = "construct",
             labels: Mapping[str, str] | None = None, language: str = "en",
             ax: Axes | None = None) -> Axes:
    """Importance-performance map: importance on x, performance on y, mean lines.

    The quadrant lines at the mean importance and mean performance mark the constructs
    (or indicators) of high importance and low performance -- the priorities (Ringle &
    Sarstedt 2016). Save with :func:`egovstudy.report.save_figure` (PNG/SVG/PDF).

    Parameters
    ----------
    result : IPMAResult
    level : {"construct", "indicator"}
    labels : mapping, optional
        Display names.
    language : {"en", "id"}
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> res = IPMAResult(constructs=pd.DataFrame({"construct": ["A", "B"],
    ...                  "importance": [0.2, 0.5], "performance": [60.0, 40.0]}),
    ...                  indicators=pd.DataFrame(), scores=pd.DataFrame(), target="Y")
    >>> ax = ipma_map(res)
    >>> len(ax.collections[0].get_offsets())
    2
    """
    import matplotlib.pyplot as plt

    from egovstudy.report.language import text
    from egovstudy.report.style import OKABE_ITO, house_style

    if not isinstance(result, IPMAResult):
        raise ModelSpecError(f"result is a {type(result).__name__}; pass the IPMAResult of ipma")
    if level not in ("construct", "indicator"):
        raise ModelSpecError(f"level={level!r}: choose 'construct' or 'indicator'")
    frame = result.constructs if level == "construct" else result.indicators
    name = "construct" if level == "construct" else "indicator"
    lab = dict(labels or {})
    with house_style():
        if ax is None:
            _, ax = plt.subplots(figsize=(5.5, 4.2))
        ax.scatter(frame["importance"], frame["performance"], color=OKABE_ITO[3], zorder=3)
        for _, r in frame.iterrows():
            ax.annotate(lab.get(r[name], r[name]), (r["importance"], r["performance"]),
                        textcoords="offset points", xytext=(4, 4), fontsize=8)
        ax.axvline(frame["importance"].mean(), color="#8C8C8C", linestyle="--", linewidth=0.9)
        ax.axhline(frame["performance"].mean(), color="#8C8C8C", linestyle="--", linewidth=0.9)
        tg = lab.get(result.target, result.target)
        ax.set_xlabel(text("ipma_importance", language, target=tg))
        ax.set_ylabel(text("ipma_performance", language))
        ax.set_title(text("ipma_title", language, target=tg), fontsize=10)
    return ax


# --------------------------------------------------------------------------- blindfolding
def blindfolding(data: pd.DataFrame, *, measurement: Mapping[str, Sequence[str]],
                 structural: Any, mode: Mapping[str, str] | None = None,
                 omission_distance: int = 7,
                 missing: Literal["mean", "listwise", "raise"] = "mean",
                 na_values: Sequence[float] = (), scheme: str = "path",
                 max_iter: int = 300, tol: float = 1e-7) -> pd.DataFrame:
    """Blindfolding Q² (Stone-Geisser; cross-validated redundancy), as SmartPLS reports.

    For each endogenous construct, the data points of its indicators are counted case by
    case (row-wise) and every ``D``-th one is omitted in round ``d`` (``index % D == d``),
    replaced by the mean of the indicator's remaining values, and the model is
    re-estimated. The omitted points are predicted from the structural model (the
    predecessors' scores times the path coefficients, times the loading, on the data
    scale); ``Q² = 1 - SSE / SSO`` over all ``D`` rounds, with SSO the squared deviations
    from the round's mean. Q² > 0 indicates predictive relevance (.02 / .15 / .35 small /
    medium / large; Hair et al. 2017).

    Parameters
    ----------
    data, measurement, structural, mode, missing, na_values, scheme, max_iter, tol
        As for :func:`~egovstudy.pls.pls_sem`.
    omission_distance : int
        ``D`` (SmartPLS default 7; 5-12 recommended); ``n / D`` must not be a whole
        number.

    Returns
    -------
    pandas.DataFrame
        construct, sso, sse, q2.

    Notes
    -----
    No published blindfolding output exists for the bundled data; the tests check that
    every data point is omitted once and, in simulations, the large-sample value
    ``Q² ≈ mean(loading²) · R²`` of a Mode A block.

    Examples
    --------
    >>> rng = np.random.default_rng(6)
    >>> f = rng.normal(size=(302, 1))
    >>> g = 0.7 * f + 0.7 * rng.normal(size=(302, 1))
    >>> d = pd.DataFrame(np.hstack([0.8 * f + 0.6 * rng.normal(size=(302, 3)),
    ...                             0.8 * g + 0.6 * rng.normal(size=(302, 3))]),
    ...                  columns=["x1", "x2", "x3", "y1", "y2", "y3"])
    >>> q = blindfolding(d, measurement={"X": ["x1", "x2", "x3"], "Y": ["y1", "y2", "y3"]},
    ...                  structural=[("X", "Y")])
    >>> bool(q.loc[0, "q2"] > 0.15)
    True
    """
    if not isinstance(data, pd.DataFrame):
        raise ModelSpecError(f"data is a {type(data).__name__}; pass a pandas DataFrame")
    D = omission_distance
    model = _parse_model(measurement, structural, mode)
    X, _ = _prepare(data, model.indicators, missing, na_values)
    Xv = X.to_numpy()
    n = len(Xv)
    if isinstance(D, bool) or not isinstance(D, int | np.integer) or not 2 <= D <= n // 2:
        raise ModelSpecError(f"omission_distance={D!r}: pass an integer from 2 to {n // 2} "
                             "(5-12 is usual; SmartPLS uses 7)")
    if n % D == 0:
        ok = next(k for k in (7, 8, 9, 10, 11, 12, 6, 5, 13, 14, 15, 16, 17) if n % k)
        raise ModelSpecError(f"omission_distance={D} divides the {n} cases, so the same "
                             f"cases would always be omitted together; use e.g. {ok}")
    cons = model.constructs
    cidx = {c: j for j, c in enumerate(cons)}
    rows = []
    for c, preds in model.preds.items():
        j = cidx[c]
        cols = np.flatnonzero(model.mask[:, j])
        k = len(cols)
        flat = np.arange(n * k).reshape(n, k) % D
        sse = sso = 0.0
        for d in range(D):
            om = flat == d
            Xd = Xv.copy()
            blk = Xd[:, cols]
            keep_mean = np.array([blk[~om[:, q], q].mean() for q in range(k)])
            blk[om] = np.broadcast_to(keep_mean, blk.shape)[om]
            Xd[:, cols] = blk
            W, _, conv, S = _fit_point(Xd, model, max_iter, tol, scheme)
            if not conv:
                raise ConvergenceError(f"blindfolding round {d + 1} for {c!r} did not converge "
                                       f"within max_iter={max_iter}")
            _, L, B, _ = (a[0] for a in _estimates(S[None], W[None], model))
            mu, sd = Xd.mean(axis=0), Xd.std(axis=0, ddof=1)
            Y = ((Xd - mu) / sd) @ W
            pj = [cidx[q] for q in preds]
            yhat = Y[:, pj] @ B[pj, j]
            pred = yhat[:, None] * L[cols, j][None, :] * sd[cols] + mu[cols]
            true = Xv[:, cols]
            sse += float(((true - pred)[om] ** 2).sum())
            sso += float(((true - mu[cols])[om] ** 2).sum())
        rows.append({"construct": c, "sso": sso, "sse": sse, "q2": 1 - sse / sso})
    return pd.DataFrame(rows)
