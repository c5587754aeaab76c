"""Numbers inside sentences, for the analysis steps that may not import ``egovstudy.report``.

One formatter for the verdict sentences of ``compare``, ``models.hypotheses`` and the other
analysis modules: fixed decimals rounded half up on the shortest decimal representation (as
``egovstudy.report.numbers.fmt_num``), a decimal comma in Indonesian, APA ``p`` values.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

__all__ = ["fmt", "fmt_p"]

Lang = Literal["en", "id"]


def fmt(x: float, digits: int = 2, lang: str = "en", *, leading_zero: bool = True) -> str:
    """Format a number for a sentence: fixed decimals, decimal comma in Indonesian.

    Examples
    --------
    >>> fmt(1.2345), fmt(1.2345, 2, "id"), fmt(0.456, 2, leading_zero=False)
    ('1.23', '1,23', '.46')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "NA"
    if math.isinf(float(x)):
        return "∞" if x > 0 else "-∞"
    # half up on the shortest decimal representation, as egovstudy.report.numbers.fmt_num
    q = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    s = f"{q:.{digits}f}"
    if s.lstrip("-").strip("0.") == "" and s.startswith("-"):
        s = s[1:]
    if not leading_zero and s.lstrip("-").startswith("0."):
        s = s.replace("0.", ".", 1)
    return s.replace(".", ",") if lang == "id" else s


def fmt_p(p: float, lang: str = "en") -> str:
    """``p = .023`` or ``p < .001`` (APA), with a decimal comma in Indonesian.

    Examples
    --------
    >>> fmt_p(0.0604), fmt_p(0.0604, "id"), fmt_p(1e-9)
    ('p = .060', 'p = ,060', 'p < .001')
    """
    if p < 0.001:
        return "p < " + fmt(0.001, 3, lang, leading_zero=False)
    return "p = " + fmt(min(p, 1.0), 3, lang, leading_zero=False)
