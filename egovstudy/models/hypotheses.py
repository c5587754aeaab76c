"""Hypothesis decisions (H1..Hn), the model F test, partial F tests of blocks and
hierarchical regression with R-squared change and F change."""

from __future__ import annotations

import html
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from egovstudy._text import fmt, fmt_p
from egovstudy.errors import DataQualityWarning, ModelSpecError
from egovstudy.models.design import formula_columns
from egovstudy.models.ols import ols
from egovstudy.models.results import OLSResult

__all__ = ["HierarchicalResult", "HypothesisResult", "hierarchical_regression", "partial_f",
           "test_hypotheses"]

_DIRECTIONS = ("positive", "negative", "two-sided")


@dataclass(frozen=True)
class HypothesisResult:
    """Decisions per hypothesis plus the model F test."""

    table: pd.DataFrame
    model_f: dict[str, float]

    def tidy(self) -> pd.DataFrame:
        """hypothesis, term, direction, tail, estimate, std_error, statistic, df, p_value,
        alpha, decision, sentence_en, sentence_id."""
        return self.table.copy()

    def summary(self) -> str:
        """Plain-text table and the model F test."""
        f = self.model_f
        cols = ["hypothesis", "term", "direction", "tail", "estimate", "statistic", "p_value",
                "decision"]
        return (self.table[cols].to_string(index=False, float_format=lambda v: f"{v:.4g}")
                + f"\nModel F({f['df1']:.0f}, {f['df2']:.0f}) = {f['f']:.4f}, "
                  f"p = {f['p_value']:.4g}")

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        last = html.escape(self.summary().splitlines()[-1])
        return "<h4>Hypothesis tests</h4>" + self.table.to_html(
            index=False, float_format="{:.4f}".format) + f"<p>{last}</p>"


_TAILS = ("two-sided", "one-sided")


def _normalise(h: Any, i: int, alpha: float) -> dict[str, Any]:
    if isinstance(h, Mapping):
        spec = dict(h)
    elif isinstance(h, (tuple, list)) and 2 <= len(h) <= 3:
        spec = {"term": h[0], "direction": h[1]}
        if len(h) == 3:
            spec["alpha"] = h[2]
    else:
        raise ModelSpecError(
            f"hypothesis #{i + 1} ({h!r}) must be a dict like {{'id': 'H1', 'term': 'hrq', "
            "'direction': 'positive', 'tail': 'two-sided', 'alpha': 0.05}} or a tuple "
            "(term, direction[, alpha])")
    unknown = sorted(set(spec) - {"id", "term", "direction", "tail", "alpha"})
    if unknown:
        import difflib

        close = difflib.get_close_matches(unknown[0], ["id", "term", "direction", "tail",
                                                       "alpha"], n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ModelSpecError(f"hypothesis #{i + 1}: unknown key {unknown[0]!r}{hint}; keys are "
                             "id, term, direction, tail, alpha")
    spec.setdefault("id", f"H{i + 1}")
    spec.setdefault("direction", "two-sided")
    spec.setdefault("tail", "two-sided")
    spec.setdefault("alpha", alpha)
    if spec["direction"] not in _DIRECTIONS:
        raise ModelSpecError(
            f"hypothesis {spec['id']}: direction {spec['direction']!r} is not one of "
            f"{list(_DIRECTIONS)}")
    if spec["tail"] not in _TAILS:
        raise ModelSpecError(
            f"hypothesis {spec['id']}: tail {spec['tail']!r} is not one of {list(_TAILS)}")
    if spec["tail"] == "one-sided" and spec["direction"] == "two-sided":
        raise ModelSpecError(
            f"hypothesis {spec['id']}: a one-sided test needs an expected sign; set direction "
            "to 'positive' or 'negative', or keep tail 'two-sided'")
    if not 0 < float(spec["alpha"]) < 1:
        raise ModelSpecError(f"hypothesis {spec['id']}: alpha must lie in (0, 1)")
    return spec


def test_hypotheses(result: OLSResult, hypotheses: Sequence[Any], *,
                    alpha: float = 0.05) -> HypothesisResult:
    """Decide each hypothesis about a coefficient from the user's list.

    The t tests are those of the coefficient table (R ``coeftest(fit, vcov)`` with the same
    covariance and df).

    Every test is **two-sided** unless a hypothesis asks for ``tail="one-sided"``. A
    directional hypothesis (``direction`` ``"positive"`` or ``"negative"``) is supported
    when the estimate has the expected sign and ``p < alpha``; with the default two-sided
    test that is exactly when the ``1 - alpha`` confidence interval of ``tidy()`` lies on the
    expected side of zero, so the decision and the interval beside it never disagree. The
    ``tail`` column and both sentences say which p value was used, and every t uses the
    df of the fit's variance (``G - 1`` under cluster-robust errors).

    Parameters
    ----------
    result : OLSResult
        The fitted model.
    hypotheses : sequence
        Dicts ``{"id", "term", "direction", "tail", "alpha"}`` (only ``term`` required;
        ``direction`` defaults to ``"two-sided"``, ``tail`` to ``"two-sided"``) or tuples
        ``(term, direction[, alpha])``.
    alpha : float
        Default significance level.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from egovstudy.models import ols
    >>> rng = np.random.default_rng(3)
    >>> df = pd.DataFrame({"x": rng.normal(size=80), "z": rng.normal(size=80)})
    >>> df["y"] = 0.6 * df.x + rng.normal(size=80)
    >>> hr = test_hypotheses(ols("y ~ x + z", df), [("x", "positive"), ("z", "negative")])
    >>> hr.tidy()[["decision", "tail"]].values.tolist()
    [['supported', 'two-sided'], ['not supported', 'two-sided']]
    """
    from scipy import stats

    if not isinstance(result, OLSResult):
        raise ModelSpecError("test_hypotheses needs an OLSResult from egovstudy.models.ols")
    tidy = result.tidy().set_index("term")
    outcome = result.response
    rows = []
    for i, h in enumerate(hypotheses):
        spec = _normalise(h, i, alpha)
        term = spec["term"]
        if term not in tidy.index:
            import difflib

            close = difflib.get_close_matches(str(term), [str(t) for t in tidy.index], n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ModelSpecError(
                f"hypothesis {spec['id']}: term {term!r} is not in the model{hint}; terms are "
                f"{list(tidy.index)}")
        est, se, t = (float(tidy.loc[term, c]) for c in ("estimate", "std_error", "statistic"))
        df = result.df_inference
        a = float(spec["alpha"])
        direction, tail = spec["direction"], spec["tail"]
        if tail == "two-sided":
            p = float(2 * stats.t.sf(abs(t), df))
        elif direction == "positive":
            p = float(stats.t.sf(t, df))
        else:
            p = float(stats.t.cdf(t, df))
        sign_ok = {"positive": est > 0, "negative": est < 0}.get(direction, True)
        ok = bool(sign_ok and p < a)
        dec = "supported" if ok else "not supported"
        why_en = why_id = ""
        if not sign_ok:
            why_en = f" (the estimate is {'negative' if est < 0 else 'zero or positive'}, " \
                     f"against the expected {direction} sign)"
            why_id = " (arah koefisien berlawanan dengan dugaan)"
        en = (f"{spec['id']} ({term} -> {outcome}, expected {direction}): b = {est:.3f}, "
              f"t({df}) = {t:.3f}, {tail} {fmt_p(p, 'en')}; {dec} at alpha = {a:g}{why_en}.")
        sig_id = "signifikan" if p < a else "tidak signifikan"
        dir_id = {"positive": "positif", "negative": "negatif"}.get(
            direction if sign_ok else ("negative" if est < 0 else "positive"), "")
        effect_id = (f"{term} berpengaruh {dir_id} dan {sig_id} terhadap {outcome}"
                     if dir_id else f"pengaruh {term} terhadap {outcome} {sig_id}")
        tail_id = "dua arah" if tail == "two-sided" else "satu arah"
        idn = (f"{spec['id']}: {effect_id} (b = {fmt(est, 3, 'id')}; "
               f"t({df}) = {fmt(t, 3, 'id')}; {fmt_p(p, 'id')}, uji {tail_id}); hipotesis "
               f"{'diterima' if ok else 'ditolak'} pada α = {fmt(a, 2, 'id')}{why_id}.")
        rows.append({"hypothesis": spec["id"], "term": term, "direction": direction,
                     "tail": tail, "estimate": est, "std_error": se, "statistic": t, "df": df,
                     "p_value": p, "alpha": a, "decision": dec, "sentence_en": en,
                     "sentence_id": idn})
    mf = result.model_f_test()
    return HypothesisResult(table=pd.DataFrame(rows), model_f=mf)


def partial_f(result: OLSResult, terms: Sequence[str]) -> dict[str, float]:
    """Partial F test that every column of the given formula terms is zero.

    ``terms`` are formula terms (``"C(region)"`` covers all its dummies) or column names.
    With the classical covariance this is the textbook nested-model F test.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from egovstudy.models import ols
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"x": rng.normal(size=50), "z": rng.normal(size=50)})
    >>> df["y"] = df.x + rng.normal(size=50)
    >>> partial_f(ols("y ~ x + z", df), ["x", "z"])["df1"]
    2.0
    """
    cols: list[int] = []
    for t in terms:
        if t in result.term_columns:
            cols += result.term_columns[t]
        elif t in result.terms:
            cols.append(result.terms.index(t))
        else:
            raise ModelSpecError(
                f"term {t!r} is not in the model; terms are {list(result.term_columns)}")
    R = np.eye(result.k)[sorted(set(cols))]
    return result.wald_test(R)


@dataclass(frozen=True)
class HierarchicalResult:
    """Steps of a hierarchical regression and the fitted model of each step."""

    table: pd.DataFrame
    models: list[OLSResult]

    def tidy(self) -> pd.DataFrame:
        """One row per step: step, added, r2, adj_r2, r2_change, f_change, df1, df2,
        p_change, f, f_p_value, n."""
        return self.table.copy()

    def summary(self) -> str:
        """Plain-text model-summary table (as SPSS's 'Model Summary' with change statistics)."""
        return "Hierarchical regression\n" + self.table.to_string(
            index=False, float_format=lambda v: f"{v:.4g}")

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return "<h4>Hierarchical regression</h4>" + self.table.to_html(
            index=False, float_format="{:.4f}".format)


def hierarchical_regression(response: str, blocks: Sequence[Sequence[str]],
                            data: pd.DataFrame) -> HierarchicalResult:
    """Enter blocks of predictors one after another; report R^2 change and F change.

    Every step uses the same cases: those complete on the response and all blocks
    (as SPSS ``REGRESSION /METHOD=ENTER`` in blocks).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(5)
    >>> df = pd.DataFrame(rng.normal(size=(100, 3)), columns=["a", "b", "c"])
    >>> df["y"] = df.a + 0.5 * df.b + rng.normal(size=100)
    >>> hr = hierarchical_regression("y", [["a"], ["b", "c"]], df)
    >>> hr.tidy()[["step", "df1", "df2"]].values.tolist()
    [[1, 1, 98], [2, 2, 96]]
    """
    from scipy import stats

    if not blocks or any(not b for b in blocks):
        raise ModelSpecError("blocks must be a non-empty list of non-empty lists of terms")
    full = f"{response} ~ " + " + ".join(t for b in blocks for t in b)
    _, used = formula_columns(full, data)
    complete = data.dropna(subset=used)
    if len(complete) < len(data):
        warnings.warn(
            f"hierarchical regression: {len(data) - len(complete)} of {len(data)} rows dropped "
            "listwise so that every step uses the same cases", DataQualityWarning, stacklevel=2)
    rows = []
    models = []
    terms: list[str] = []
    prev_r2 = 0.0
    prev_k = 1
    for i, block in enumerate(blocks, start=1):
        terms = terms + list(block)
        res = ols(f"{response} ~ " + " + ".join(terms), complete)
        fs = res.fit_stats()
        df1 = res.k - prev_k
        df2 = res.df_resid
        dr2 = fs["r2"] - prev_r2
        f_change = (dr2 / df1) / ((1 - fs["r2"]) / df2)
        rows.append({"step": i, "added": ", ".join(block), "r2": fs["r2"],
                     "adj_r2": fs["adj_r2"], "r2_change": dr2, "f_change": f_change,
                     "df1": df1, "df2": df2,
                     "p_change": float(stats.f.sf(f_change, df1, df2)), "f": fs["f"],
                     "f_p_value": fs["f_p_value"], "n": res.n})
        models.append(res)
        prev_r2 = fs["r2"]
        prev_k = res.k
    return HierarchicalResult(table=pd.DataFrame(rows), models=models)
test_hypotheses.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
