"""Instrument decisions: invalid items kept or dropped, convergent and discriminant validity."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

__all__ = ["drop_invalid_items", "fornell_larcker_ok", "low_ave"]


def drop_invalid_items(data: Any, codebook: Any, invalid: Sequence[str]
                       ) -> tuple[Any, Any, list[str]]:
    """Remove ``invalid`` items from their constructs and recompute every construct score.

    A construct keeps an item when dropping would leave it with none; its ``min_items``
    drops by the number of items removed, so a respondent may still skip as many items
    as before (3 of 4 answered -> 2 of 3). The scores come
    from :func:`egovstudy.scoring.score_constructs` (the codebook's own scoring rule),
    so a dropped item changes exactly the scores of the constructs that held it.

    Returns
    -------
    tuple
        ``(data, codebook, dropped)``: a copy of ``data`` with recomputed scores, the
        codebook without the dropped items, and the items actually dropped.

    Examples
    --------
    >>> import pandas as pd
    >>> from egovstudy.codebook import Construct
    >>> from types import SimpleNamespace as NS
    >>> cb = NS(constructs={"A": Construct("A", {}, ["a1", "a2"], [])}, items={})
    >>> df = pd.DataFrame({"a1": [1.0, 5.0], "a2": [3.0, 3.0], "A": [2.0, 4.0]})
    >>> out, _, dropped = drop_invalid_items(df, cb, ["a2"])
    >>> dropped, out["A"].tolist()
    (['a2'], [1.0, 5.0])
    """
    from egovstudy.scoring import score_constructs

    bad = set(invalid)
    constructs = dict(codebook.constructs)
    dropped: list[str] = []
    for name, con in constructs.items():
        keep = [i for i in con.items if i not in bad]
        if con.items and keep and len(keep) < len(con.items):
            dropped += [i for i in con.items if i in bad]
            # the same number of unanswered items stays allowed (3 of 4 -> 2 of 3)
            n_out = len(con.items) - len(keep)
            constructs[name] = dataclasses.replace(
                con, items=keep, min_items=max(1, min(con.min_items - n_out, len(keep))))
    if not dropped:
        return data, codebook, []
    new_cb: Any
    if dataclasses.is_dataclass(codebook) and not isinstance(codebook, type):
        new_cb = dataclasses.replace(codebook, constructs=constructs)
    else:  # a plain namespace (doctest): copy its attributes
        new_cb = type(codebook)(**{**vars(codebook), "constructs": constructs})
    scores = score_constructs(data, new_cb)
    out = data.copy()
    for c in scores.columns:
        out[c] = scores[c]
    return out, new_cb, dropped


def low_ave(constructs: Any, threshold: float = 0.50) -> Any:
    """Rows of an instrument report's construct frame with AVE below ``threshold``.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"construct": ["A", "B"], "ave": [.436, .61], "rho_c": [.73, .8]})
    >>> low_ave(f)["construct"].tolist()
    ['A']
    """
    return constructs[constructs["ave"] < threshold]


def fornell_larcker_ok(table: Any) -> dict[str, bool]:
    """Per construct: is sqrt(AVE) (diagonal) above its correlations with every other?

    ``table`` is :func:`egovstudy.measurement.fornell_larcker` output (diagonal sqrt(AVE),
    correlations below the diagonal).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame([[.8, None], [.5, .6]], index=["A", "B"], columns=["A", "B"])
    >>> fornell_larcker_ok(t)
    {'A': True, 'B': True}
    >>> t.loc["B", "A"] = .7
    >>> fornell_larcker_ok(t)
    {'A': True, 'B': False}
    """
    import numpy as np

    names = list(table.index)
    m = table.to_numpy(dtype=float)
    low = np.tril(np.nan_to_num(m, nan=0.0), -1)
    full = np.abs(low + low.T)
    return {n: bool(np.all(full[i, np.arange(len(names)) != i] < m[i, i]))
            for i, n in enumerate(names)}
