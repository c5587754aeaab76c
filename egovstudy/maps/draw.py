"""World and Indonesia choropleths drawn with matplotlib from the shipped shapes.

Polygons are drawn as matplotlib path collections (one compound path per country or
province, holes included) rather than through geopandas/cartopy: the shapes are small
and fixed, and those packages would bring GDAL/PROJ/GEOS binaries to draw two maps.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> fig = world_map(pd.DataFrame({"iso3": ["IDN", "DNK", "TUV"], "egdi": [0.76, 0.98, 0.5]}),
...                 scheme="equal", k=2)
>>> fig.axes[0].get_title()
'egdi by country'
>>> import matplotlib.pyplot as plt; plt.close(fig)
"""

from __future__ import annotations

import difflib
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from egovstudy.errors import DataFormatError, InsufficientDataError, OutputError
from egovstudy.maps.projection import equal_earth
from egovstudy.maps.provinces import (
    SHAPE_OF,
    SPLIT_YEAR,
    match_provinces,
    official_shape_name,
)
from egovstudy.maps.shapes import load_shapes
from egovstudy.report.language import check_decimal, check_language, text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["match_countries", "province_map", "world_map"]

Scheme = Literal["quantile", "equal", "breaks", "continuous"]
_SCHEMES = ("quantile", "equal", "breaks", "continuous")
_NO_DATA: dict[str, Any] = {"facecolor": "#e0e0e0", "edgecolor": "#9a9a9a", "hatch": "////"}
_SPLIT: dict[str, Any] = {"facecolor": "#f2f2f2", "edgecolor": "#7a7a7a", "hatch": "xxx"}
_NOTE_WIDTH = 120  # characters per line of the note under the map


@dataclass(frozen=True)
class _Classes:
    edges: np.ndarray  # k + 1 class edges (continuous: min and max)
    colours: dict[str, Any]  # shape key -> RGBA
    counts: list[int]
    continuous: bool
    shades: tuple[Any, ...] = ()  # colour of each class


def _column(frame: pd.DataFrame, name: str, argument: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise DataFormatError(f"the map needs a pandas DataFrame, got {type(frame).__name__}")
    if name not in frame.columns:
        close = difflib.get_close_matches(str(name), [str(c) for c in frame.columns], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise DataFormatError(f"{argument}={name!r}: no such column in the data{hint} "
                              f"(columns: {', '.join(map(str, frame.columns[:12]))})")


def _values(frame: pd.DataFrame, value: str, year: int | None,
            year_column: str) -> pd.DataFrame:
    _column(frame, value, "value")
    if year is not None:
        _column(frame, year_column, "year_column")
        frame = frame[frame[year_column] == year]
        if frame.empty:
            raise InsufficientDataError(f"year={year}: no rows with {year_column!r} == {year}")
    numbers = pd.to_numeric(frame[value], errors="coerce")
    bad = frame.index[numbers.isna() & frame[value].notna()]
    if len(bad):
        raise DataFormatError(f"column {value!r}: {frame.loc[bad[0], value]!r} (row {bad[0]}) "
                              "is not a number; clean it or set it to missing")
    return frame.assign(**{value: numbers})


def _duplicates(keys: pd.Series, what: str, column: str) -> None:
    dup = sorted(set(keys[keys.duplicated()]))
    if dup:
        raise DataFormatError(f"column {column!r}: {what} {', '.join(map(str, dup[:5]))} "
                              "appear more than once; keep one row each (e.g. pass year=...)")


def _classify(values: dict[str, float], scheme: str, k: int,
              breaks: Sequence[float] | None, cmap: str) -> _Classes:
    import matplotlib as mpl

    if scheme not in _SCHEMES:
        close = difflib.get_close_matches(str(scheme), _SCHEMES, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise OutputError(f"scheme={scheme!r} is not known{hint} (use one of "
                          f"{', '.join(_SCHEMES)})")
    if breaks is not None and scheme != "breaks":
        raise OutputError(f"breaks={list(breaks)} are used only with scheme='breaks' (or the "
                          f"default scheme), not scheme={scheme!r}; drop one of them")
    v = np.array(list(values.values()), dtype=float)
    if v.size == 0:
        raise InsufficientDataError("no value to map: every row is missing or unmatched")
    colormap = _colormap(cmap)
    lo, hi = float(v.min()), float(v.max())
    if scheme == "continuous":
        norm = mpl.colors.Normalize(lo, hi if hi > lo else lo + 1)
        return _Classes(np.array([lo, hi]),
                        {key: colormap(norm(x)) for key, x in values.items()}, [v.size], True)
    if scheme == "breaks":
        if breaks is None or len(breaks) == 0:
            raise OutputError("scheme='breaks' needs breaks=[...] (the upper edge of each class)")
        b = np.asarray(breaks, dtype=float)
        if not np.all(np.isfinite(b)) or np.any(np.diff(b) <= 0):
            raise OutputError(f"breaks={list(breaks)} must be finite and strictly increasing")
        edges = np.concatenate([[min(lo, b[0])], b[b > min(lo, b[0])]])
        if hi > edges[-1]:
            edges = np.append(edges, hi)
    else:
        if not isinstance(k, (int, np.integer)) or not 2 <= k <= 9:
            raise OutputError(f"k={k!r} classes: use a whole number from 2 to 9")
        edges = (np.quantile(v, np.linspace(0, 1, k + 1)) if scheme == "quantile"
                 else np.linspace(lo, hi, k + 1))
        edges = np.unique(edges)  # tied quantiles give fewer classes
        if edges.size < 2:
            edges = np.array([lo, lo])
    n = max(edges.size - 1, 1)
    cls = {key: int(np.clip(np.searchsorted(edges[1:-1], x, side="left"), 0, n - 1))
           for key, x in values.items()}
    shades = [colormap((i + 0.5) / n) for i in range(n)]
    counts = [sum(1 for c in cls.values() if c == i) for i in range(n)]
    return _Classes(edges, {key: shades[c] for key, c in cls.items()}, counts, False,
                    tuple(shades))


def _colormap(cmap: str) -> Any:
    """``cmap`` without its palest 15% (too close to the no-data grey) and darkest 5%."""
    import matplotlib as mpl

    if cmap not in mpl.colormaps:
        close = difflib.get_close_matches(str(cmap), list(mpl.colormaps), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise OutputError(f"cmap={cmap!r} is not a matplotlib colour map{hint}")
    return mpl.colors.ListedColormap(mpl.colormaps[cmap](np.linspace(0.15, 0.95, 256)))


def _number(x: float, digits: int, decimal: str) -> str:
    s = f"{x:.{digits}f}"
    return s.replace(".", ",") if decimal == "," else s


def _paths(rings: list[np.ndarray]) -> Any:
    from matplotlib.path import Path

    return Path.make_compound_path(*[Path(r, closed=True) for r in rings if len(r) >= 3])


def _draw(shapes: list[tuple[str, list[np.ndarray]]], classes: _Classes,
          split: set[str], *, title: str, note: str, legend_no_data: str,
          legend_split: str, n_missing: int, digits: int, decimal: str, cmap: str,
          ax: Axes | None, figsize: tuple[float, float]) -> Figure:
    import matplotlib as mpl
    import matplotlib.pyplot as plt
    from matplotlib.collections import PathCollection
    from matplotlib.patches import Patch

    from egovstudy.report.style import house_style

    own = ax is None
    if ax is None:
        with house_style():
            fig, ax = plt.subplots(figsize=figsize)
    fig = ax.figure  # type: ignore[assignment]
    groups: dict[str, list[tuple[Any, Any]]] = {"data": [], "none": [], "split": []}
    for key, rings in shapes:
        path = _paths(rings)
        if key in split:
            groups["split"].append((path, None))
        elif key in classes.colours:
            groups["data"].append((path, classes.colours[key]))
        else:
            groups["none"].append((path, None))
    if groups["data"]:
        ax.add_collection(PathCollection([p for p, _ in groups["data"]],
                                         facecolors=[c for _, c in groups["data"]],
                                         edgecolors="white", linewidths=0.25))
    for name, style in (("none", _NO_DATA), ("split", _SPLIT)):
        if groups[name]:
            ax.add_collection(PathCollection([p for p, _ in groups[name]], linewidths=0.25,
                                             **style))
    xy = np.concatenate([r for _, rings in shapes for r in rings])
    pad = 0.01 * (xy.max(axis=0) - xy.min(axis=0))
    ax.set_xlim(xy[:, 0].min() - pad[0], xy[:, 0].max() + pad[0])
    ax.set_ylim(xy[:, 1].min() - pad[1], xy[:, 1].max() + pad[1])
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(title)
    handles: list[Any] = []
    if classes.continuous:
        norm = mpl.colors.Normalize(*classes.edges)
        inset = ax.inset_axes((0.02, 0.17, 0.26, 0.03))
        bar = fig.colorbar(mpl.cm.ScalarMappable(norm=norm, cmap=_colormap(cmap)), cax=inset,
                           orientation="horizontal")
        bar.ax.tick_params(labelsize=7)
        bar.ax.xaxis.set_major_formatter(
            mpl.ticker.FuncFormatter(lambda x, _pos: _number(x, digits, decimal)))
    else:
        for i, colour in enumerate(classes.shades):
            lo, hi = classes.edges[i], classes.edges[i + 1]
            handles.append(Patch(facecolor=colour, edgecolor="white", label=(
                f"{_number(lo, digits, decimal)}\u2013{_number(hi, digits, decimal)}"
                f" ({classes.counts[i]})")))
    if n_missing:
        handles.append(Patch(label=f"{legend_no_data} ({n_missing})", **_NO_DATA))
    if split:
        handles.append(Patch(label=f"{legend_split} ({len(split)})", **_SPLIT))
    if handles:
        ax.legend(handles=handles, loc="lower left", fontsize=7, frameon=False,
                  handlelength=1.6, borderaxespad=0.2)
    if note:
        ax.annotate(textwrap.fill(note, _NOTE_WIDTH), xy=(0, 0), xycoords="axes fraction",
                    xytext=(0, -4), textcoords="offset points", va="top", ha="left",
                    fontsize=6.5, annotation_clip=False)
    if own:  # room for the title, the colour bar and the note inside the figure
        fig.tight_layout(pad=0.3)
    return fig


def _options(language: str, decimal: str | None, scheme: Scheme,
             breaks: Sequence[float] | None) -> tuple[str, str, Scheme]:
    """Checked language and decimal mark; ``breaks`` alone implies ``scheme="breaks"``."""
    language = check_language(language)
    decimal = check_decimal(decimal, language)
    if breaks is not None and scheme == "quantile":
        scheme = "breaks"
    return language, decimal, scheme


def _title_note(kind: str, title: str | None, label: str, year: int | None, language: str,
                n_missing: int) -> tuple[str, list[str]]:
    """The map's title (default "<label> by country/province[, <year>]") and the first
    sentences of its note (source, count of areas without data)."""
    if title is None:
        title = (text(f"map_title_{kind}_year", language, label=label, year=year)
                 if year is not None else text(f"map_title_{kind}", language, label=label))
    note = [text(f"map_source_{kind}", language)]
    if n_missing:
        note.append(text(f"map_note_no_data_{kind}", language, n=n_missing))
    return title, note


def match_countries(codes: Sequence[object]) -> tuple[list[str], list[str]]:
    """Split ISO3 ``codes`` into those with a shipped 1:110m shape and those without.

    Examples
    --------
    >>> match_countries(["IDN", "tuv", "XXX"])
    (['IDN'], ['TUV', 'XXX'])
    """
    known = {s.key for s in load_shapes("world") if s.key}
    up = [str(c).strip().upper() for c in codes]
    return [c for c in up if c in known], [c for c in up if c not in known]


def world_map(
    frame: pd.DataFrame,
    value: str = "egdi",
    iso3: str = "iso3",
    *,
    year: int | None = None,
    year_column: str = "year",
    scheme: Scheme = "quantile",
    k: int = 5,
    breaks: Sequence[float] | None = None,
    cmap: str = "YlGnBu",
    label: str | None = None,
    title: str | None = None,
    language: str = "en",
    decimal: str | None = None,
    digits: int = 2,
    ax: Axes | None = None,
    figsize: tuple[float, float] = (9.0, 5.2),
) -> Figure:
    """World choropleth of one country indicator (Equal Earth projection).

    Parameters
    ----------
    frame : DataFrame
        One row per country (or per country and year: then pass ``year``).
    value : str, default "egdi"
        Numeric column to map; missing values count as no data.
    iso3 : str, default "iso3"
        Column of ISO 3166-1 alpha-3 codes (case is ignored).
    year, year_column : optional
        Keep only rows with ``frame[year_column] == year``.
    scheme : {"quantile", "equal", "breaks", "continuous"}, default "quantile"
        Classes of equal counts, of equal width, ending at ``breaks``, or a continuous
        colour bar. ``breaks`` alone implies ``scheme="breaks"``.
    k : int, default 5
        Number of classes (2-9) for "quantile" and "equal".
    breaks : sequence of float, optional
        Upper edges of the classes; a last class up to the maximum is added when needed.
    cmap : str, default "YlGnBu"
        Matplotlib colour map (sequential).
    label, title : str, optional
        Name of the indicator (default: ``value``) and the title (default: "<label> by
        country[, <year>]" in ``language``).
    language : {"en", "id"}
    decimal : {".", ","}, optional
        Decimal mark of the legend (default "."; "," for Indonesian reports).
    digits : int, default 2
        Decimals in the legend.
    ax : matplotlib Axes, optional
        Draw here instead of a new figure.

    Returns
    -------
    matplotlib Figure
        Countries without a value are grey and hatched, counted in the legend and the note;
        codes in the data with no shape at 1:110m (small island states) are listed in the
        note. Save it with :func:`egovstudy.report.save_figure`.

    Raises
    ------
    DataFormatError
        Unknown column (with a did-you-mean), a non-numeric value, a country twice.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> fig = world_map(pd.DataFrame({"iso3": ["IDN", "MYS"], "osi": [0.8, 0.7]}), "osi",
    ...                 breaks=[0.75], language="id")
    >>> fig.axes[0].get_title()
    'osi menurut negara'
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    language, decimal, scheme = _options(language, decimal, scheme, breaks)
    _column(frame, iso3, "iso3")
    data = _values(frame, value, year, year_column)
    codes = data[iso3].astype("string").str.strip().str.upper()
    _duplicates(codes.dropna(), "ISO3 codes", iso3)
    present = data[value].notna() & codes.notna()
    values = dict(zip(codes[present], data.loc[present, value].astype(float)))
    matched, unmatched = match_countries(list(values))
    values = {c: values[c] for c in matched}
    classes = _classify(values, scheme, k, breaks, cmap)
    shapes = []
    for s in load_shapes("world"):
        rings = []
        for r in s.rings():
            x, y = equal_earth(r[:, 0], r[:, 1])
            rings.append(np.column_stack([x, y]))
        shapes.append((s.key or s.name, rings))
    n_missing = sum(1 for key, _ in shapes if key not in values)
    title, note = _title_note("world", title, label or value, year, language, n_missing)
    if unmatched:
        note.append(text("map_note_unmatched_world", language, n=len(unmatched),
                         codes=", ".join(sorted(unmatched))))
    return _draw(shapes, classes, set(), title=title, note=" ".join(note),
                 legend_no_data=text("map_no_data", language),
                 legend_split=text("map_split", language), n_missing=n_missing,
                 digits=digits, decimal=decimal, cmap=cmap, ax=ax, figsize=figsize)


def province_map(
    frame: pd.DataFrame,
    value: str,
    province: str = "province",
    *,
    year: int | None = None,
    year_column: str = "year",
    scheme: Scheme = "quantile",
    k: int = 5,
    breaks: Sequence[float] | None = None,
    cmap: str = "YlGnBu",
    label: str | None = None,
    title: str | None = None,
    language: str = "en",
    decimal: str | None = None,
    digits: int = 2,
    ax: Axes | None = None,
    figsize: tuple[float, float] = (9.0, 4.2),
) -> Figure:
    """Map of Indonesia's provinces coloured by one province indicator.

    Parameters are those of :func:`world_map`, with ``province`` the column of province
    names, matched whatever their case and usual spelling ("Prov. DKI Jakarta", "Daerah
    Istimewa Yogyakarta", "SUMATRA UTARA", ...). Provinces created since the shipped
    shapes (Kalimantan Utara 2012; Papua Selatan, Papua Tengah, Papua Pegunungan and
    Papua Barat Daya 2022) are matched too; their parent's outline is coloured only when
    the data have no value for a province split from it, and is otherwise cross-hatched
    and named in the note (see :mod:`egovstudy.maps.provinces`). Longitude and latitude are
    drawn to the same scale (near the equator this distorts areas by under 2 percent).

    Raises
    ------
    DataFormatError
        A name that is no province (with a did-you-mean), a province twice, an unknown
        column, a non-numeric value.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> df = pd.DataFrame({"province": ["DKI JAKARTA", "Papua", "Bali"], "ipm": [82, 61, 77]})
    >>> fig = province_map(df, "ipm", k=2, digits=0)
    >>> fig.axes[0].get_title()
    'ipm by province'
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    language, decimal, scheme = _options(language, decimal, scheme, breaks)
    _column(frame, province, "province")
    data = _values(frame, value, year, year_column)
    data = data[data[province].notna()]
    names = pd.Series(match_provinces(data[province], column=province), index=data.index)
    _duplicates(names, "provinces", province)
    given = dict(zip(names[data[value].notna()], data.loc[data[value].notna(), value]))
    # a shipped outline covers its province and the ones split from it later
    members: dict[str, list[str]] = {}
    for name, shape in SHAPE_OF.items():
        members.setdefault(shape, []).append(name)
    values: dict[str, float] = {}
    split: dict[str, list[str]] = {}
    for shape, names_ in members.items():
        later = [n for n in names_ if n in SPLIT_YEAR and n in given]
        if later:
            split[shape] = later
        elif shape in given:
            values[shape] = float(given[shape])
    classes = _classify(values, scheme, k, breaks, cmap)
    shapes = [(official_shape_name(s.key), list(s.rings()))
              for s in load_shapes("idn_provinces")]
    n_missing = sum(1 for key, _ in shapes if key not in values and key not in split)
    title, note = _title_note("province", title, label or value, year, language, n_missing)
    for shape, later in split.items():
        years = sorted({SPLIT_YEAR[n] for n in later})
        note.append(text("map_note_split", language, shape=shape,
                         provinces=", ".join(later), years="/".join(map(str, years))))
    return _draw(shapes, classes, set(split), title=title, note=" ".join(note),
                 legend_no_data=text("map_no_data", language),
                 legend_split=text("map_split", language), n_missing=n_missing,
                 digits=digits, decimal=decimal, cmap=cmap, ax=ax, figsize=figsize)
