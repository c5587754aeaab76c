"""Interaction (simple-slopes) plot of OLS predictions from :func:`interaction_predictions`.

The plot draws on ``ax`` (or a new figure) and returns the Axes; it never saves a file
(use :func:`egovstudy.save_figure`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from egovstudy.errors import ModelSpecError

__all__ = ["plot_interaction"]


def plot_interaction(predictions: pd.DataFrame, focal: str, moderator: str, *,
                     ax: Any = None, ci: bool = True, xlabel: str | None = None,
                     ylabel: str = "Predicted value",
                     moderator_label: str | None = None) -> Any:
    """Plot predictions against ``focal``, one line (and CI band) per moderator value.

    Parameters
    ----------
    predictions : pandas.DataFrame
        The first table of :func:`egovstudy.models.margins.interaction_predictions`
        (columns ``focal, moderator, estimate, ci_low, ci_high``).
    focal, moderator : str
        Column names, as given to ``interaction_predictions``.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    ci : bool
        Shade the confidence band.
    xlabel, ylabel, moderator_label : str, optional
        Axis and legend titles (default: the column names).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> pred = pd.DataFrame({"x": [0, 1, 0, 1], "z": [-1, -1, 1, 1],
    ...                      "estimate": [0.0, 0.5, 0.0, 1.5], "ci_low": [-.1, .4, -.1, 1.4],
    ...                      "ci_high": [.1, .6, .1, 1.6]})
    >>> ax = plot_interaction(pred, "x", "z")
    >>> len(ax.get_lines())
    2
    """
    import matplotlib.pyplot as plt

    need = [focal, moderator, "estimate", "ci_low", "ci_high"]
    missing = [c for c in need if c not in predictions.columns]
    if missing:
        raise ModelSpecError(f"predictions lacks columns {missing}; pass the first table "
                             "returned by interaction_predictions with the same focal and "
                             "moderator names")
    if ax is None:
        _fig, ax = plt.subplots(figsize=(5.5, 3.8))
    for value, part in predictions.groupby(moderator, sort=True):
        part = part.sort_values(focal)
        (line,) = ax.plot(part[focal], part["estimate"],
                          label=f"{moderator_label or moderator} = {float(value):.2f}")
        if ci:
            ax.fill_between(part[focal], part["ci_low"], part["ci_high"],
                            color=line.get_color(), alpha=0.15, linewidth=0)
    ax.set_xlabel(xlabel or focal)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False)
    return ax
