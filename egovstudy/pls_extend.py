"""Extensions of the PLS path model: moderation (interaction terms).

:func:`pls_moderation` builds the interaction term of an independent construct and a
moderator (Henseler & Chin 2010; Hair et al. 2021, ch. 7) and estimates the model with
:func:`egovstudy.pls.pls_sem`:

* ``"two_stage"`` (the SmartPLS and seminr default): stage 1 estimates the model
  without the interaction paths; the product of the two standardized construct scores
  is the single indicator of the interaction construct in stage 2.
* ``"product_indicator"``: every product of a standardized indicator of the IV with a
  standardized indicator of the moderator is a (Mode A) indicator of the interaction.

:func:`simple_slopes_pls` draws the simple-slope plot of the target at the moderator's
mean and +/- 1 SD with the house style (:func:`egovstudy.report.figures.simple_slopes`).
Checked against seminr's fixtures for the moderation model of Hair et al. (2021, ch. 7)
in ``tests/test_pls_extend.py``.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from egovstudy.errors import ModelSpecError
from egovstudy.pls import Mode, PLSResult, _prepare, pls_sem

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["HigherOrderResult", "ModerationResult", "pls_higher_order", "pls_moderation",
           "simple_slopes_pls"]

Method = Literal["two_stage", "product_indicator"]


@dataclass(frozen=True)
class ModerationResult:
    """Result of :func:`pls_moderation`.

    Attributes
    ----------
    fit : PLSResult
        The (second-stage) model with the interaction constructs, named ``"IV*MOD"``.
    interactions : pandas.DataFrame
        One row per interaction path: term (``IV*MOD``), iv, moderator, to, estimate,
        std_error, statistic, p_value, ci_low, ci_high, f2 (``(R²_included -
        R²_excluded) / (1 - R²_included)`` with the main-effects model as the excluded
        model, as seminr and Hair et al. 2021, ch. 7 compute it; with several
        interactions on one target it is their joint effect size).
    method : str
        ``"two_stage"`` or ``"product_indicator"``.
    """

    fit: PLSResult
    interactions: pd.DataFrame
    method: str

    def tidy(self) -> pd.DataFrame:
        """The interaction rows (broom column names)."""
        return self.interactions

    def summary(self) -> str:
        """Text report: interaction effects, then the full model."""
        return ("Moderation (" + self.method + ")\n"
                + self.interactions.to_string(index=False, float_format="%.3f") + "\n\n"
                + self.fit.summary())

    def sentences(self, language: str = "en", alpha: float = 0.05) -> list[str]:
        """One sentence per interaction path (en / id), significance at ``alpha``."""
        from egovstudy.report.language import text
        from egovstudy.report.numbers import fmt_num, fmt_p_expr

        dec = "," if language == "id" else "."
        out = []
        for _, r in self.interactions.iterrows():
            fields = {"moderator": r["moderator"], "iv": r["iv"], "to": r["to"],
                      "b": fmt_num(r["estimate"], 3, decimal=dec),
                      "p": fmt_p_expr(r["p_value"], decimal=dec)}
            if r["p_value"] < alpha:
                out.append(text("sent_moderation", language,
                                f2=fmt_num(r["f2"], 3, decimal=dec), **fields))
            else:
                out.append(text("sent_no_moderation", language, **fields))
        return out

    def _repr_html_(self) -> str:
        return ("<h4>Moderation (" + self.method + ")</h4>"
                + self.interactions.to_html(index=False, float_format="%.3f"))


def _name_check(name: str, known: Sequence[str], what: str) -> None:
    if name not in known:
        close = difflib.get_close_matches(name, list(known), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ModelSpecError(f"{what} names {name!r}, which is not a construct in "
                             f"measurement{hint}")


def _pairs(structural: Any) -> list[tuple[str, str]]:
    if isinstance(structural, Mapping):
        return [(f, str(t)) for t, fr in structural.items()
                for f in ([fr] if isinstance(fr, str) else list(fr))]
    out = []
    for pr in structural:
        if not (isinstance(pr, tuple | list) and len(pr) == 2):
            raise ModelSpecError(f"structural entry {pr!r}: give (from, to) pairs or a "
                                 "mapping {to: [from, ...]}")
        out.append((str(pr[0]), str(pr[1])))
    return out


def pls_moderation(data: pd.DataFrame, *, measurement: Mapping[str, Sequence[str]],
                   structural: Any, interactions: Sequence[Sequence[str]],
                   method: Method = "two_stage", mode: Mapping[str, Mode] | None = None,
                   missing: Literal["mean", "listwise", "raise"] = "mean",
                   na_values: Sequence[float] = (), **kwargs: Any) -> ModerationResult:
    """PLS-SEM with interaction terms (moderation).

    Parameters
    ----------
    data : pandas.DataFrame
        Indicator columns.
    measurement, mode : mapping
        As for :func:`~egovstudy.pls.pls_sem`, without the interaction constructs.
    structural : sequence of (from, to) or mapping
        The paths, including those from each interaction construct, named
        ``"IV*MODERATOR"`` (e.g. ``("CUSA*SC", "CUSL")``); the main effects of the IV and
        the moderator on the same target belong in it too.
    interactions : sequence of (iv, moderator)
        The interaction terms, e.g. ``[("CUSA", "SC")]``.
    method : {"two_stage", "product_indicator"}
        How the interaction term is measured (see the module docstring).
    missing, na_values
        Missing-value handling, applied once before the interaction term is built.
    **kwargs
        Passed on to :func:`~egovstudy.pls.pls_sem` (``n_boot``, ``seed``, ``scheme``, ...).

    Returns
    -------
    ModerationResult

    Notes
    -----
    With ``"two_stage"`` the bootstrap resamples the second stage: the interaction
    indicator is computed once from the stage-1 scores of the full sample (SmartPLS and
    seminr re-run stage 1 in every resample). Point estimates are unaffected; on the
    moderation model of Hair et al. (2021, ch. 7) the standard error of CUSA*SC -> CUSL is
    0.0365 this way and 0.0364 when 400 resamples re-run both stages.

    Examples
    --------
    >>> rng = np.random.default_rng(4)
    >>> x, m = rng.normal(size=(2, 400))
    >>> y = 0.4 * x + 0.3 * m + 0.3 * x * m + 0.6 * rng.normal(size=400)
    >>> d = pd.DataFrame({f"x{i}": x + 0.5 * rng.normal(size=400) for i in (1, 2)}
    ...                  | {f"m{i}": m + 0.5 * rng.normal(size=400) for i in (1, 2)}
    ...                  | {f"y{i}": y + 0.5 * rng.normal(size=400) for i in (1, 2)})
    >>> r = pls_moderation(d, measurement={"X": ["x1", "x2"], "M": ["m1", "m2"],
    ...                                    "Y": ["y1", "y2"]},
    ...                    structural=[("X", "Y"), ("M", "Y"), ("X*M", "Y")],
    ...                    interactions=[("X", "M")], n_boot=200, seed=1, q2_folds=0)
    >>> row = r.interactions.iloc[0]
    >>> row["term"], bool(row["estimate"] > 0.1 and row["p_value"] < 0.05)
    ('X*M', True)
    """
    if not isinstance(data, pd.DataFrame):
        raise ModelSpecError(f"data is a {type(data).__name__}; pass a pandas DataFrame")
    if method not in ("two_stage", "product_indicator"):
        raise ModelSpecError(f"method={method!r}: choose 'two_stage' or 'product_indicator'")
    if not isinstance(measurement, Mapping) or not measurement:
        raise ModelSpecError("measurement must map each construct to its indicator columns")
    if isinstance(interactions, str) or not interactions:
        raise ModelSpecError("interactions must list (iv, moderator) pairs, e.g. "
                             "[('CUSA', 'SC')]")
    blocks = {c: ([v] if isinstance(v, str) else list(v)) for c, v in measurement.items()}
    cons = list(blocks)
    terms: list[tuple[str, str, str]] = []
    for pr in interactions:
        if isinstance(pr, str) or len(pr) != 2:
            raise ModelSpecError(f"interactions entry {pr!r}: give an (iv, moderator) pair")
        iv, mo = str(pr[0]), str(pr[1])
        _name_check(iv, cons, "interactions")
        _name_check(mo, cons, "interactions")
        if iv == mo:
            raise ModelSpecError(f"interaction {iv}*{mo}: the moderator must differ from "
                                 "the independent construct")
        terms.append((f"{iv}*{mo}", iv, mo))
    names = [t for t, _, _ in terms]
    if len(set(names)) != len(names):
        raise ModelSpecError("interactions lists the same pair twice")
    pairs = _pairs(structural)
    for t, _, _ in terms:
        if not any(f == t for f, _ in pairs):
            raise ModelSpecError(f"structural has no path from the interaction {t!r}; add "
                                 f"e.g. ({t!r}, 'TARGET')")
    for f, _ in pairs:
        if "*" in f and f not in names:
            raise ModelSpecError(f"structural path from {f!r}, which is not in interactions; "
                                 f"add ({f.split('*')[0]!r}, {f.split('*', 1)[1]!r}) to "
                                 "interactions")
    clash = [t for t in names if t in data.columns or t in cons]
    if clash:
        raise ModelSpecError(f"{clash[0]!r} is already a column or construct; rename it")
    items = [it for b in blocks.values() for it in b]
    X, _ = _prepare(data, items, missing, na_values)
    d2 = data.loc[X.index].copy()
    d2[items] = X
    mm2 = dict(blocks)
    base_pairs = [(f, t) for f, t in pairs if f not in names]
    opts = {k: v for k, v in kwargs.items() if k in ("scheme", "max_iter", "tol")}
    # the main-effects model: stage 1 of the two-stage approach and, for every method,
    # the "excluded" model of the interaction's f2
    stage1 = pls_sem(d2, measurement=blocks, structural=base_pairs, mode=mode, n_boot=0,
                     q2_folds=0, **opts)
    stage1_scores = stage1.scores if method == "two_stage" else None
    new_cols: dict[str, np.ndarray] = {}
    for t, iv, mo in terms:
        if stage1_scores is not None:
            new_cols[t] = (stage1_scores[iv] * stage1_scores[mo]).to_numpy()
            mm2[t] = [t]
        else:
            zi = (X[blocks[iv]] - X[blocks[iv]].mean()) / X[blocks[iv]].std()
            zm = (X[blocks[mo]] - X[blocks[mo]].mean()) / X[blocks[mo]].std()
            cols = []
            for a in blocks[iv]:
                for b in blocks[mo]:
                    nm = f"{a}*{b}"
                    new_cols[nm] = (zi[a] * zm[b]).to_numpy()
                    cols.append(nm)
            mm2[t] = cols
    clash = [c for c in new_cols if c in data.columns]
    if clash:
        raise ModelSpecError(f"product indicator {clash[0]!r} is already a column of data; "
                             "rename it")
    d2 = pd.concat([d2, pd.DataFrame(new_cols, index=d2.index)], axis=1)
    fit = pls_sem(d2, measurement=mm2, structural=pairs, mode=mode, **kwargs)
    r2_in = fit.r2.set_index("construct")["r2"]
    r2_ex = stage1.r2.set_index("construct")["r2"]
    rows = []
    for t, iv, mo in terms:
        for _, p in fit.paths[fit.paths["from"] == t].iterrows():
            rows.append({"term": t, "iv": iv, "moderator": mo, "to": p["to"],
                         **{k: p[k] for k in ("estimate", "std_error", "statistic", "p_value",
                                              "ci_low", "ci_high")},
                         "f2": float((r2_in[p["to"]] - r2_ex[p["to"]])
                                     / (1 - r2_in[p["to"]]))})
    return ModerationResult(fit=fit, interactions=pd.DataFrame(rows), method=method)


def simple_slopes_pls(result: ModerationResult, *, term: str | None = None,
                      to: str | None = None, labels: Mapping[str, str] | None = None,
                      language: str = "en", ax: Axes | None = None) -> Axes:
    """Simple-slope plot: the target against the IV at the moderator's mean and +/- 1 SD.

    All constructs are standardized, so the lines are ``b_iv * x + b_mod * w +
    b_int * x * w`` for ``w`` in (-1, 0, 1); each slope ``b_iv + b_int * w`` is tested
    with the bootstrap covariance of the three paths.

    Parameters
    ----------
    result : ModerationResult
        From :func:`pls_moderation` with ``n_boot > 0``.
    term, to : str, optional
        Interaction (``"IV*MOD"``) and target; default the first interaction path.
    labels : mapping, optional
        Display names of constructs.
    language : {"en", "id"}
        Legend language.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> rng = np.random.default_rng(4)
    >>> x, m = rng.normal(size=(2, 300))
    >>> y = 0.4 * x + 0.3 * m + 0.3 * x * m + 0.6 * rng.normal(size=300)
    >>> d = pd.DataFrame({"x1": x, "m1": m, "y1": y})
    >>> r = pls_moderation(d, measurement={"X": ["x1"], "M": ["m1"], "Y": ["y1"]},
    ...                    structural=[("X", "Y"), ("M", "Y"), ("X*M", "Y")],
    ...                    interactions=[("X", "M")], n_boot=200, seed=1, q2_folds=0)
    >>> ax = simple_slopes_pls(r)
    >>> len(ax.get_lines())
    3
    """
    from egovstudy.report.figures import simple_slopes
    from egovstudy.report.style import house_style

    if not isinstance(result, ModerationResult):
        raise ModelSpecError(f"result is a {type(result).__name__}; pass the ModerationResult "
                             "of pls_moderation")
    boot = result.fit.boot
    if boot is None:
        raise ModelSpecError("the moderation model has no bootstrap; refit with n_boot > 0 to "
                             "test the simple slopes")
    rows = result.interactions
    if term is not None:
        _name_check(term, list(rows["term"].unique()), "term")
        rows = rows[rows["term"] == term]
    if to is not None:
        _name_check(to, list(rows["to"].unique()), "to")
        rows = rows[rows["to"] == to]
    r = rows.iloc[0]
    iv, mo, tgt, t = r["iv"], r["moderator"], r["to"], r["term"]
    keys = {iv: f"path:{iv} -> {tgt}", mo: f"path:{mo} -> {tgt}", t: f"path:{t} -> {tgt}"}
    missing = [k for k, v in keys.items() if v not in boot.names]
    if missing:
        raise ModelSpecError(f"structural has no path {missing[0]} -> {tgt}; the simple "
                             "slopes need the main effects of the IV and the moderator")
    idx = [boot.names.index(v) for v in keys.values()]
    est = pd.Series(boot.estimate[idx], index=list(keys))
    ok = np.isfinite(boot.samples[:, idx]).all(axis=1)
    V = pd.DataFrame(np.cov(boot.samples[ok][:, idx], rowvar=False), index=list(keys),
                     columns=list(keys))
    with house_style():
        return simple_slopes(est, V, x=iv, w=mo, xw=t, x_range=(-2.0, 2.0),
                             w_values=(-1.0, 0.0, 1.0), df_resid=int(ok.sum()) - 1,
                             labels=labels, y_name=tgt, language=language, ax=ax)


# --------------------------------------------------------------------------- higher order
@dataclass(frozen=True)
class HigherOrderResult:
    """Result of :func:`pls_higher_order`.

    Attributes
    ----------
    fit : PLSResult
        The model with the higher-order constructs (HOCs). With ``"two_stage"`` the HOC's
        indicators are its dimensions' stage-1 scores (named after the dimensions); with
        ``"repeated_indicators"`` the dimensions are constructs of the model and the HOC's
        indicators are copies of theirs, named ``"item@HOC"``.
    first_stage : PLSResult or None
        The stage-1 model (two-stage approach only).
    higher_order : dict
        HOC -> its dimensions (lower-order constructs).
    method : str
    """

    fit: PLSResult
    first_stage: PLSResult | None
    higher_order: dict[str, list[str]]
    method: str

    def tidy(self) -> pd.DataFrame:
        """The fit's tidy frame."""
        return self.fit.tidy()

    def summary(self) -> str:
        """Text report."""
        hoc = "; ".join(f"{h} <- {', '.join(d)}" for h, d in self.higher_order.items())
        return f"Higher-order constructs ({self.method}): {hoc}\n\n" + self.fit.summary()

    def _repr_html_(self) -> str:
        return f"<h4>Higher-order constructs ({self.method})</h4>" + self.fit._repr_html_()


def pls_higher_order(data: pd.DataFrame, *, measurement: Mapping[str, Sequence[str]],
                     structural: Any, higher_order: Mapping[str, Sequence[str]],
                     method: Literal["two_stage", "repeated_indicators"] = "two_stage",
                     hoc_mode: Mapping[str, Mode] | None = None,
                     mode: Mapping[str, Mode] | None = None,
                     missing: Literal["mean", "listwise", "raise"] = "mean",
                     na_values: Sequence[float] = (), **kwargs: Any) -> HigherOrderResult:
    """PLS-SEM with higher-order constructs (Sarstedt et al. 2019; Hair et al. 2021).

    Parameters
    ----------
    data : pandas.DataFrame
        Indicator columns.
    measurement, mode : mapping
        The lower-order constructs (the HOCs' dimensions) and the other constructs, as
        for :func:`~egovstudy.pls.pls_sem`.
    structural : sequence of (from, to) or mapping
        Paths among the HOCs and the other constructs; a HOC's dimensions do not appear
        in it (their relations to the HOC are implied).
    higher_order : mapping
        HOC name -> its dimensions, e.g. ``{"Satisfaction": ["Image", "Value"]}``.
    method : {"two_stage", "repeated_indicators"}
        ``"two_stage"`` (disjoint two-stage, seminr's ``two_stage``): stage 1 replaces
        each HOC by its dimensions (the HOC's antecedents point at every dimension, every
        dimension at the HOC's outcomes); stage 2 measures the HOC by the dimensions'
        stage-1 scores. ``"repeated_indicators"``: the HOC is measured by all its
        dimensions' indicators; it points at its dimensions (reflective-reflective,
        ``hoc_mode`` ``"A"``) or they point at it (reflective-formative, ``"B"``).
    hoc_mode : mapping, optional
        HOC -> ``"A"`` (reflective-reflective, default) or ``"B"``
        (reflective-formative).
    missing, na_values
        Missing-value handling, applied once before the stages.
    **kwargs
        Passed on to :func:`~egovstudy.pls.pls_sem` (``n_boot``, ``seed``, ...).

    Returns
    -------
    HigherOrderResult

    Notes
    -----
    With ``"two_stage"`` the bootstrap resamples stage 2 with the stage-1 scores fixed;
    the point estimates match seminr's ``two_stage`` HOC (``tests/test_pls_extend.py``).

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> g = rng.normal(size=600)
    >>> a, b = (0.8 * g + 0.6 * rng.normal(size=600) for _ in range(2))
    >>> y = 0.5 * g + 0.85 * rng.normal(size=600)
    >>> d = pd.DataFrame({f"a{i}": a + 0.5 * rng.normal(size=600) for i in (1, 2, 3)}
    ...                  | {f"b{i}": b + 0.5 * rng.normal(size=600) for i in (1, 2, 3)}
    ...                  | {f"y{i}": y + 0.5 * rng.normal(size=600) for i in (1, 2)})
    >>> r = pls_higher_order(d, measurement={"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"],
    ...                                      "Y": ["y1", "y2"]},
    ...                      structural=[("G", "Y")], higher_order={"G": ["A", "B"]},
    ...                      n_boot=0, q2_folds=0)
    >>> bool(0.3 < r.fit.paths.loc[0, "estimate"] < 0.6)
    True
    """
    if not isinstance(data, pd.DataFrame):
        raise ModelSpecError(f"data is a {type(data).__name__}; pass a pandas DataFrame")
    if method not in ("two_stage", "repeated_indicators"):
        raise ModelSpecError(f"method={method!r}: choose 'two_stage' or 'repeated_indicators'")
    if not isinstance(measurement, Mapping) or not measurement:
        raise ModelSpecError("measurement must map each construct to its indicator columns")
    if not isinstance(higher_order, Mapping) or not higher_order:
        raise ModelSpecError("higher_order must map each higher-order construct to its "
                             "dimensions, e.g. {'Satisfaction': ['Image', 'Value']}")
    blocks = {c: ([v] if isinstance(v, str) else list(v)) for c, v in measurement.items()}
    cons = list(blocks)
    hocs: dict[str, list[str]] = {}
    used: dict[str, str] = {}
    for h, dims in higher_order.items():
        if h in blocks:
            raise ModelSpecError(f"higher_order construct {h!r} is also in measurement; a HOC "
                                 "is measured through its dimensions, remove it there")
        dl = [dims] if isinstance(dims, str) else list(dims)
        if len(dl) < 2:
            raise ModelSpecError(f"higher_order[{h!r}] has {len(dl)} dimension; give two or "
                                 "more lower-order constructs")
        for dm in dl:
            _name_check(dm, cons, f"higher_order[{h!r}]")
            if dm in used:
                raise ModelSpecError(f"dimension {dm!r} belongs to both {used[dm]!r} and {h!r}")
            used[dm] = h
        hocs[h] = dl
    hm = dict.fromkeys(hocs, "A")
    for h, m in (hoc_mode or {}).items():
        if h not in hocs:
            _name_check(h, list(hocs), "hoc_mode")
        if m not in ("A", "B"):
            raise ModelSpecError(f"hoc_mode[{h!r}]={m!r}: choose 'A' (reflective-reflective) "
                                 "or 'B' (reflective-formative)")
        hm[h] = m
    pairs = _pairs(structural)
    for f, t in pairs:
        for c in (f, t):
            if c in used:
                raise ModelSpecError(f"structural path {f} -> {t} names the dimension {c!r} of "
                                     f"{used[c]!r}; use the higher-order construct instead")
    items = [it for b in blocks.values() for it in b]
    X, _ = _prepare(data, items, missing, na_values)
    d2 = data.loc[X.index].copy()
    d2[items] = X
    mode_all: dict[str, Mode] = dict(mode or {})
    if method == "two_stage":
        s1: list[tuple[str, str]] = []
        for f, t in pairs:
            for a in hocs.get(f, [f]):
                for b in hocs.get(t, [t]):
                    s1.append((a, b))
        opts = {k: v for k, v in kwargs.items() if k in ("scheme", "max_iter", "tol")}
        first = pls_sem(d2, measurement=blocks, structural=s1, mode=mode, n_boot=0, q2_folds=0,
                        **opts)
        dims = [dm for dl in hocs.values() for dm in dl]
        clash = [dm for dm in dims if dm in items]
        if clash:
            raise ModelSpecError(f"dimension {clash[0]!r} is also an indicator name; the "
                                 "stage-1 scores take the dimensions' names, rename one")
        # the stage-1 scores replace any unused data column of the same name in this copy
        d2 = pd.concat([d2.drop(columns=[dm for dm in dims if dm in d2.columns]),
                        first.scores[dims]], axis=1)
        mm2 = {c: b for c, b in blocks.items() if c not in used}
        mm2.update({h: list(dl) for h, dl in hocs.items()})
        mode2 = {c: m for c, m in mode_all.items() if c not in used}
        mode2.update({h: hm[h] for h in hocs})  # type: ignore[misc]
        fit = pls_sem(d2, measurement=mm2, structural=pairs, mode=mode2, **kwargs)
        return HigherOrderResult(fit=fit, first_stage=first, higher_order=hocs, method=method)
    # repeated indicators
    mm3 = dict(blocks)
    extra: dict[str, pd.Series] = {}
    s3 = list(pairs)
    for h, dl in hocs.items():
        reps = []
        for dm in dl:
            for it in blocks[dm]:
                nm = f"{it}@{h}"
                if nm in data.columns:
                    raise ModelSpecError(f"column {nm!r} exists; the repeated indicators take "
                                         "that name, rename it")
                extra[nm] = X[it]
                reps.append(nm)
        mm3[h] = reps
        s3 += [(h, dm) if hm[h] == "A" else (dm, h) for dm in dl]
        mode_all[h] = hm[h]  # type: ignore[assignment]
    d3 = pd.concat([d2, pd.DataFrame(extra, index=d2.index)], axis=1)
    fit = pls_sem(d3, measurement=mm3, structural=s3, mode=mode_all, **kwargs)
    return HigherOrderResult(fit=fit, first_stage=None, higher_order=hocs, method=method)
