"""PLS multigroup analysis section: the path comparison and MICOM tables and sentences.

The chapter runs it when the study file sets ``pls: {mga: <group column>}``; the
numbers come from :func:`egovstudy.pls_multigroup.pls_mga`, the words from the catalogues.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["MGA_KEYS", "group_names", "mga_path_frame", "micom_frame", "pls_sem_options"]

#: Keys of the study file's ``pls`` mapping that belong to the multigroup analysis.
MGA_KEYS = ("mga", "permutations")


def pls_sem_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The ``pls`` options meant for :func:`egovstudy.pls.pls_sem` (without the MGA keys).

    Examples
    --------
    >>> pls_sem_options({"scheme": "path", "mga": "gender", "permutations": 100})
    {'scheme': 'path'}
    """
    return {k: v for k, v in options.items() if k not in MGA_KEYS}


def group_names(codebook: Any, column: str, values: list[Any]) -> dict[Any, str]:
    """Answer text of each group code (the codebook's ``categories``), else the code.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> cb = NS(variables={"g": NS(categories={"Laki-laki": "male"})})
    >>> group_names(cb, "g", ["male", "female"])
    {'male': 'Laki-laki', 'female': 'female'}
    """
    var = (getattr(codebook, "variables", {}) or {}).get(column)
    cats = dict(getattr(var, "categories", {}) or {}) if var is not None else {}
    text = {str(code): str(answer) for answer, code in cats.items()}
    return {v: text.get(str(v), str(v)) for v in values}


def mga_path_frame(paths: Any, labels: Mapping[str, str], names: Mapping[Any, str],
                   t: Callable[..., str]) -> Any:
    """One row per group pair and path: term, both estimates, difference, the p values
    of the permutation test and of PLS-MGA (two-sided), and the verdict in words.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"group_1": ["m"], "group_2": ["f"], "from": ["A"], "to": ["B"],
    ...                   "estimate_1": [0.5], "estimate_2": [0.2], "difference": [0.3],
    ...                   "p_permutation": [0.01], "p_mga": [0.02], "verdict": ["different"]})
    >>> mga_path_frame(p, {"A": "Alpha"}, {"m": "Men", "f": "Women"},
    ...                lambda k, **kw: k).iloc[0].tolist()[:2]
    ['Alpha → B', 'Men – Women']
    """
    import pandas as pd

    return pd.DataFrame({
        "term": [f"{labels.get(a, a)} → {labels.get(b, b)}"
                 for a, b in zip(paths["from"], paths["to"], strict=True)],
        "groups": [f"{names.get(a, a)} – {names.get(b, b)}"
                   for a, b in zip(paths["group_1"], paths["group_2"], strict=True)],
        "estimate_1": paths["estimate_1"], "estimate_2": paths["estimate_2"],
        "difference": paths["difference"], "perm_p_value": paths["p_permutation"],
        "mga_p_value": paths["p_mga"],
        "verdict": [t("mga_different" if v == "different" else "mga_not_different")
                    for v in paths["verdict"]]})


def micom_frame(micom: Any, labels: Mapping[str, str], names: Mapping[Any, str],
                t: Callable[..., str]) -> Any:
    """MICOM steps 2 and 3 per group pair and construct, with the verdict in words.

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace as NS
    >>> key = {"group_1": ["m"], "group_2": ["f"], "construct": ["A"]}
    >>> m = NS(compositional=pd.DataFrame({**key, "c": [0.99], "q05": [0.98]}),
    ...        equality=pd.DataFrame({**key, "mean_diff": [0.1], "mean_p": [0.3],
    ...                               "logvar_diff": [0.0], "var_p": [0.9]}),
    ...        verdict=pd.DataFrame({**key, "verdict": ["full"]}))
    >>> micom_frame(m, {}, {}, lambda k, **kw: k)["verdict"].tolist()
    ['micom_short_full']
    """
    comp, eq, ver = micom.compositional, micom.equality, micom.verdict
    return comp[["construct"]].assign(
        construct=[labels.get(c, c) for c in comp["construct"]],
        groups=[f"{names.get(a, a)} – {names.get(b, b)}"
                for a, b in zip(comp["group_1"], comp["group_2"], strict=True)],
        c=comp["c"].to_numpy(), q05=comp["q05"].to_numpy(),
        mean_diff=eq["mean_diff"].to_numpy(), mean_p_value=eq["mean_p"].to_numpy(),
        logvar_diff=eq["logvar_diff"].to_numpy(), var_p_value=eq["var_p"].to_numpy(),
        verdict=[t("micom_short_" + v) for v in ver["verdict"]])
