"""APA number formatting: fixed decimals, no leading zero for bounded statistics, p values.

Computations keep full precision; these functions only turn numbers into text.

Examples
--------
>>> fmt_num(0.4567), fmt_num(0.4567, leading_zero=False), fmt_num(-1234.5, decimal=",")
('0.46', '.46', '-1234,50')
>>> fmt_p(0.0004), fmt_p(0.0234), fmt_p_expr(0.0004)
('< .001', '.023', 'p < .001')
>>> stars(0.004)
'**'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from egovstudy._text import interval, list_separator, number

__all__ = [
    "BOUNDED_STATISTICS",
    "FIGURE_SPACE",
    "align_decimals",
    "fmt_int",
    "fmt_num",
    "fmt_p",
    "fmt_p_expr",
    "fmt_pct",
    "fmt_stat",
    "interval",
    "is_missing",
    "list_separator",
    "stars",
]

FIGURE_SPACE = "\u2007"  # as wide as a digit: pads marks so decimals stay aligned


def is_missing(value: Any) -> bool:
    """Return True for None, NaN and pandas NA.

    Examples
    --------
    >>> is_missing(None), is_missing(float("nan")), is_missing(0)
    (True, True, False)
    """
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and pd.NA compare unequal to themselves
    except TypeError:  # pd.NA raises on bool()
        return True


def fmt_num(
    value: Any,
    digits: int = 2,
    *,
    leading_zero: bool = True,
    decimal: str = ".",
    missing: str = "",
    sign: bool = False,
    thousands: bool = False,
) -> str:
    """Format a number with ``digits`` decimals.

    Parameters
    ----------
    value : number
        The value; None/NaN gives ``missing``.
    digits : int
        Number of decimals.
    leading_zero : bool
        False for statistics that cannot exceed 1 in absolute value (r, p, α,
        β of a simple model, R²): APA drops the leading zero (``.46``).
    decimal : {".", ","}
        Decimal mark.
    sign : bool
        Print ``+`` for positive values.
    thousands : bool
        Group the integer digits: "," with a decimal point, "." with a decimal comma
        (never "1,100" beside "0,826").

    Examples
    --------
    >>> fmt_num(-0.05, 3, leading_zero=False), fmt_num(2, 1, sign=True)
    ('-.050', '+2.0')
    """
    if is_missing(value):
        return missing
    # the one formatter of the package (egovstudy._text, importable by every analysis step)
    return number(value, digits, decimal=decimal, leading_zero=leading_zero, sign=sign,
                  thousands=thousands)


#: Statistics that cannot exceed 1 in absolute value: APA 7 (sec. 6.36) drops their leading
#: zero (".72"). Names are the tidy column names and the printed symbols.
BOUNDED_STATISTICS = frozenset({
    "p", "p_value", "f_p_value", "r", "r_rest", "r_item_total", "corrected_item_total",
    "r_critical", "r_crit", "std_estimate", "beta", "β", "alpha", "α", "cronbach_alpha",
    "alpha_if_deleted", "omega", "omega_total", "omega_h", "ω", "rho_a", "rho_c", "cr", "CR",
    "composite_reliability", "ave", "AVE", "htmt", "HTMT", "loading", "outer_loading",
    "std_loading", "r2", "adj_r2", "R²", "adjusted R²", "ΔR²", "kmo", "KMO", "f2",
})
#: Decimals by statistic (APA 7, sec. 6.36: two for most statistics, three for p and for
#: the statistics bounded by 1, whose third decimal matters at their thresholds .70/.50).
STAT_DIGITS = {"M": 2, "mean": 2, "SD": 2, "sd": 2, "Mdn": 2, "median": 2, "b": 2,
               "estimate": 2, "SE": 2, "std_error": 2, "t": 2, "F": 2, "z": 2, "statistic": 2,
               "p": 3, "p_value": 3, "f_p_value": 3}


def fmt_stat(value: Any, stat: str, *, digits: int | None = None, decimal: str = ".",
             missing: str = "") -> str:
    """Format ``value`` as the statistic ``stat`` by the APA 7 rules, in one place.

    p values print as :func:`fmt_p` (``.023``, ``< .001``); statistics bounded by 1
    (:data:`BOUNDED_STATISTICS`: r, β, α, ω, R², CR, AVE, HTMT, loadings ...) lose the
    leading zero; every other statistic (M, SD, b, SE, t, F ...) keeps it. Decimals
    come from :data:`STAT_DIGITS` (3 for bounded statistics, else 2) unless ``digits``.

    Examples
    --------
    >>> fmt_stat(0.7234, "alpha"), fmt_stat(0.7234, "M"), fmt_stat(0.0004, "p")
    ('.723', '0.72', '< .001')
    >>> fmt_stat(1.05, "htmt"), fmt_stat(-0.25, "β", digits=2), fmt_stat(12.345, "t")
    ('1.050', '-.25', '12.35')
    """
    if is_missing(value):
        return missing
    if stat in ("p", "p_value", "f_p_value"):
        return fmt_p(value, 3 if digits is None else digits, decimal=decimal)
    bounded = stat in BOUNDED_STATISTICS
    d = digits if digits is not None else STAT_DIGITS.get(stat, 3 if bounded else 2)
    return fmt_num(value, d, leading_zero=not bounded, decimal=decimal)


def fmt_int(value: Any, *, missing: str = "") -> str:
    """Format a count without decimals.

    Examples
    --------
    >>> fmt_int(600.0)
    '600'
    """
    if is_missing(value):
        return missing
    return f"{round(float(value))}"


def fmt_pct(value: Any, digits: int = 1, *, decimal: str = ".", missing: str = "") -> str:
    """Format a percentage already on the 0-100 scale.

    Examples
    --------
    >>> fmt_pct(12.345)
    '12.3'
    """
    return fmt_num(value, digits, decimal=decimal, missing=missing)


def fmt_p(value: Any, digits: int = 3, *, decimal: str = ".", missing: str = "") -> str:
    """Format a p value the APA way: no leading zero, ``< .001`` below the last digit.

    Examples
    --------
    >>> fmt_p(0.05), fmt_p(1.0), fmt_p(1e-9, decimal=",")
    ('.050', '1.000', '< ,001')
    """
    if is_missing(value):
        return missing
    p = float(value)
    floor = 10.0 ** (-digits)
    if p < floor:
        return "< " + fmt_num(floor, digits, leading_zero=False, decimal=decimal)
    if p > 1:
        p = 1.0
    return fmt_num(p, digits, leading_zero=False, decimal=decimal)


def fmt_p_expr(value: Any, digits: int = 3, *, decimal: str = ".") -> str:
    """Return ``"p = .023"`` or ``"p < .001"`` for a sentence.

    Examples
    --------
    >>> fmt_p_expr(0.5)
    'p = .500'
    """
    body = fmt_p(value, digits, decimal=decimal, missing="NA")
    return "p " + body if body.startswith("<") else "p = " + body


def stars(p: Any, levels: Sequence[float] = (0.05, 0.01, 0.001)) -> str:
    """Return one star per significance level reached (``*`` p < .05 ... ``***`` p < .001).

    Examples
    --------
    >>> [stars(p) for p in (0.2, 0.04, 0.009, 0.0001, None)]
    ['', '*', '**', '***', '']
    """
    if is_missing(p):
        return ""
    return "*" * sum(float(p) < lev for lev in levels)


def align_decimals(
    cells: Iterable[str], *, pad: str = FIGURE_SPACE, decimal: str = "."
) -> list[str]:
    """Pad right-aligned cells so that their decimal marks line up.

    Characters after the decimal mark's digits (stars, ``%``) are evened out with
    ``pad`` on the right; integers get padding for the missing fraction.

    Examples
    --------
    >>> align_decimals(["0.52***", "-0.10", "12.3"], pad=" ")
    ['0.52***', '-0.10   ', '12.3    ']
    """
    cells = [str(c) for c in cells]

    def tail_len(s: str) -> int:
        if not s:
            return -1
        i = s.rfind(decimal)
        if i < 0 or not any(ch.isdigit() for ch in s[i + 1:i + 2]):
            j = len(s)
            while j > 0 and not s[j - 1].isdigit():
                j -= 1
            return len(s) - j  # only the marks after the last digit
        return len(s) - i

    has_dec = [bool(c) and tail_len(c) >= 0 and c.rfind(decimal) >= 0 for c in cells]
    width = max((tail_len(c) for c in cells if c), default=0)
    out: list[str] = []
    for c, dec in zip(cells, has_dec):
        if not c:
            out.append(c)
            continue
        t = tail_len(c)
        extra = width - t if dec else max(width - t, 0)
        out.append(c + pad * max(extra, 0))
    return out
