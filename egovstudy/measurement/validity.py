"""Item validity: item-total and corrected item-total correlations against the r table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from egovstudy.errors import InsufficientDataError, ModelSpecError
from egovstudy.measurement._common import check_choice, html_table, item_frame

__all__ = ["ItemValidityResult", "critical_r", "item_validity", "r_table"]


def critical_r(n: int, alpha: float = 0.05, tails: int = 2) -> float:
    """Critical Pearson r for ``n`` cases (df = n - 2): r = t / sqrt(df + t^2).

    Examples
    --------
    >>> round(critical_r(30), 3)
    0.361
    """
    from scipy.stats import t

    check_choice("tails", tails, (1, 2))
    if not 0 < alpha < 1:
        raise ModelSpecError(f"alpha={alpha!r}: pass a significance level such as 0.05")
    if int(n) < 3:
        raise InsufficientDataError(f"n={n}: the r table starts at n = 3 (df = 1)")
    df = int(n) - 2
    tq = float(t.ppf(1 - alpha / tails, df))
    return float(tq / np.sqrt(df + tq**2))


def r_table(n: int | Sequence[int], alpha: float = 0.05, tails: int = 2) -> pd.DataFrame:
    """The table of critical r values students look up ("r tabel").

    Critical r from the t distribution: ``sqrt(t^2 / (t^2 + df))`` with ``t = qt(1 - alpha /
    tails, df)`` in R, the "r tabel" of Indonesian textbooks.

    Parameters
    ----------
    n : int or list of int
        Sample size(s); df = n - 2.
    alpha : float
        Significance level.
    tails : {1, 2}
        One- or two-tailed test.

    Returns
    -------
    pandas.DataFrame
        Columns n, df, alpha, tails, r_critical.

    Examples
    --------
    >>> r_table([10, 30], 0.05, 2)["r_critical"].round(3).tolist()
    [0.632, 0.361]
    """
    ns = [int(n)] if isinstance(n, int | np.integer) else [int(v) for v in n]
    return pd.DataFrame({"n": ns, "df": [v - 2 for v in ns], "alpha": alpha, "tails": tails,
                         "r_critical": [critical_r(v, alpha, tails) for v in ns]})


@dataclass(frozen=True)
class ItemValidityResult:
    """Per-item validity table."""

    table: pd.DataFrame
    alpha: float
    tails: int

    def tidy(self) -> pd.DataFrame:
        """The table: item, n, r_total, r_rest, r_critical, p_value, valid."""
        return self.table.copy()

    def summary(self) -> str:
        """Text summary."""
        return (f"Item validity (alpha = {self.alpha}, {self.tails}-tailed; verdict on the "
                "corrected item-total r)\n" + self.table.round(3).to_string(index=False))

    def _repr_html_(self) -> str:
        return html_table("Item validity", self.table)


def item_validity(data: pd.DataFrame, items: Sequence[str], alpha: float = 0.05,
                  tails: int = 2, **_: Any) -> ItemValidityResult:
    """Pearson item-total and corrected item-total (item-rest) correlations.

    The corrected item-total r and its test match R ``psych::alpha()$item.stats$r.drop`` and
    ``cor.test``; compared in ``make crosscheck``.

    Each item is correlated with the construct total (sum of the items) and with the
    total of the other items; the critical r for df = n - 2 (``r_table``) gives the
    verdict: valid when the corrected r exceeds it (one-tailed: in the positive
    direction). Rows with a missing answer on any item are left out of the totals.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> f = rng.normal(size=(60, 1))
    >>> df = pd.DataFrame(f + rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    >>> bool(item_validity(df, ["a", "b", "c"]).table["valid"].all())
    True
    """
    from scipy.stats import t

    check_choice("tails", tails, (1, 2))
    frame = item_frame(data, items, min_items=2, what="item validity").dropna()
    n = int(frame.shape[0])
    if n < 3:
        raise InsufficientDataError(f"item validity needs at least 3 complete cases, got {n}")
    total = frame.sum(axis=1)
    rows = []
    rc = critical_r(n, alpha, tails)
    for col in frame.columns:
        r_tot = float(np.corrcoef(frame[col], total)[0, 1])
        r_rest = float(np.corrcoef(frame[col], total - frame[col])[0, 1])
        tstat = r_rest * np.sqrt((n - 2) / max(1 - r_rest**2, 1e-300))
        p = float(2 * t.sf(abs(tstat), n - 2)) if tails == 2 else float(t.sf(tstat, n - 2))
        valid = r_rest > rc
        rows.append({"item": col, "n": n, "r_total": r_tot, "r_rest": r_rest,
                     "r_critical": rc, "p_value": p, "valid": bool(valid)})
    return ItemValidityResult(table=pd.DataFrame(rows), alpha=alpha, tails=tails)
