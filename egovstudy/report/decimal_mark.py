"""Decimal commas in finished figures (the Indonesian convention, ``0,45``).

Tables and the results chapter format their numbers with a decimal comma on request
(``decimal=","``); this module does the same for a matplotlib figure at the moment it
is saved: tick labels (through their formatters, so they stay right after zooming or
re-drawing), titles, axis labels, legends and annotations. The figure is restored
afterwards.

Examples
--------
>>> swap_decimal_mark("β = 0.45, p < .05, n = 600, item hrq1.2", ",")
'β = 0,45, p < ,05, n = 600, item hrq1.2'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from egovstudy.errors import OutputError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["decimal_mark", "swap_decimal_mark"]

# a point between digits ("0.45") or before a digit at the start of a number (".05"),
# but not inside a name such as "hrq1.2" (a letter before the digits)
_POINT = re.compile(r"(?<![A-Za-z_])(?<![A-Za-z_]\d)(?<![A-Za-z_]\d\d)((?:\d+)?)\.(?=\d)")


def swap_decimal_mark(s: str, decimal: str) -> str:
    """Replace the decimal point of every number in ``s`` by ``decimal``.

    Examples
    --------
    >>> swap_decimal_mark("-1.5 to 12.25 (95% CI), R² = .31", ",")
    '-1,5 to 12,25 (95% CI), R² = ,31'
    """
    if decimal == "." or "." not in s:
        return s
    return _POINT.sub(lambda m: m.group(1) + decimal, s)


def _formatter_class() -> Any:
    from matplotlib.ticker import Formatter

    class DecimalMarkFormatter(Formatter):
        """Wrap a tick formatter and swap the decimal mark of what it prints."""

        def __init__(self, inner: Any, decimal: str) -> None:
            self.inner = inner
            self.decimal = decimal

        def set_axis(self, axis: Any) -> None:
            self.axis = axis
            self.inner.set_axis(axis)

        def __call__(self, x: Any, pos: Any = None) -> str:
            return swap_decimal_mark(str(self.inner(x, pos)), self.decimal)

        def format_ticks(self, values: Any) -> list[str]:
            return [swap_decimal_mark(str(s), self.decimal)
                    for s in self.inner.format_ticks(values)]

        def format_data(self, value: Any) -> str:
            return swap_decimal_mark(str(self.inner.format_data(value)), self.decimal)

        def format_data_short(self, value: Any) -> str:
            return swap_decimal_mark(str(self.inner.format_data_short(value)), self.decimal)

        def get_offset(self) -> str:
            return swap_decimal_mark(str(self.inner.get_offset()), self.decimal)

        def set_locs(self, locs: Any) -> None:
            self.inner.set_locs(locs)

    return DecimalMarkFormatter


@contextmanager
def decimal_mark(fig: Figure, decimal: str = ",") -> Iterator[Figure]:
    """Within the block, ``fig`` shows numbers with ``decimal`` as the decimal mark.

    Parameters
    ----------
    fig : matplotlib Figure
    decimal : {".", ","}
        ``"."`` leaves the figure as it is.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 0.5]); _ = ax.set_title("slope 0.5")
    >>> with decimal_mark(fig, ","):
    ...     fig.canvas.draw()
    ...     ax.get_title(), [t.get_text() for t in ax.get_yticklabels()][1:3]
    ('slope 0,5', ['0,0', '0,1'])
    >>> ax.get_title()
    'slope 0.5'
    >>> plt.close(fig)
    """
    if decimal not in (".", ","):
        raise OutputError(f"decimal={decimal!r} is not supported; use '.' or ','")
    if decimal == ".":
        yield fig
        return
    from matplotlib.text import Text

    wrapper = _formatter_class()
    axes_saved: list[tuple[Any, Any]] = []
    for ax in fig.get_axes():
        for axis in (ax.xaxis, ax.yaxis):
            for which in ("major", "minor"):
                fmt = axis.get_major_formatter() if which == "major" else \
                    axis.get_minor_formatter()
                axes_saved.append((axis, (which, fmt)))
                new = wrapper(fmt, decimal)
                if which == "major":
                    axis.set_major_formatter(new)
                else:
                    axis.set_minor_formatter(new)
    texts_saved: list[tuple[Any, str]] = []
    ticks = {id(t) for ax in fig.get_axes() for axis in (ax.xaxis, ax.yaxis)
             for t in axis.get_ticklabels(which="both")}
    for t in fig.findobj(Text):
        if id(t) in ticks:
            continue
        s = t.get_text()
        new_s = swap_decimal_mark(s, decimal)
        if new_s != s:
            texts_saved.append((t, s))
            t.set_text(new_s)
    try:
        yield fig
    finally:
        for t, s in texts_saved:
            t.set_text(s)
        for axis, (which, fmt) in axes_saved:
            if which == "major":
                axis.set_major_formatter(fmt)
            else:
                axis.set_minor_formatter(fmt)
