"""One house style for print: the Okabe-Ito palette, readable sizes, deterministic output.

Examples
--------
>>> import matplotlib
>>> with house_style():
...     matplotlib.rcParams["axes.titlesize"] >= 10
True
>>> OKABE_ITO[0]
'#E69F00'
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["DIVERGING", "GREY", "OKABE_ITO", "RC", "diverging_colors", "house_style"]

#: Okabe & Ito (2008) colour-blind-safe palette (black moved last).
OKABE_ITO: tuple[str, ...] = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#F0E442",  # yellow
    "#000000",  # black
)
GREY = "#8C8C8C"
#: Disagree -> agree colours for Likert bars (vermillion, orange, grey, sky blue, blue).
DIVERGING: tuple[str, ...] = ("#D55E00", "#E69F00", "#BDBDBD", "#56B4E9", "#0072B2")
#: Colour map for correlation heatmaps (purple-orange is safe for red-green deficiency).
CORR_CMAP = "PuOr_r"

RC: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Liberation Sans", "Helvetica"],
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "figure.titlesize": 12,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.8,
    "axes.prop_cycle": None,  # filled in below
    "axes.titlelocation": "left",
    "axes.titleweight": "bold",
    "lines.linewidth": 1.5,
    "lines.markersize": 5,
    "figure.dpi": 100,
    "savefig.dpi": 300,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.05,
    "figure.constrained_layout.use": False,
    "svg.hashsalt": "egovstudy",
    # print: TrueType (Type 42) fonts in PDF and PS, never Type 3 (publishers reject
    # them); SVG glyphs as outlines so the figure looks the same without the fonts
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "image.cmap": "viridis",
}


def _rc() -> dict[str, Any]:
    from cycler import cycler

    rc = dict(RC)
    rc["axes.prop_cycle"] = cycler(color=list(OKABE_ITO))
    return rc


@contextmanager
def house_style(**overrides: Any) -> Iterator[None]:
    """Context manager applying the house style (rcParams) within the block.

    The block starts from matplotlib's defaults, not from the session's settings, so a figure
    drawn here is the same whatever a notebook or another library (``seaborn.set_theme``)
    changed before: reruns give byte-identical files. The session's settings come back on exit.
    Figures made in the block remember the style, and :func:`~egovstudy.report.save_figure`
    saves them in it too (matplotlib creates tick labels only when a figure is drawn).

    Parameters
    ----------
    **overrides
        rcParams to change on top of the house style (use ``_`` for ``.``
        is not supported: pass a dict with ``**{"font.size": 12}``).
    """
    import sys

    rc = _rc()
    rc.update(overrides)
    before = _figures(sys.modules.get("matplotlib.pyplot"))
    with styled(rc):
        yield
    for num, fig in _figures(sys.modules.get("matplotlib.pyplot")).items():
        if num not in before:
            fig._egovstudy_rc = rc


@contextmanager
def styled(rc: dict[str, Any]) -> Iterator[None]:
    """Matplotlib's defaults plus ``rc`` within the block (the backend is kept)."""
    import matplotlib as mpl

    with mpl.rc_context():
        mpl.rcdefaults()  # the backend is kept (matplotlib's style blacklist)
        mpl.rcParams.update(rc)  # type: ignore[arg-type]
        yield


def _figures(pyplot: Any) -> dict[Any, Any]:
    """Open pyplot figures by number (none when pyplot was never imported)."""
    if pyplot is None:
        return {}
    from matplotlib._pylab_helpers import Gcf

    return {m.num: m.canvas.figure for m in Gcf.get_all_fig_managers()}


def diverging_colors(k: int) -> list[str]:
    """Return ``k`` disagree-to-agree colours (neutral grey in the middle when k is odd).

    Examples
    --------
    >>> diverging_colors(5) == list(DIVERGING)
    True
    >>> len(diverging_colors(7))
    7
    """
    if k == 5:
        return list(DIVERGING)
    import matplotlib as mpl

    cmap = mpl.colormaps["PuOr"]
    vals = [0.1 + 0.8 * i / max(k - 1, 1) for i in range(k)]
    cols = [mpl.colors.to_hex(cmap(1 - v)) for v in vals]
    if k % 2 == 1:
        cols[k // 2] = "#BDBDBD"
    return cols
