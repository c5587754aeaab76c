"""The result object shared by every planning function, plus small helpers.

A :class:`PlanningResult` holds the inputs, the answer (a sample size, a power or
both), the method's assumptions and a sentence for the methods chapter in English
and Indonesian. Numbers are kept at full precision; rounding happens only in
:meth:`PlanningResult.summary`, :meth:`PlanningResult.sentence` and
:func:`planning_table`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from egovstudy._text import decimal_for, fmt
from egovstudy.errors import ModelSpecError

Lang = Literal["en", "id"]
LANGS: tuple[str, ...] = ("en", "id")


def check_lang(lang: str) -> str:
    """Validate a report language code (``"en"`` or ``"id"``)."""
    if lang not in LANGS:
        raise ModelSpecError(f"lang={lang!r}: choose one of 'en', 'id'")
    return lang


def check_choice(name: str, value: Any, allowed: Sequence[str]) -> str:
    """Validate a ``Literal`` option and name the allowed values in the error."""
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ModelSpecError(f"{name}={value!r}: choose one of {choices}")
    return str(value)


def _is_number(value: Any) -> bool:
    return (isinstance(value, int | float | np.integer | np.floating)
            and not isinstance(value, bool))


def check_open_unit(name: str, value: Any, *, low: float = 0.0, high: float = 1.0,
                    hint: str = "") -> float:
    """Check ``low < value < high`` (an open interval) and return ``float(value)``."""
    if not _is_number(value) or not math.isfinite(float(value)) or not low < float(value) < high:
        extra = f" ({hint})" if hint else ""
        raise ModelSpecError(f"{name}={value!r} is outside ({low:g}, {high:g}): pass a number "
                             f"strictly between {low:g} and {high:g}{extra}")
    return float(value)


def check_positive(name: str, value: Any, *, hint: str = "") -> float:
    """Check that an effect size (or similar) is a finite number > 0."""
    if not _is_number(value) or not math.isfinite(float(value)) or float(value) <= 0:
        extra = f" ({hint})" if hint else ""
        raise ModelSpecError(f"{name}={value!r}: the effect size must be a positive number"
                             f"{extra}")
    return float(value)


def check_count(name: str, value: Any, *, minimum: int = 1) -> int:
    """Check a whole number (population, sample size, predictors) >= ``minimum``."""
    ok = isinstance(value, int | np.integer) and not isinstance(value, bool)
    if not ok and isinstance(value, float) and value.is_integer():
        ok = True
    if not ok or int(value) < minimum:
        raise ModelSpecError(f"{name}={value!r}: pass a whole number of at least {minimum}")
    return int(value)


def check_counts(name: str, value: Any, *, minimum: int = 1) -> list[int]:
    """Accept one whole number or a sequence of them (e.g. several sample sizes)."""
    if isinstance(value, Iterable) and not isinstance(value, str):
        values = [check_count(name, v, minimum=minimum) for v in value]
        if not values:
            raise ModelSpecError(f"{name} is empty: pass at least one sample size")
        return values
    return [check_count(name, value, minimum=minimum)]


def fmt_num(x: float, lang: str = "en", digits: int = 2) -> str:
    """Format a number with the decimal mark of ``lang`` (Indonesian uses a comma)."""
    return fmt(x, digits, lang, thousands=True)


def fmt_int(n: int, lang: str = "en") -> str:
    """Format a whole number with the thousands separator of ``lang``."""
    return fmt(int(n), 0, lang, thousands=True)


def fmt_p(x: float, lang: str = "en", digits: int = 2) -> str:
    """Format a probability APA-style without the leading zero (``.80``; id: ``0,80``)."""
    return fmt(x, digits, lang, leading_zero=decimal_for(lang) == ",")


@dataclass(frozen=True)
class PlanningResult:
    """A sample-size or power calculation, ready for a methods chapter.

    Attributes
    ----------
    method : str
        Machine name of the method (``"slovin"``, ``"regression"``, ...).
    label : dict
        Human name of the method per language (``{"en": ..., "id": ...}``).
    n : int or None
        Required sample size (a priori analyses) or the sample size evaluated.
    power : float or None
        Power achieved at ``n`` (``None`` for precision-based formulas).
    inputs : dict
        The arguments the calculation used.
    details : dict
        Intermediate quantities (unrounded n, critical values, noncentrality ...).
    sentences : dict
        Methods-chapter sentence per language.
    assumptions : dict
        Assumptions per language (list of short statements).
    reference : str
        Source of the method and of the numbers it reproduces.
    table : pandas.DataFrame
        One row per scenario (several sample sizes or tests); see :meth:`tidy`.
    """

    method: str
    label: dict[str, str]
    n: int | None
    power: float | None
    inputs: dict[str, Any]
    details: dict[str, Any]
    sentences: dict[str, str]
    assumptions: dict[str, list[str]]
    reference: str
    table: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False)

    def tidy(self) -> pd.DataFrame:
        """One row per scenario: ``method, n, power`` then the inputs and details.

        Single calculations give one row; power curves and Monte Carlo studies give
        one row per sample size (and test), with ``mc_se`` for simulated power.
        """
        if not self.table.empty:
            out = self.table.copy()
            out.insert(0, "method", self.method)
            return out.reset_index(drop=True)
        row: dict[str, Any] = {"method": self.method, "n": self.n, "power": self.power}
        for key, value in {**self.inputs, **self.details}.items():
            if key not in row and (value is None or np.isscalar(value)):
                row[key] = value
        return pd.DataFrame([row])

    def sentence(self, lang: Lang = "en") -> str:
        """The methods-chapter sentence in English (``"en"``) or Indonesian (``"id"``)."""
        return self.sentences[check_lang(lang)]

    def summary(self, lang: Lang = "en") -> str:
        """Plain-text summary: method, inputs, result, assumptions and reference."""
        lang = check_lang(lang)  # type: ignore[assignment]
        heads = {"en": ("Inputs", "Result", "Assumptions", "Reference"),
                 "id": ("Masukan", "Hasil", "Asumsi", "Rujukan")}[lang]
        lines = [self.label[lang], "=" * len(self.label[lang]), f"{heads[0]}:"]
        lines += [f"  {k} = {_show(v, lang)}" for k, v in self.inputs.items()]
        lines.append(f"{heads[1]}:")
        if self.n is not None:
            lines.append(f"  n = {fmt_int(self.n, lang)}")
        if self.power is not None:
            lines.append(f"  power = {fmt_num(self.power, lang, 4)}")
        lines += [f"  {k} = {_show(v, lang)}" for k, v in self.details.items()
                  if v is None or np.isscalar(v)]
        lines.append(f"{heads[2]}:")
        lines += [f"  - {a}" for a in self.assumptions[lang]]
        lines += [f"{heads[3]}: {self.reference}", "", self.sentence(lang)]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        import html

        body = self.tidy().to_html(index=False, float_format=lambda v: f"{v:.4g}")
        return (f"<p><b>{html.escape(self.label['en'])}</b></p>{body}"
                f"<p>{html.escape(self.sentence('en'))}</p>")


def _show(value: Any, lang: str) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return str(value)
    if isinstance(value, int | np.integer):
        return fmt_int(int(value), lang)
    if isinstance(value, float | np.floating):
        return fmt_num(float(value), lang, 4).rstrip("0").rstrip(".,") or "0"
    return str(value)


def planning_table(results: Sequence[PlanningResult], lang: Lang = "en") -> pd.DataFrame:
    """Methods-chapter table comparing several planning results.

    Parameters
    ----------
    results : sequence of PlanningResult
        Results of the planning functions (Slovin, Cochran, G*Power-style ...).
    lang : {"en", "id"}
        Language of the column headers and method names.

    Returns
    -------
    pandas.DataFrame
        Columns *Method / Metode*, *Required n / n minimum*, *Power / Daya uji* and
        *Source / Sumber*; power is empty for precision-based formulas.

    Examples
    --------
    >>> from egovstudy.planning import slovin, cochran
    >>> tab = planning_table([slovin(1200), cochran(population=1200)])
    >>> tab.iloc[:, 1].tolist()
    [300, 292]
    """
    lang = check_lang(lang)  # type: ignore[assignment]
    cols = {"en": ("Method", "Required n", "Power", "Source"),
            "id": ("Metode", "n minimum", "Daya uji", "Sumber")}[lang]
    rows = []
    for res in results:
        if not isinstance(res, PlanningResult):
            raise ModelSpecError(f"results contains {type(res).__name__}; pass the results of "
                                 "egovstudy.planning functions")
        rows.append({cols[0]: res.label[lang], cols[1]: res.n,
                     cols[2]: None if res.power is None else round(res.power, 3),
                     cols[3]: res.reference})
    return pd.DataFrame(rows)
