"""Power curve: power against sample size, with the target power marked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from egovstudy.errors import ModelSpecError
from egovstudy.planning._result import PlanningResult, check_lang, check_open_unit, fmt_num

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["plot_power_curve"]

_TEXT = {"en": ("Sample size (N)", "Power", "target power"),
         "id": ("Ukuran sampel (N)", "Daya uji", "daya uji target")}


def plot_power_curve(data: PlanningResult | pd.DataFrame, *, target: float = 0.80,
                     ax: Axes | None = None, lang: str = "en", **kwargs: Any) -> Axes:
    """Plot power against sample size, one line per test.

    Parameters
    ----------
    data : PlanningResult or pandas.DataFrame
        A result with several sample sizes (``regression_power``, ``correlation_power``,
        ``mediation_power``) or a frame with columns ``n`` and ``power`` (optionally
        ``test``, and ``ci_low``/``ci_high`` for Monte Carlo bands).
    target : float
        Target power drawn as a dashed horizontal line.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; the current Axes by default.
    lang : {"en", "id"}
        Language of the axis labels.
    **kwargs
        Passed to ``Axes.plot``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from egovstudy.planning import regression_power
    >>> res = regression_power([40, 80, 120], f2=0.15, n_predictors=3)
    >>> ax = plot_power_curve(res)
    >>> ax.get_ylabel()
    'Power'
    """
    import matplotlib.pyplot as plt

    lang = check_lang(lang)
    tgt = check_open_unit("target", target, hint="the target power, e.g. 0.80")
    frame = data.tidy() if isinstance(data, PlanningResult) else data
    if not isinstance(frame, pd.DataFrame):
        raise ModelSpecError(f"data is {type(data).__name__}; pass a PlanningResult or a "
                             "DataFrame with columns n and power")
    missing = [c for c in ("n", "power") if c not in frame.columns]
    if missing:
        raise ModelSpecError(f"data lacks column(s) {missing}; pass a frame with columns n and "
                             "power (e.g. regression_power([...]).tidy())")
    if ax is None:
        ax = plt.gca()
    groups = frame.groupby("test", sort=False) if "test" in frame.columns else [(None, frame)]
    for name, g in groups:
        g = g.sort_values("n")
        line = ax.plot(g["n"], g["power"], marker="o", label=name, **kwargs)[0]
        if {"ci_low", "ci_high"} <= set(g.columns):
            ax.fill_between(g["n"], g["ci_low"], g["ci_high"], alpha=0.2,
                            color=line.get_color(), linewidth=0)
    xlab, ylab, tlab = _TEXT[lang]
    ax.axhline(tgt, linestyle="--", color="grey", linewidth=1,
               label=f"{tlab} {fmt_num(tgt, lang, 2)}")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(xlab)
    ax.set_ylabel(ylab)
    ax.legend(loc="lower right", frameon=False)
    return ax
