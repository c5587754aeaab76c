"""Publication figures. Every function draws on ``ax=`` (or new axes) and returns it.

No function here saves a file: use :func:`egovstudy.report.save_figure`. Draw
inside :func:`egovstudy.report.style.house_style` for the house look.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> df = pd.DataFrame({"q1": [1, 2, 4, 5, 5], "q2": [3, 3, 4, 4, 2]})
>>> ax = likert_bars(df, ["q1", "q2"])
>>> [t.get_text() for t in ax.get_yticklabels()]
['q1', 'q2']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from egovstudy.errors import InsufficientDataError, ModelSpecError, OutputError
from egovstudy.report.language import check_language, likert_labels, text
from egovstudy.report.numbers import fmt_num, stars
from egovstudy.report.style import CORR_CMAP, GREY, OKABE_ITO, diverging_colors

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = [
    "bootstrap_distribution",
    "coefficient_plot",
    "correlation_heatmap",
    "indicator_trends",
    "item_distributions",
    "johnson_neyman",
    "johnson_neyman_plot",
    "likert_bars",
    "path_diagram",
    "qq_plot",
    "residual_diagnostics",
    "residuals_vs_fitted",
    "residuals_vs_leverage",
    "scale_location",
    "simple_slopes",
]


def _ax(ax: Axes | None, figsize: tuple[float, float] = (6.5, 4.0)) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=figsize)
    return new


def _fit_labels(ax: Axes, share: float = 0.9) -> None:
    """Wrap the axis labels and the title onto lines shorter than the axes side.

    A long construct label ("Perceived pervasiveness of sex discrimination") would
    otherwise run past the figure edge, where no layout engine can bring it back.
    """
    import textwrap

    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    for t, side, vertical in ((ax.xaxis.label, ax.bbox.width, False),
                              (ax.yaxis.label, ax.bbox.height, True),
                              (ax.title, ax.bbox.width, False)):
        s = t.get_text()
        if not s or "\n" in s:
            continue
        bb = t.get_window_extent(renderer)
        long = bb.height if vertical else bb.width
        if long > share * side:
            chars = max(12, int(len(s) * share * side / long))
            t.set_text("\n".join(textwrap.wrap(s, chars)))


def _cols(data: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise ModelSpecError(f"{what}: column(s) {missing} not in data; available: "
                             f"{list(data.columns)[:15]}")


def _percentages(data: pd.DataFrame, cols: Sequence[str], values: Sequence[int]) -> np.ndarray:
    import numpy as np
    import pandas as pd

    out = np.zeros((len(cols), len(values)))
    for i, c in enumerate(cols):
        x = pd.to_numeric(data[c], errors="coerce").dropna()
        if len(x) == 0:
            raise InsufficientDataError(f"column {c!r} has no responses")
        out[i] = [100.0 * float((x == v).sum()) / len(x) for v in values]
    return out


# ---------------------------------------------------------------------------- Likert
def likert_bars(
    data: pd.DataFrame,
    items: Sequence[str] | Mapping[str, Sequence[str]],
    *,
    values: Sequence[int] = (1, 2, 3, 4, 5),
    level: str = "item",
    category_labels: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    language: str = "en",
    annotate: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Diverging stacked bars of Likert responses, centred on the neutral point.

    Parameters
    ----------
    items : list of items, or mapping construct -> items
        With a mapping and ``level="item"``, items are grouped under their
        construct; with ``level="construct"`` one bar pools each construct's items.
    values : scale points, lowest first.
    category_labels : legend labels (default: agreement labels in ``language``).
    annotate : print the disagree / agree totals beside each bar.
    """
    import numpy as np
    import pandas as pd

    check_language(language)
    if level not in ("item", "construct"):
        raise OutputError(f"level={level!r} is not supported; use 'item' or 'construct'")
    lab = dict(labels or {})
    groups = ({str(k): list(v) for k, v in items.items()} if isinstance(items, Mapping)
              else {"": list(items)})
    for its in groups.values():
        _cols(data, its, "likert_bars")
    values = list(values)
    k = len(values)
    if k < 2:
        raise OutputError("values needs at least two scale points")
    rows: list[tuple[str, np.ndarray | None, bool]] = []
    if level == "construct":
        for g, its in groups.items():
            pooled = pd.DataFrame({"x": pd.concat([data[c] for c in its], ignore_index=True)})
            rows.append((lab.get(g, g), _percentages(pooled, ["x"], values)[0], False))
    else:
        for g, its in groups.items():
            if g and len(groups) > 1:
                rows.append((lab.get(g, g), None, True))
            pct = _percentages(data, its, values)
            rows.extend((lab.get(c, c), pct[i], False) for i, c in enumerate(its))
    ax = _ax(ax, (6.5, max(2.0, 0.32 * len(rows) + 1.2)))
    colors = diverging_colors(k)
    names = list(category_labels) if category_labels is not None else likert_labels(k, language)
    if len(names) != k:
        raise OutputError(f"category_labels has {len(names)} entries for {k} scale points")
    mid = (k - 1) / 2
    y = np.arange(len(rows))[::-1]
    handles: dict[int, Any] = {}
    for yi, (_name, pct_row, _hdr) in zip(y, rows):
        if pct_row is None:
            continue
        pct = pct_row
        neg = pct[: int(np.floor(mid))].sum() + (pct[k // 2] / 2 if k % 2 else 0)
        left = -neg
        for j in range(k):
            h = ax.barh(yi, pct[j], left=left, color=colors[j], height=0.72,
                        edgecolor="white", linewidth=0.5)
            handles.setdefault(j, h)
            if pct[j] >= 9:
                ax.text(left + pct[j] / 2, yi, f"{pct[j]:.0f}", ha="center", va="center",
                        fontsize=7, color="white" if j in (0, k - 1) else "black")
            left += pct[j]
        if annotate:
            disagree = pct[: k // 2].sum()
            agree = pct[(k + 1) // 2:].sum()
            ax.text(-neg - 2, yi, f"{disagree:.0f}%", ha="right", va="center", fontsize=8,
                    color="#333333")
            ax.text(left + 2, yi, f"{agree:.0f}%", ha="left", va="center", fontsize=8,
                    color="#333333")
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels([r[0] for r in rows])
    for tick, (_, _, hdr) in zip(ax.get_yticklabels(), rows):
        if hdr:
            tick.set_fontweight("bold")
    ax.set_xlim(-105, 105)
    ax.set_xticks([-100, -50, 0, 50, 100])
    ax.set_xticklabels(["100", "50", "0", "50", "100"])
    ax.set_xlabel(text("percent", language))
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    # as many legend columns as fit in the axes' width (the legend is centred on it):
    # the Indonesian labels are long ("Sangat tidak setuju") and were cut at 5 columns
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    shown = [handles[j] for j in range(k) if j in handles]
    for ncol in range(min(k, 5), 0, -1):
        leg = ax.legend(shown, names, ncol=ncol, loc="lower center", bbox_to_anchor=(0.5, 1.0),
                        fontsize=8, handlelength=1.2, columnspacing=1.0)
        if leg.get_window_extent(renderer).width <= 0.9 * ax.bbox.width:
            break
    _fit_labels(ax)
    return ax


def item_distributions(
    data: pd.DataFrame,
    items: Sequence[str],
    *,
    values: Sequence[int] = (1, 2, 3, 4, 5),
    labels: Mapping[str, str] | None = None,
    language: str = "en",
    ax: Axes | None = None,
) -> Axes:
    """Response distribution of each item as a grid of percentages (items x scale points).

    Cells are shaded by percent (sequential, colour-blind safe) and annotated;
    the item mean is printed at the right.
    """
    import numpy as np
    import pandas as pd

    check_language(language)
    _cols(data, items, "item_distributions")
    pct = _percentages(data, items, values)
    lab = dict(labels or {})
    ax = _ax(ax, (5.5, max(2.0, 0.3 * len(items) + 1.2)))
    ax.imshow(pct, cmap="Blues", vmin=0, vmax=max(60.0, float(pct.max())), aspect="auto")
    for i in range(pct.shape[0]):
        for j in range(pct.shape[1]):
            ax.text(j, i, f"{pct[i, j]:.0f}", ha="center", va="center", fontsize=8,
                    color="white" if pct[i, j] > 40 else "black")
        m = pd.to_numeric(data[items[i]], errors="coerce").mean()
        ax.text(len(values) - 0.35, i, f"M = {m:.2f}", ha="left", va="center", fontsize=8)
    ax.set_xticks(np.arange(len(values)))
    ax.set_xticklabels([str(v) for v in values])
    ax.set_yticks(np.arange(len(items)))
    ax.set_yticklabels([lab.get(c, c) for c in items])
    ax.set_xlabel(text("response", language) + " (%)")
    for s in ax.spines.values():
        s.set_visible(False)
    ax.tick_params(length=0)
    return ax


# ---------------------------------------------------------------------------- correlations
def correlation_heatmap(
    data: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    method: str = "pearson",
    triangle: bool = True,
    marks: bool = True,
    colorbar: bool = True,
    language: str = "en",
    ax: Axes | None = None,
) -> Axes:
    """Lower-triangle correlation heatmap, annotated with r and significance stars."""
    import numpy as np
    import pandas as pd
    from scipy import stats as st

    check_language(language)
    cols = list(columns) if columns is not None else list(data.columns)
    _cols(data, cols, "correlation_heatmap")
    if method not in ("pearson", "spearman"):
        raise OutputError(f"method={method!r} is not supported; use 'pearson' or 'spearman'")
    x = data[cols].apply(pd.to_numeric, errors="coerce").astype(float)
    k = len(cols)
    r = np.eye(k)
    p = np.zeros((k, k))
    fn = st.pearsonr if method == "pearson" else st.spearmanr
    for i in range(k):
        for j in range(i):
            pair = x[[cols[i], cols[j]]].dropna()
            res = fn(pair.iloc[:, 0], pair.iloc[:, 1])
            r[i, j] = r[j, i] = float(res[0])
            p[i, j] = p[j, i] = float(res[1])
    shown = np.where(np.tril(np.ones((k, k), dtype=bool), -1), r, np.nan) if triangle else r
    ax = _ax(ax, (0.55 * k + 2.5, 0.5 * k + 1.8))
    im = ax.imshow(shown, cmap=CORR_CMAP, vmin=-1, vmax=1)
    cells: list[Any] = []
    for i in range(k):
        for j in range(k):
            if triangle and j >= i:
                continue
            if not triangle and i == j:
                continue
            label = fmt_num(r[i, j], 2, leading_zero=False) + (stars(p[i, j]) if marks else "")
            cells.append(ax.text(j, i, label, ha="center", va="center", fontsize=8,
                                 color="white" if abs(r[i, j]) > 0.6 else "black"))
    lab = dict(labels or {})
    names = [lab.get(c, c) for c in cols]
    if triangle:
        ax.set_xticks(np.arange(k - 1))
        ax.set_xticklabels(names[:-1], rotation=40, ha="right")
        ax.set_yticks(np.arange(1, k))
        ax.set_yticklabels(names[1:])
        ax.set_xlim(-0.5, k - 1.5)
        ax.set_ylim(k - 0.5, 0.5)
    else:
        ax.set_xticks(np.arange(k))
        ax.set_xticklabels(names, rotation=40, ha="right")
        ax.set_yticks(np.arange(k))
        ax.set_yticklabels(names)
    for s in ax.spines.values():
        s.set_visible(False)
    ax.tick_params(length=0)
    if colorbar:
        cb = ax.figure.colorbar(im, ax=ax, shrink=0.75, pad=0.02)
        cb.set_label("r")
        cb.outline.set_visible(False)
    _fit_cell_labels(ax, cells, k - 1 if triangle else k)
    return ax


def _fit_cell_labels(ax: Axes, cells: list[Any], n: int, smallest: float = 5.0) -> None:
    """Shrink the cell labels of an n x n grid to fit their cells; drop them below 5 pt."""
    if not cells:
        return
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    # 0.85 leaves room for tight_layout shrinking the axes afterwards
    cell_w, cell_h = 0.85 * ax.bbox.width / n, 0.85 * ax.bbox.height / n
    widest = max(c.get_window_extent(renderer).width for c in cells)
    tallest = max(c.get_window_extent(renderer).height for c in cells)
    size = cells[0].get_fontsize() * min(1.0, 0.92 * cell_w / widest, 0.8 * cell_h / tallest)
    for c in cells:
        if size < smallest:
            c.remove()  # unreadable: the colour scale alone shows the pattern
        else:
            c.set_fontsize(size)


# ---------------------------------------------------------------------------- coefficients
def coefficient_plot(
    models: Mapping[str, Any] | Sequence[Any] | Any,
    *,
    standardized: bool = True,
    terms: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    language: str = "en",
    ax: Axes | None = None,
) -> Axes:
    """Point estimates with confidence intervals, several models dodged per term.

    With ``standardized=True`` (default) the plot shows ``std_estimate`` and the
    CI rescaled by the same factor (β = b·s_x/s_y is a linear rescaling of b).
    Intercepts are dropped.
    """
    import numpy as np

    from egovstudy.report.tables import _models, _tidy

    check_language(language)
    named = _models(models)
    tidies = {}
    for name, m in named.items():
        t = _tidy(m, f"coefficient_plot model {name!r}")
        need = ["term", "estimate", "ci_low", "ci_high", *(["std_estimate"] if standardized
                                                            else [])]
        missing = [c for c in need if c not in t.columns]
        if missing:
            raise ModelSpecError(f"coefficient_plot model {name!r}: missing column(s) {missing}")
        t = t[~t["term"].astype(str).str.lower().isin(["intercept", "const", "(intercept)"])]
        tidies[name] = t.set_index("term")
    all_terms: list[str] = []
    for t in tidies.values():
        all_terms.extend(x for x in t.index if x not in all_terms)
    if terms is not None:
        all_terms = [t for t in terms if t in all_terms]
    if not all_terms:
        raise InsufficientDataError("coefficient_plot: no terms to plot")
    lab = dict(labels or {})
    ax = _ax(ax, (6.0, 0.45 * len(all_terms) * max(1, len(tidies) ** 0.5) + 1.2))
    m = len(tidies)
    offsets = np.linspace(0.28, -0.28, m) if m > 1 else np.array([0.0])
    markers = ["o", "s", "D", "^", "v", "P", "X", "*"]
    for k, (name, t) in enumerate(tidies.items()):
        ys, est, lo, hi = [], [], [], []
        for i, term in enumerate(all_terms):
            if term not in t.index:
                continue
            rec = t.loc[term]
            b = float(rec["estimate"])
            if standardized:
                beta = float(rec["std_estimate"])
                f = beta / b if b != 0 else 0.0
                e, lo_i, hi_i = beta, float(rec["ci_low"]) * f, float(rec["ci_high"]) * f
                lo_i, hi_i = min(lo_i, hi_i), max(lo_i, hi_i)
            else:
                e, lo_i, hi_i = b, float(rec["ci_low"]), float(rec["ci_high"])
            ys.append(len(all_terms) - 1 - i + offsets[k])
            est.append(e)
            lo.append(lo_i)
            hi.append(hi_i)
        est_a = np.asarray(est)
        err = [np.maximum(est_a - np.asarray(lo), 0), np.maximum(np.asarray(hi) - est_a, 0)]
        ax.errorbar(est_a, ys, xerr=err,
                    fmt=markers[k % len(markers)], color=OKABE_ITO[k % len(OKABE_ITO)],
                    capsize=2.5, markersize=5, linewidth=1.2, label=name)
    ax.axvline(0, color=GREY, linewidth=0.8, linestyle="--")
    ax.set_yticks(np.arange(len(all_terms))[::-1])
    ax.set_yticklabels([lab.get(t, t) for t in all_terms])
    ax.set_xlabel(text("std_coefficient" if standardized else "coefficient", language)
                  + " (95% CI)")
    if m > 1:
        ax.legend(loc="best")
    return ax


# ---------------------------------------------------------------------------- residuals
def _diag_arrays(
    result: Any, fitted: Any, residuals: Any, leverage: Any, n_params: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, int]:
    import numpy as np

    if result is not None:
        fitted = getattr(result, "fitted", None) if fitted is None else fitted
        residuals = getattr(result, "resid", None) if residuals is None else residuals
        if callable(fitted):
            fitted = fitted()
        if leverage is None:
            lev = getattr(result, "leverage", None)
            leverage = lev() if callable(lev) else lev
        if leverage is None and getattr(result, "X", None) is not None:
            X = np.asarray(result.X, dtype=float)
            inv = getattr(result, "xtx_inv", None)
            inv = np.linalg.pinv(X.T @ X) if inv is None else np.asarray(inv)
            leverage = np.einsum("ij,jk,ik->i", X, inv, X)
        if n_params is None and getattr(result, "X", None) is not None:
            n_params = int(np.asarray(result.X).shape[1])
    if fitted is None or residuals is None:
        raise ModelSpecError("residual plots need fitted and residuals (arrays) or a result "
                             "with .fitted and .resid")
    f = np.asarray(fitted, dtype=float).ravel()
    e = np.asarray(residuals, dtype=float).ravel()
    if f.shape != e.shape:
        raise ModelSpecError(f"fitted ({f.size}) and residuals ({e.size}) differ in length")
    h = None if leverage is None else np.asarray(leverage, dtype=float).ravel()
    if h is not None and h.shape != e.shape:
        raise ModelSpecError(f"leverage ({h.size}) and residuals ({e.size}) differ in length")
    if n_params is None:
        n_params = round(h.sum()) if h is not None else 1
    return f, e, h, n_params


def _std_resid(e: np.ndarray, h: np.ndarray | None, p: int) -> np.ndarray:
    import numpy as np

    n = e.size
    s = np.sqrt(np.sum(e**2) / max(n - p, 1))
    hh = np.zeros_like(e) if h is None else np.clip(h, 0, 1 - 1e-12)
    return e / (s * np.sqrt(1 - hh))


def _lowess(ax: Axes, x: np.ndarray, y: np.ndarray) -> None:
    from statsmodels.nonparametric.smoothers_lowess import lowess

    if x.size < 5:
        return
    sm = lowess(y, x, frac=2 / 3, it=3)
    ax.plot(sm[:, 0], sm[:, 1], color=OKABE_ITO[4], linewidth=1.4)


def _label_extremes(ax: Axes, x: np.ndarray, y: np.ndarray, score: np.ndarray, n: int = 3) -> None:
    import numpy as np

    for i in np.argsort(-np.abs(score))[:n]:
        ax.annotate(str(i + 1), (x[i], y[i]), xytext=(3, 3), textcoords="offset points",
                    fontsize=7, color="#333333")


def _diag_panel(ax: Axes | None, x: Any, y: Any, keys: tuple[str, str, str],
                language: str) -> Axes:
    """One residual-diagnostics panel: the scatter and its x label, y label and title."""
    ax = _ax(ax, (4, 3.2))
    ax.scatter(x, y, s=9, alpha=0.55, color=OKABE_ITO[3], edgecolor="none")
    xlabel, ylabel, title = keys
    ax.set_xlabel(text(xlabel, language))
    ax.set_ylabel(text(ylabel, language))
    ax.set_title(text(title, language))
    return ax


def residuals_vs_fitted(
    result: Any = None, *, fitted: Any = None, residuals: Any = None,
    language: str = "en", ax: Axes | None = None,
) -> Axes:
    """Residuals against fitted values with a lowess smoother (linearity, variance)."""
    f, e, _, _ = _diag_arrays(result, fitted, residuals, None, None)
    ax = _diag_panel(ax, f, e, ("fitted", "residuals", "residuals_vs_fitted"), language)
    ax.axhline(0, color=GREY, linestyle="--", linewidth=0.8)
    _lowess(ax, f, e)
    _label_extremes(ax, f, e, e)
    return ax


def qq_plot(
    result: Any = None, *, fitted: Any = None, residuals: Any = None, leverage: Any = None,
    language: str = "en", ax: Axes | None = None,
) -> Axes:
    """Normal Q-Q plot of the standardized residuals (plotting positions of R's ``ppoints``)."""
    import numpy as np
    from scipy import stats as st

    _f, e, h, p = _diag_arrays(result, fitted, residuals, leverage, None)
    r = _std_resid(e, h, p)
    n = r.size
    order = np.argsort(r)
    a = 0.375 if n <= 10 else 0.5  # R's ppoints(), as used by qqnorm() in plot.lm
    q = st.norm.ppf((np.arange(1, n + 1) - a) / (n + 1 - 2 * a))
    ax = _diag_panel(ax, q, r[order], ("theoretical_quantiles", "std_residuals", "normal_qq"),
                     language)
    lo, hi = float(q.min()), float(q.max())
    ax.plot([lo, hi], [lo, hi], color=OKABE_ITO[4], linewidth=1.2)
    return ax


def scale_location(
    result: Any = None, *, fitted: Any = None, residuals: Any = None, leverage: Any = None,
    language: str = "en", ax: Axes | None = None,
) -> Axes:
    """√|standardized residuals| against fitted values (homoscedasticity)."""
    import numpy as np

    f, e, h, p = _diag_arrays(result, fitted, residuals, leverage, None)
    y = np.sqrt(np.abs(_std_resid(e, h, p)))
    ax = _diag_panel(ax, f, y, ("fitted", "sqrt_std_residuals", "scale_location"), language)
    _lowess(ax, f, y)
    return ax


def residuals_vs_leverage(
    result: Any = None, *, fitted: Any = None, residuals: Any = None, leverage: Any = None,
    n_params: int | None = None, cooks_levels: Sequence[float] = (0.5, 1.0),
    language: str = "en", ax: Axes | None = None,
) -> Axes:
    """Standardized residuals against leverage with Cook's distance contours.

    Cook's D_i = r_i² h_i / (p (1 - h_i)), so the contour of level D is
    r = ±sqrt(D p (1 - h) / h).
    """
    import numpy as np

    _f, e, h, p = _diag_arrays(result, fitted, residuals, leverage, n_params)
    if h is None:
        raise ModelSpecError("residuals_vs_leverage needs leverage (array) or a result with X")
    r = _std_resid(e, h, p)
    cooks = r**2 * h / (p * (1 - h))
    ax = _diag_panel(ax, h, r, ("leverage", "std_residuals", "residuals_vs_leverage"),
                     language)
    ax.axhline(0, color=GREY, linestyle="--", linewidth=0.8)
    _lowess(ax, h, r)
    hmax = float(h.max()) * 1.08
    grid = np.linspace(max(float(h.min()) * 0.5, 1e-4), hmax, 200)
    ylim_hi = max(float(np.abs(r).max()) * 1.15, 3)
    for k, level in enumerate(cooks_levels):
        bound = np.sqrt(level * p * (1 - grid) / grid)
        for sign in (1, -1):
            ax.plot(grid, sign * bound, color=OKABE_ITO[0], linestyle=":" if k else "--",
                    linewidth=1.0, label=f"{text('cooks_distance', language)} = {level:g}"
                    if sign == 1 else None)
    _label_extremes(ax, h, r, cooks)
    ax.set_xlim(0, hmax)
    ax.set_ylim(-ylim_hi, ylim_hi)
    ax.legend(loc="lower left", fontsize=7)
    return ax


def residual_diagnostics(
    result: Any = None,
    *,
    fitted: Any = None,
    residuals: Any = None,
    leverage: Any = None,
    n_params: int | None = None,
    language: str = "en",
    axes: Any = None,
) -> Any:
    """The four-panel residual diagnostics (as R's ``plot.lm``); returns the 4 axes.

    Parameters
    ----------
    result : OLS result, optional
        Anything with ``.fitted``, ``.resid`` and ``.X`` (leverage is computed
        from X) or ``.leverage``.
    fitted, residuals, leverage : array-like, optional
        Given directly instead of ``result``.
    axes : array of 4 Axes, optional
        Where to draw; a new 2x2 figure otherwise.
    """
    import numpy as np

    f, e, h, p = _diag_arrays(result, fitted, residuals, leverage, n_params)
    if axes is None:
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(2, 2, figsize=(7.5, 6.2))
        fig.subplots_adjust(hspace=0.45, wspace=0.32)
    flat = np.asarray(axes, dtype=object).ravel()
    if flat.size != 4:
        raise OutputError(f"axes must hold 4 Axes, got {flat.size}")
    residuals_vs_fitted(fitted=f, residuals=e, language=language, ax=flat[0])
    qq_plot(fitted=f, residuals=e, leverage=h, language=language, ax=flat[1])
    scale_location(fitted=f, residuals=e, leverage=h, language=language, ax=flat[2])
    if h is not None:
        residuals_vs_leverage(fitted=f, residuals=e, leverage=h, n_params=p, language=language,
                              ax=flat[3])
    else:
        flat[3].set_axis_off()
    return axes


# ---------------------------------------------------------------------------- path diagram
# Our own layered layout rather than Graphviz: `dot` is an optional system program (not
# installed on most thesis machines) and a layered SEM diagram needs only a few rules:
# sources left, mediators in the middle, outcomes right, boxes sized from their text.
def _depths(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    depth = dict.fromkeys(nodes, 0)
    for _ in range(len(nodes)):
        changed = False
        for s, t in edges:
            if depth[t] < depth[s] + 1:
                depth[t] = depth[s] + 1
                changed = True
        if not changed:
            return depth
    raise ModelSpecError("path_diagram: the paths contain a cycle; a path diagram needs a "
                         "recursive model (remove the feedback path)")


def _layered(nodes: list[str], edges: list[tuple[str, str]], size: dict[str, tuple[float, float]],
             width: float, height: float) -> dict[str, tuple[float, float]] | None:
    """Centres (in pixels) of a layered layout, or None when the boxes do not fit."""
    depth = _depths(nodes, edges)
    levels: dict[int, list[str]] = {}
    for n in nodes:
        levels.setdefault(depth[n], []).append(n)
    last = max(levels)
    margin = 4.0
    colw = {d: max(size[n][0] for n in members) for d, members in levels.items()}
    gap = (width - 2 * margin - sum(colw.values())) / max(last, 1)
    if last > 0 and gap < 48:
        return None
    box_h = max(h for _, h in size.values())
    pos: dict[str, tuple[float, float]] = {}
    # layers that arrows jump over sit above the rest, clear of those arrows
    skipped = {d for d in levels if 0 < d < last and any(depth[s] < d < depth[t] for s, t in edges)}
    # a skipped layer's members alternate above and below the others (parallel mediators:
    # M1 on top, M2 at the bottom), each stack of them in a band of its own
    up = {d: levels[d][0::2] for d in skipped}
    down = {d: levels[d][1::2] for d in skipped}

    def stack(members: list[str]) -> float:
        return sum(size[n][1] for n in members) + max(len(members) - 1, 0) * 0.6 * box_h

    top = height - margin - (1.1 * box_h if skipped else 0.0)  # R² above a top box
    bottom = margin + 1.1 * box_h  # room for the R² line under the lowest box
    band_top, band_bottom = top, bottom
    if skipped:
        band_top = top - max(stack(m) for m in up.values()) - 1.8 * box_h
        if any(down.values()):
            band_bottom = bottom + max(stack(m) for m in down.values()) + 1.8 * box_h
    if band_top - band_bottom < box_h:
        return None
    x_left = margin
    for d in range(last + 1):
        members = levels.get(d, [])
        for n in members:
            w = size[n][0]
            if last == 0:
                x = width / 2
            elif d == 0:  # right-aligned: arrows leave every source clear of its neighbours
                x = x_left + colw[d] - w / 2
            elif d == last:  # left-aligned: arrows reach every outcome clear of the others
                x = x_left + w / 2
            else:
                x = x_left + colw[d] / 2
            pos[n] = (x, 0.0)
        if d in skipped:
            y = top
            for n in up[d]:
                pos[n] = (pos[n][0], y - size[n][1] / 2)
                y -= size[n][1] + 0.6 * box_h
            y = bottom
            for n in down[d]:
                pos[n] = (pos[n][0], y + size[n][1] / 2)
                y += size[n][1] + 0.6 * box_h
        elif members:
            avail = band_top - band_bottom
            if sum(size[n][1] for n in members) + (len(members) - 1) * 0.5 * box_h > avail:
                return None
            step = min(avail / len(members), 3.0 * box_h)
            lone_top = skipped and not any(down.values())
            mid = band_top - avail / 2 * 0.8 if lone_top else (band_top + band_bottom) / 2
            for i, n in enumerate(members):
                pos[n] = (pos[n][0], mid + ((len(members) - 1) / 2 - i) * step)
        x_left += colw.get(d, 0.0) + gap
    return pos


def _ports(edges: list[tuple[str, str]], pos: Mapping[str, tuple[float, float]],
           size: Mapping[str, tuple[float, float]]) -> list[tuple[tuple[float, float],
                                                                  tuple[float, float]]]:
    """Start and end of each arrow on the box borders, spread along the side they use."""
    sides: dict[tuple[str, str], list[tuple[int, float]]] = {}
    plan = []
    for i, (s, t) in enumerate(edges):
        dx = pos[t][0] - pos[s][0]
        dy = pos[t][1] - pos[s][1]
        gap_x = abs(dx) - (size[s][0] + size[t][0]) / 2
        gap_y = abs(dy) - (size[s][1] + size[t][1]) / 2
        a, b = ("right", "left") if dx > 0 else ("left", "right")
        if gap_x <= 1:  # boxes one above the other
            a, b = ("bottom", "top") if dy < 0 else ("top", "bottom")
        elif gap_y > 0 and abs(dy) > 0.5 * abs(dx):
            b = "bottom" if dy > 0 else "top"  # steep arrows reach a box from below/above
        plan.append((a, b))
        sides.setdefault((s, a), []).append((i, _side_order(a, dx, dy)))
        sides.setdefault((t, b), []).append((i, _side_order(b, -dx, -dy)))
    point: dict[tuple[int, str], tuple[float, float]] = {}
    for (n, side), uses in sides.items():
        (x, y), (w, h) = pos[n], size[n]
        horizontal = side in ("left", "right")
        uses.sort(key=lambda u: u[1])  # top first / left first: arrows do not cross
        for k, (i, _) in enumerate(uses):
            f = 0.5 - (k + 1) / (len(uses) + 1)
            if horizontal:
                p = (x + (w / 2 if side == "right" else -w / 2), y + f * 0.7 * h)
            else:
                p = (x - f * 0.7 * w, y + (h / 2 if side == "top" else -h / 2))
            point[(i, "s" if edges[i][0] == n and plan[i][0] == side else "t")] = p
    return [(point[(i, "s")], point[(i, "t")]) for i in range(len(edges))]


def _side_order(side: str, dx: float, dy: float) -> float:
    """Sort key of an arrow on a box side, from the direction (dx, dy) to its other end."""
    import math

    if side == "bottom":
        return math.atan2(dy, dx)
    if side == "top":
        return -math.atan2(dy, dx)
    if side == "right":
        return -math.atan2(dy, dx)
    return -math.atan2(dy, -dx)


Rect = tuple[float, float, float, float]


def _rect_hits(a: Rect, b: Rect) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def _segment_hits(r: Rect, p: tuple[float, float], q: tuple[float, float]) -> bool:
    """Whether segment p-q passes through rectangle r (Liang-Barsky clipping)."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    t0, t1 = 0.0, 1.0
    for den, num in ((-dx, p[0] - r[0]), (dx, r[2] - p[0]), (-dy, p[1] - r[1]), (dy, r[3] - p[1])):
        if den == 0:
            if num < 0:
                return False
            continue
        t = num / den
        if den < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


def _place_label(seg: tuple[tuple[float, float], tuple[float, float]], wh: tuple[float, float],
                 boxes: list[Rect], taken: list[Rect],
                 others: list[tuple[tuple[float, float], tuple[float, float]]],
                 frame: Rect) -> tuple[float, float]:
    """Centre of a coefficient label on its arrow, clear of boxes and other labels."""
    (ax_, ay), (bx, by) = seg
    w, h = wh
    length = max(float(((bx - ax_) ** 2 + (by - ay) ** 2) ** 0.5), 1e-9)
    nx, ny = -(by - ay) / length, (bx - ax_) / length
    best: tuple[int, tuple[float, float]] | None = None
    for t in (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.2, 0.8):
        for off in (0.0, 0.75, -0.75, 1.5, -1.5):
            cx = ax_ + t * (bx - ax_) + off * h * nx
            cy = ay + t * (by - ay) + off * h * ny
            r = (cx - w / 2 - 2, cy - h / 2 - 2, cx + w / 2 + 2, cy + h / 2 + 2)
            if not (frame[0] <= r[0] and r[2] <= frame[2] and frame[1] <= r[1]
                    and r[3] <= frame[3]):
                continue
            if any(_rect_hits(r, b) for b in boxes) or any(_rect_hits(r, b) for b in taken):
                continue
            crossed = sum(_segment_hits(r, p, q) for p, q in others)
            if crossed == 0:
                return cx, cy
            if best is None or crossed < best[0]:
                best = (crossed, (cx, cy))
    if best is not None:
        return best[1]
    return ax_ + 0.5 * (bx - ax_), ay + 0.5 * (by - ay)


def path_diagram(
    paths: pd.DataFrame | Any,
    *,
    source: str = "source",
    target: str = "target",
    positions: Mapping[str, tuple[float, float]] | None = None,
    labels: Mapping[str, str] | None = None,
    r2: Mapping[str, float] | None = None,
    alpha: float = 0.05,
    digits: int = 2,
    ax: Axes | None = None,
) -> Axes:
    """Path diagram with coefficients and significance (mediation or PLS structural model).

    Parameters
    ----------
    paths : DataFrame
        One row per arrow with columns ``source``, ``target``, ``estimate`` and
        optionally ``p_value`` (adds stars; non-significant arrows are dashed
        grey). A tidy frame whose ``term`` reads ``"X -> Y"`` is accepted too.
    positions : mapping node -> (x, y), optional
        Default: layered left to right by causal order (sources left, mediators in
        the middle, outcomes right; a mediator that direct paths jump over sits
        above them). Given positions are scaled to the axes.
    r2 : mapping node -> R², optional
        Printed under endogenous constructs.

    Notes
    -----
    The diagram is laid out for the axes' size at the time of the call (call
    ``tight_layout`` before, not after). Box sizes come from the text extents (the
    font shrinks from 9 to 6 pt when the boxes would not fit); arrows start and end
    on the box borders, spread along the side they use; each coefficient sits on
    its arrow, on a white background, at the first place along it that is clear of
    every box and every other label. An axes alone in its figure is widened to the
    whole figure.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> p = pd.DataFrame({"source": ["X", "M", "X"], "target": ["M", "Y", "Y"],
    ...                   "estimate": [0.5, 0.4, 0.1], "p_value": [0.001, 0.01, 0.3]})
    >>> sorted(t.get_text() for t in path_diagram(p).texts if t.get_text())
    ['0.10', '0.40*', '0.50**', 'M', 'X', 'Y']
    """
    import pandas as pd

    from egovstudy.report.tables import _tidy

    frame = _tidy(paths, "path_diagram")
    if source not in frame.columns and "term" in frame.columns:
        parts = frame["term"].astype(str).str.split(r"\s*(?:->|→|~>)\s*", regex=True)
        if not all(len(p) == 2 for p in parts):
            raise ModelSpecError("path_diagram: 'term' must read 'X -> Y' when source/target "
                                 "columns are absent")
        frame[source] = [p[0] for p in parts]
        frame[target] = [p[1] for p in parts]
    for c in (source, target, "estimate"):
        if c not in frame.columns:
            raise ModelSpecError(f"path_diagram: missing column {c!r}; have {list(frame.columns)}")
    edges = list(zip(frame[source].astype(str), frame[target].astype(str)))
    nodes: list[str] = []
    for s, t in edges:
        for n in (s, t):
            if n not in nodes:
                nodes.append(n)
    depth = _depths(nodes, edges)
    if positions is not None:
        missing = [n for n in nodes if n not in positions]
        if missing:
            raise ModelSpecError(f"path_diagram: positions has no entry for {missing}; give "
                                 "every construct an (x, y)")
    lab = dict(labels or {})
    per_level: dict[int, int] = {}
    for n in nodes:
        per_level[depth[n]] = per_level.get(depth[n], 0) + 1
    ax = _ax(ax, (max(5.0, 2.4 * len(per_level)), max(2.8, 0.6 * max(per_level.values()) + 2.0)))
    fig = ax.figure
    if len(fig.axes) == 1:  # a diagram alone in its figure may use all of it
        ax.set_position((0.02, 0.02, 0.96, 0.96))
    ax.set_axis_off()
    width, height = ax.bbox.width, ax.bbox.height
    ax.set_xlim(0, width)  # one data unit = one pixel: text extents and positions agree
    ax.set_ylim(0, height)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    box_style = {"boxstyle": "round,pad=0.45", "facecolor": "white", "edgecolor": "#333333",
                 "linewidth": 1.0}
    pos: dict[str, tuple[float, float]] | None = None
    for fontsize in (9.0, 8.0, 7.0, 6.0):
        boxes = {n: ax.text(0, 0, lab.get(n, n), ha="center", va="center", fontsize=fontsize,
                            zorder=3, bbox=box_style) for n in nodes}
        size = {}
        for n, box in boxes.items():
            box.update_bbox_position_size(renderer)
            bb = box.get_bbox_patch().get_window_extent(renderer)  # type: ignore[union-attr]
            size[n] = (bb.width, bb.height)
        if positions is not None:
            pos = _scaled(positions, nodes, size, width, height)
        else:
            pos = _layered(nodes, edges, size, width, height)
        if pos is not None or fontsize == 6.0:
            break
        for box in boxes.values():
            box.remove()
    if pos is None:  # even 6 pt boxes do not fit: spread them anyway rather than fail
        pos = _layered(nodes, edges, size, 1e9, 1e9) or {}
        xs = [p[0] for p in pos.values()]
        ys = [p[1] for p in pos.values()]
        pos = _scaled(pos, nodes, size, width, height) if xs and ys else pos
    for n, box in boxes.items():
        box.set_position(pos[n])
    rects = {n: (pos[n][0] - size[n][0] / 2, pos[n][1] - size[n][1] / 2,
                 pos[n][0] + size[n][0] / 2, pos[n][1] + size[n][1] / 2) for n in nodes}
    taken: list[Rect] = []
    label_size = max(6.0, fontsize - 1.5)
    for n in nodes:
        if r2 and n in r2 and r2[n] is not None and not pd.isna(r2[n]):
            x, y = pos[n]
            # above a box that arrows reach from below, else under it
            above = any(t == n and pos[s_][1] < rects[n][1] and
                        abs(pos[s_][1] - y) > 0.5 * abs(pos[s_][0] - x) for s_, t in edges)
            y_txt = rects[n][3] + 3 if above else rects[n][1] - 3
            t_r2 = ax.text(x, y_txt, f"R² = {fmt_num(r2[n], 2, leading_zero=False)}",
                           ha="center", va="bottom" if above else "top", fontsize=label_size,
                           color="#333333", zorder=4,
                           bbox={"boxstyle": "square,pad=0.1", "facecolor": "white",
                                 "edgecolor": "none"})
            bb = t_r2.get_window_extent(renderer)
            y0 = y_txt - 1 if above else y_txt - bb.height - 2
            taken.append((x - bb.width / 2 - 2, y0, x + bb.width / 2 + 2, y0 + bb.height + 3))
    segments = _ports(edges, pos, size)
    for i, (a, b) in enumerate(segments):
        rec = frame.iloc[i]
        p = rec.get("p_value")
        sig = p is None or pd.isna(p) or float(p) < alpha
        color = "#222222" if sig else GREY
        ax.annotate("", xy=b, xytext=a, zorder=2,
                    arrowprops={"arrowstyle": "-|>", "color": color, "linewidth": 1.2,
                                "linestyle": "-" if sig else "--", "shrinkA": 0,
                                "shrinkB": 0, "mutation_scale": 12})
    frame_rect = (0.0, 0.0, width, height)
    others = list(segments)
    for i, seg in enumerate(segments):
        rec = frame.iloc[i]
        p = rec.get("p_value")
        sig = p is None or pd.isna(p) or float(p) < alpha
        label = fmt_num(rec["estimate"], digits) + ("" if p is None or pd.isna(p) else stars(p))
        txt = ax.text(0, 0, label, ha="center", va="center", fontsize=label_size,
                      color="#222222" if sig else GREY, zorder=4,
                      bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                            "edgecolor": "none"})
        txt.update_bbox_position_size(renderer)
        bb = txt.get_bbox_patch().get_window_extent(renderer)  # type: ignore[union-attr]
        cx, cy = _place_label(seg, (bb.width, bb.height), list(rects.values()), taken,
                              [o for k, o in enumerate(others) if k != i], frame_rect)
        txt.set_position((cx, cy))
        taken.append((cx - bb.width / 2 - 1, cy - bb.height / 2 - 1,
                      cx + bb.width / 2 + 1, cy + bb.height / 2 + 1))
    return ax


def _scaled(positions: Mapping[str, tuple[float, float]], nodes: list[str],
            size: Mapping[str, tuple[float, float]], width: float,
            height: float) -> dict[str, tuple[float, float]]:
    """Map user positions linearly into the axes, keeping whole boxes inside."""
    xs = [float(positions[n][0]) for n in nodes]
    ys = [float(positions[n][1]) for n in nodes]
    mw = max(w for w, _ in size.values()) / 2 + 4
    mh = max(h for _, h in size.values()) / 2 + 4 + 14
    sx = (width - 2 * mw) / (max(xs) - min(xs)) if max(xs) > min(xs) else 0.0
    sy = (height - 2 * mh) / (max(ys) - min(ys)) if max(ys) > min(ys) else 0.0
    return {n: (mw + (x - min(xs)) * sx if sx else width / 2,
                mh + (y - min(ys)) * sy if sy else height / 2)
            for n, x, y in zip(nodes, xs, ys)}


# ---------------------------------------------------------------------------- moderation
def johnson_neyman(
    b_x: float, b_xw: float, var_x: float, var_xw: float, cov_x_xw: float, df_resid: int,
    *, alpha: float = 0.05,
) -> list[float]:
    """Moderator values where the conditional effect b_x + b_xw·w has p = alpha exactly.

    Solves (b_x + b_xw w)² = t²_crit (var_x + 2 w cov + w² var_xw) for w (Johnson &
    Neyman, 1936; Hayes 2022, ch. 7). Returns 0, 1 or 2 sorted real roots.

    Examples
    --------
    >>> [round(w, 4) for w in johnson_neyman(-1.0, 0.5, 0.04, 0.01, -0.01, 100)]
    [1.3023, 3.0714]
    """
    import math

    from scipy import stats as st

    t2 = float(st.t.ppf(1 - alpha / 2, df_resid)) ** 2
    a = b_xw**2 - t2 * var_xw
    b = 2 * (b_x * b_xw - t2 * cov_x_xw)
    c = b_x**2 - t2 * var_x
    if abs(a) < 1e-15:
        return [] if abs(b) < 1e-15 else [-c / b]
    disc = b * b - 4 * a * c
    if disc < 0:
        return []
    r = math.sqrt(disc)
    return sorted([(-b - r) / (2 * a), (-b + r) / (2 * a)])


def _mod_coefs(
    estimates: Mapping[str, float] | Any, vcov: Any, x: str, w: str, xw: str | None
) -> tuple[float, float, float, float, float, float, str]:
    import pandas as pd

    est = pd.Series(estimates if not hasattr(estimates, "params") else estimates.params)
    V = vcov if vcov is not None else getattr(estimates, "vcov", None)
    if callable(V):
        V = V()
    V = pd.DataFrame(V)
    if xw is None:
        cands = [f"{x}:{w}", f"{w}:{x}", f"{x}*{w}"]
        xw = next((c for c in cands if c in est.index), None)
    if xw is None or x not in est.index or w not in est.index:
        raise ModelSpecError(f"need coefficients {x!r}, {w!r} and their product ({x}:{w}); "
                             f"have {list(est.index)}")
    b0 = float(est.get("Intercept", est.get("const", 0.0)))
    return (b0, float(est[x]), float(est[w]), float(est[xw]), float(V.loc[x, x]),
            float(V.loc[xw, xw]), xw, float(V.loc[x, xw]))  # type: ignore[return-value]


def johnson_neyman_plot(
    estimates: Mapping[str, float] | Any,
    vcov: Any = None,
    *,
    x: str,
    w: str,
    df_resid: int | None = None,
    w_range: tuple[float, float],
    xw: str | None = None,
    alpha: float = 0.05,
    labels: Mapping[str, str] | None = None,
    y_name: str = "Y",
    language: str = "en",
    ax: Axes | None = None,
) -> Axes:
    """Conditional effect of ``x`` across ``w`` with its CI and the Johnson-Neyman region shaded.

    ``estimates`` is a mapping/Series of coefficients (or a result with
    ``.params``, ``.vcov`` and ``.df_resid``); ``vcov`` their covariance (DataFrame).
    """
    import numpy as np
    from scipy import stats as st

    vals = _mod_coefs(estimates, vcov, x, w, xw)
    _, b1, _, b3, v11, v33, _xw, v13 = vals  # type: ignore[misc]
    df = df_resid if df_resid is not None else getattr(estimates, "df_resid", None)
    if df is None:
        raise ModelSpecError("johnson_neyman_plot needs df_resid")
    lab = dict(labels or {})
    grid = np.linspace(w_range[0], w_range[1], 300)
    eff = b1 + b3 * grid
    se = np.sqrt(np.maximum(v11 + 2 * grid * v13 + grid**2 * v33, 0))
    tc = float(st.t.ppf(1 - alpha / 2, df))
    lo, hi = eff - tc * se, eff + tc * se
    ax = _ax(ax, (5.5, 3.6))
    sig = (lo > 0) | (hi < 0)
    ax.fill_between(grid, lo, hi, color=OKABE_ITO[1], alpha=0.3, linewidth=0)
    ax.plot(grid, eff, color=OKABE_ITO[3])
    ymin, ymax = float(lo.min()), float(hi.max())
    ax.fill_between(grid, ymin, ymax, where=sig, color=OKABE_ITO[2], alpha=0.12, linewidth=0,
                    label=text("jn_region", language, alpha=fmt_num(alpha, 2, leading_zero=False)))
    for root in johnson_neyman(b1, b3, v11, v33, v13, int(df), alpha=alpha):
        if w_range[0] <= root <= w_range[1]:
            ax.axvline(root, color=OKABE_ITO[2], linestyle="--", linewidth=1)
            ax.annotate(f"{root:.2f}", (root, ymax), xytext=(3, -10), textcoords="offset points",
                        fontsize=8, color=OKABE_ITO[2])
    ax.axhline(0, color=GREY, linewidth=0.8)
    ax.set_xlabel(lab.get(w, w))
    ax.set_ylabel(text("conditional_effect", language, x=lab.get(x, x), y=lab.get(y_name, y_name)))
    ax.legend(loc="best")
    _fit_labels(ax)
    return ax


def simple_slopes(
    estimates: Mapping[str, float] | Any,
    vcov: Any = None,
    *,
    x: str,
    w: str,
    x_range: tuple[float, float],
    w_values: Sequence[float],
    df_resid: int | None = None,
    xw: str | None = None,
    alpha: float = 0.05,
    labels: Mapping[str, str] | None = None,
    y_name: str = "Y",
    language: str = "en",
    ax: Axes | None = None,
) -> Axes:
    """Predicted ``y`` against ``x`` at chosen moderator values (e.g. M − 1 SD, M, M + 1 SD).

    Covariates are held at zero (centre them first). The legend gives each slope
    with its significance; the Johnson-Neyman boundaries appear in the title note.
    """
    import numpy as np
    from scipy import stats as st

    b0, b1, b2, b3, v11, v33, _xw, v13 = _mod_coefs(estimates, vcov, x, w, xw)  # type: ignore[misc]
    df = df_resid if df_resid is not None else getattr(estimates, "df_resid", None)
    if df is None:
        raise ModelSpecError("simple_slopes needs df_resid")
    lab = dict(labels or {})
    grid = np.linspace(x_range[0], x_range[1], 50)
    ax = _ax(ax, (5.0, 3.6))
    names = [text("low", language), text("mean_level", language), text("high", language)]
    for k, wv in enumerate(w_values):
        slope = b1 + b3 * wv
        se = float(np.sqrt(max(v11 + 2 * wv * v13 + wv**2 * v33, 0)))
        p = 2 * float(st.t.sf(abs(slope / se), df)) if se > 0 else float("nan")
        name = names[k] if len(w_values) == 3 else f"{lab.get(w, w)} = {wv:.2f}"
        ax.plot(grid, b0 + b1 * grid + b2 * wv + b3 * grid * wv,
                color=OKABE_ITO[(3, 0, 4)[k] if k < 3 else k % 8],
                linestyle=["-", "--", ":"][k % 3],
                label=f"{name} ({lab.get(w, w)} = {wv:.2f}): b = {slope:.2f}{stars(p)}")
    roots = johnson_neyman(b1, b3, v11, v33, v13, int(df), alpha=alpha)
    if roots:
        jn = ", ".join(f"{r:.2f}" for r in roots)
        ax.set_title(f"Johnson-Neyman: {lab.get(w, w)} = {jn}", fontsize=9, fontweight="normal")
    ax.set_xlabel(lab.get(x, x))
    ax.set_ylabel(lab.get(y_name, y_name))
    ax.legend(loc="best", fontsize=7.5)
    _fit_labels(ax)
    return ax


# ---------------------------------------------------------------------------- bootstrap
def bootstrap_distribution(
    samples: Any,
    *,
    estimate: float | None = None,
    ci: tuple[float, float] | None = None,
    level: float = 0.95,
    label: str | None = None,
    language: str = "en",
    ax: Axes | None = None,
) -> Axes:
    """Histogram of bootstrap estimates (e.g. an indirect effect) with the estimate, CI and zero.

    ``ci`` defaults to the percentile interval at ``level``.
    """
    import numpy as np

    x = np.asarray(samples, dtype=float).ravel()
    x = x[np.isfinite(x)]
    if x.size < 10:
        raise InsufficientDataError(f"bootstrap_distribution needs at least 10 finite samples, "
                                    f"got {x.size}")
    if ci is None:
        a = (1 - level) / 2
        ci = (float(np.quantile(x, a)), float(np.quantile(x, 1 - a)))
    ax = _ax(ax, (5.0, 3.2))
    ax.hist(x, bins=min(60, max(15, int(np.sqrt(x.size)))), color=OKABE_ITO[1],
            edgecolor="white", linewidth=0.4)
    ax.axvspan(ci[0], ci[1], color=OKABE_ITO[1], alpha=0.12, linewidth=0)
    for v in ci:
        ax.axvline(v, color=OKABE_ITO[3], linestyle="--", linewidth=1.1)
    ax.axvline(0, color="#333333", linewidth=0.9)
    if estimate is not None:
        ax.axvline(estimate, color=OKABE_ITO[4], linewidth=1.6)
    pct = round(level * 100)
    est_txt = "" if estimate is None else f"{fmt_num(estimate, 3)}, "
    ax.set_title(f"{est_txt}{pct}% CI [{fmt_num(ci[0], 3)}, {fmt_num(ci[1], 3)}]", fontsize=9,
                 fontweight="normal")
    ax.set_xlabel(label or text("indirect_effect", language))
    ax.set_ylabel(text("frequency", language))
    return ax


# ---------------------------------------------------------------------------- public indices
def indicator_trends(
    data: pd.DataFrame,
    *,
    x: str = "year",
    y: str = "value",
    group: str = "country",
    highlight: Sequence[str] = (),
    label_ends: bool = True,
    ylabel: str | None = None,
    language: str = "en",
    ax: Axes | None = None,
) -> Axes:
    """Indicator over time per group (e.g. EGDI by country); highlighted groups in colour.

    Other groups are drawn thin and grey for context.
    """
    _cols(data, [x, y, group], "indicator_trends")
    ax = _ax(ax, (6.0, 3.8))
    hl = [str(h) for h in highlight]
    for name, part in data.sort_values(x).groupby(group, sort=True):
        if str(name) in hl:
            continue
        ax.plot(part[x], part[y], color="#C8C8C8", linewidth=0.7, zorder=1)
    for k, name in enumerate(hl):
        part = data[data[group].astype(str) == name].sort_values(x)
        if part.empty:
            raise ModelSpecError(f"indicator_trends: highlight {name!r} not found in column "
                                 f"{group!r}")
        color = OKABE_ITO[(3, 4, 2, 0, 5, 1)[k % 6]]
        ax.plot(part[x], part[y], color=color, linewidth=2, marker="o", markersize=3.5, zorder=3)
        if label_ends:
            ax.annotate(name, (part[x].iloc[-1], part[y].iloc[-1]), xytext=(4, 0),
                        textcoords="offset points", va="center", fontsize=8, color=color,
                        fontweight="bold")
    ax.set_xlabel(text("year", language) if x == "year" else x)
    ax.set_ylabel(ylabel or (text("value", language) if y == "value" else y))
    return ax
