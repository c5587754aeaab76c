"""Study file -> lavaan-syntax structural model (the step before ``measurement.sem``).

The measurement part comes from the codebook: one factor per construct named in the
hypotheses (``C =~ item1 + item2 + ...``; a second-order construct gets a factor per
dimension and ``C =~ dim1 + dim2 + ...``). The structural part comes from the hypotheses:
``to ~ from`` for each direct hypothesis; a hypothesis with ``via`` adds ``via ~ from``,
``to ~ via`` and the direct path ``to ~ from`` (partial mediation, as PROCESS model 4) and
an indirect effect ``from -> via -> to``. The same model is what ``egovstudy sem`` fits and
what the cross-check suite gives to R's ``lavaan::sem``.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from egovstudy.errors import ModelSpecError

__all__ = ["StudySEM", "check_group_column", "measurement_syntax", "study_sem_model"]


@dataclass(frozen=True)
class StudySEM:
    """A structural model in lavaan syntax and its indirect effects.

    Attributes
    ----------
    syntax : str
        Measurement and structural lines.
    measurement : str
        The measurement lines only (for invariance tests).
    indirect : dict of str to list of str
        ``{"H7": ["hr_quality", "digitalisation", "performance"]}``.
    """

    syntax: str
    measurement: str
    indirect: dict[str, list[str]] = field(default_factory=dict)


def _get(h: Any, key: str, alt: str) -> Any:
    if isinstance(h, Mapping):
        return h.get(key, h.get(alt))
    return getattr(h, key, None)


def measurement_syntax(constructs: Sequence[str], codebook: Any) -> str:
    """``C =~ items`` lines for the named constructs (second order: factor per dimension).

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> cb = NS(constructs={"a": NS(items=["a1", "a2", "a3"], dimensions=[]),
    ...                     "d": NS(items=[], dimensions=["a", "b"]),
    ...                     "b": NS(items=["b1", "b2", "b3"], dimensions=[])})
    >>> print(measurement_syntax(["d"], cb))
    a =~ a1 + a2 + a3
    b =~ b1 + b2 + b3
    d =~ a + b
    """
    lines: list[str] = []
    done: set[str] = set()

    def add(name: str) -> None:
        if name in done:
            return
        con = codebook.constructs.get(name)
        if con is None:
            near = difflib.get_close_matches(name, list(codebook.constructs), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise ModelSpecError(f"construct {name!r} of the hypotheses is not in the codebook"
                                 f"{hint} Fix: name a construct of the codebook")
        done.add(name)
        if con.dimensions:
            for d in con.dimensions:
                add(d)
            lines.append(f"{name} =~ {' + '.join(con.dimensions)}")
        else:
            lines.append(f"{name} =~ {' + '.join(con.items)}")

    for c in constructs:
        add(c)
    return "\n".join(lines)


def study_sem_model(hypotheses: Sequence[Any], codebook: Any) -> StudySEM:
    """The structural model of a study's hypotheses on its codebook's constructs.

    Parameters
    ----------
    hypotheses : sequence
        The study's hypotheses (``Hypothesis`` objects or dicts with id, from, to, via).
    codebook : Codebook
        Gives each construct's items (or dimensions).

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> cb = NS(constructs={c: NS(items=[f"{c}{i}" for i in (1, 2, 3)], dimensions=[])
    ...                     for c in "xmy"})
    >>> hyps = [{"id": "H1", "from": "x", "to": "y", "via": "m"}]
    >>> model = study_sem_model(hyps, cb)
    >>> print(model.syntax.splitlines()[-3:])
    ['m ~ x', 'y ~ m', 'y ~ x']
    >>> model.indirect
    {'H1': ['x', 'm', 'y']}
    """
    paths: list[tuple[str, str]] = []
    indirect: dict[str, list[str]] = {}
    used: list[str] = []
    for h in hypotheses:
        src, dst, via = _get(h, "source", "from"), _get(h, "target", "to"), _get(h, "via", "via")
        chain = [src, via, dst] if via else [src, dst]
        used += [c for c in chain if c not in used]
        if via:
            paths += [(src, via), (via, dst), (src, dst)]
            indirect[str(_get(h, "id", "id"))] = chain
        else:
            paths.append((src, dst))
    if not paths:
        raise ModelSpecError("the study has no hypotheses to build a structural model from. "
                             "Fix: add hypotheses (from, to, optionally via) to the study file")
    meas = measurement_syntax(used, codebook)
    seen: list[tuple[str, str]] = []
    for p in paths:
        if p not in seen:
            seen.append(p)
    structural = "\n".join(f"{dst} ~ {src}" for src, dst in seen)
    return StudySEM(f"{meas}\n{structural}", meas, indirect)


def check_group_column(data: Any, column: str, argument: str = "--by") -> None:
    """Raise :class:`ModelSpecError` naming ``column`` (with did-you-mean) if absent.

    Examples
    --------
    >>> import pandas as pd
    >>> try:
    ...     check_group_column(pd.DataFrame({"gender": [1]}), "gendr")
    ... except ModelSpecError as exc:
    ...     print(str(exc).split(";")[1])
     did you mean 'gender'? Fix: name a column of the data
    """
    if column not in data.columns:
        near = difflib.get_close_matches(column, [str(c) for c in data.columns], n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise ModelSpecError(f"{argument} {column!r} is not a column of the data{hint} "
                             "Fix: name a column of the data")
