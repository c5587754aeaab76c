"""Save a figure as PNG, SVG and PDF with provenance embedded and byte-identical reruns.

Examples
--------
>>> import tempfile, pathlib
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> fig, ax = plt.subplots()
>>> _ = ax.plot([1, 2], [1, 3])
>>> paths = save_figure(fig, pathlib.Path(tempfile.mkdtemp()) / "fig", formats=("png", "svg"))
>>> [p.suffix for p in paths]
['.png', '.svg']
>>> plt.close(fig)
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from egovstudy._output import atomic_path
from egovstudy.errors import OutputError
from egovstudy.report.decimal_mark import decimal_mark
from egovstudy.report.raster import pdf_page_pixels, pixel_size, write_png
from egovstudy.report.style import styled
from egovstudy.report.writers import check_writable

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FIGURE_FORMATS", "PNG_COMPRESS_LEVEL", "PRINT_RC", "read_png_provenance",
           "save_figure"]

FIGURE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
#: rcParams every saved figure gets: TrueType (Type 42) fonts in PDF/PS, never Type 3,
#: and SVG ids salted with a fixed string for byte-identical reruns.
#: The saved area is the drawn artists' bounding box ("tight"), so a legend or label
#: placed outside the axes is never cut, whether or not the house style is active.
PRINT_RC: dict[str, Any] = {"pdf.fonttype": 42, "ps.fonttype": 42, "svg.hashsalt": "egovstudy",
                            "savefig.bbox": "tight", "savefig.pad_inches": 0.05}
#: zlib level of saved PNG files (Pillow's default is 6), written by
#: :func:`egovstudy.report.raster.write_png` without a row filter: measured on the 8
#: figures of the default study at 300 dpi, 0.21 s of CPU and 2.48 MB at level 3, against
#: 0.43 s and 1.98 MB at level 6 (Pillow with its filter search: 0.54 s and 2.75 MB at
#: level 3). The image is lossless at any level.
PNG_COMPRESS_LEVEL = 3


def _formats(path: Path, formats: Sequence[str] | str | None) -> tuple[Path, list[str]]:
    suffix = path.suffix.lower().lstrip(".")
    if isinstance(formats, str):
        formats = [formats]
    if formats is None:
        fmts = [suffix] if suffix in FIGURE_FORMATS else list(FIGURE_FORMATS)
    else:
        fmts = [f.lower().lstrip(".") for f in formats]
    bad = [f for f in fmts if f not in FIGURE_FORMATS]
    if bad or not fmts:
        raise OutputError(f"figure format(s) {bad or fmts} not supported; use any of "
                          f"{', '.join(FIGURE_FORMATS)}")
    stem = path.with_suffix("") if suffix in FIGURE_FORMATS else path
    return stem, list(dict.fromkeys(fmts))


def save_figure(
    fig: Figure,
    path: str | Path,
    *,
    formats: Sequence[str] | str | None = None,
    dpi: int = 300,
    provenance: Mapping[str, Any] | None = None,
    overwrite: bool = False,
    title: str | None = None,
    decimal: str = ".",
) -> list[Path]:
    """Write ``fig`` as PNG, SVG and/or PDF with metadata, deterministically.

    Parameters
    ----------
    fig : matplotlib Figure
    path : str or Path
        Output path; its suffix (if .png/.svg/.pdf) is replaced by each format's.
    formats : sequence of {"png", "svg", "pdf"}, optional
        Default: the suffix's format if ``path`` has one, else all three.
    dpi : int, default 300
        Resolution of the PNG (and of any image drawn into the PDF and SVG).
    provenance : mapping, optional
        Record from :func:`egovstudy.provenance.make_provenance` (data hash,
        version, commit, options); made without a data hash when omitted.
        Embedded as PNG text chunks, SVG ``<metadata>`` (Dublin Core) and the
        PDF info dictionary.
    overwrite : bool, default False
        Replace existing files; otherwise raise :class:`OutputError` before
        writing anything.
    title : str, optional
        Document title stored in the metadata.
    decimal : {".", ","}, default "."
        Decimal mark of the numbers in the saved files (tick labels, titles, legends,
        annotations); ``","`` for Indonesian reports. The figure itself is left as it
        was (see :func:`egovstudy.report.decimal_mark.decimal_mark`).

    Returns
    -------
    list of Path
        The files written, in the order of ``formats``.

    Notes
    -----
    Dates are left out of the metadata and SVG ids are salted with a fixed string
    (``svg.hashsalt``), so the same figure gives byte-identical files on rerun.
    Fonts are embedded as TrueType (``pdf.fonttype = 42``, ``ps.fonttype = 42``)
    whatever the caller's rcParams say: publishers reject the Type 3 fonts that are
    matplotlib's default. SVG text follows ``svg.fonttype`` (the house style and
    matplotlib's default ``"path"`` draw glyphs as outlines, so the figure looks the
    same without the fonts installed; set ``"none"`` to keep text editable).
    The PNG is the PDF's page rasterized at ``dpi`` by PDFium (pypdfium2), not a
    second drawing by matplotlib's Agg: the two files show one picture, and a save
    costs one drawing less (see :mod:`egovstudy.report.raster`). Its size in pixels is
    the one Agg would give.
    Each file is written to a temporary name in its folder and moved over the
    final name once complete; a symbolic link at a target is refused.
    """
    import matplotlib as mpl

    from egovstudy.provenance import make_provenance

    if not hasattr(fig, "savefig"):
        raise OutputError(f"save_figure needs a matplotlib Figure, got {type(fig).__name__}; "
                          "pass ax.figure for an Axes")
    if int(dpi) <= 0:
        raise OutputError(f"dpi={dpi} must be a positive integer")
    stem, fmts = _formats(Path(path), formats)
    targets = [stem.with_name(stem.name + "." + f) for f in fmts]
    for t in targets:  # check every target before writing any
        check_writable(t, overwrite=overwrite)
    record = dict(provenance) if provenance is not None else make_provenance()
    prov = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)
    version = f"egovstudy {record.get('version', '')}".strip()
    title = title or stem.name
    out = []
    if decimal not in (".", ","):
        raise OutputError(f"decimal={decimal!r} is not supported; use '.' or ','")
    rc = {**PRINT_RC, "pdf.compression": 6}
    # a figure made in the house style is saved in it: tick labels are created at draw time
    made_in = getattr(fig, "_egovstudy_rc", None)
    style = styled(made_in) if made_in is not None else nullcontext()
    rc_cm = mpl.rc_context(rc)  # type: ignore[arg-type]
    pdf_meta = {"Title": title, "Creator": version, "Producer": version, "Subject": prov,
                "Keywords": f"data_sha256={record.get('data_sha256')}",
                "CreationDate": None, "ModDate": None}
    png_meta = {"Software": version, "Title": title, "Description": prov,
                "egovstudy:data_sha256": str(record.get("data_sha256")),
                "egovstudy:commit": str(record.get("commit"))}
    svg_meta = {"Title": title, "Creator": version, "Description": prov, "Date": None,
                "Source": str(record.get("data_sha256"))}
    # matplotlib draws the PDF and the SVG; the PNG is the PDF's page rasterized
    # (egovstudy.report.raster), so a PNG needs the PDF's bytes even when no PDF is saved
    draws = len({"pdf" if f == "png" else f for f in fmts})
    with (style, rc_cm, decimal_mark(fig, decimal),
          _drawn_once(fig, dpi, draws, box="png" in fmts) as bbox):
        if "png" in fmts and isinstance(bbox, str):
            raise OutputError(f"the figure is {fig.get_figwidth():g} x {fig.get_figheight():g} "
                              "inches: a PNG needs an area; give it a size with "
                              "fig.set_size_inches(width, height)")
        pdf = b""
        if "png" in fmts or "pdf" in fmts:
            buf = io.BytesIO()
            with _lean_pdf_fonts():
                fig.savefig(buf, format="pdf", dpi=dpi, metadata=pdf_meta, bbox_inches=bbox)
            pdf = buf.getvalue()
        for fmt, target in zip(fmts, targets):
            with atomic_path(target, overwrite=overwrite) as tmp:  # never half-written
                if fmt == "png":
                    size = (pixel_size(bbox.width, dpi), pixel_size(bbox.height, dpi))
                    write_png(tmp, pdf_page_pixels(pdf, dpi, size), dpi=dpi,
                              metadata=png_meta, level=PNG_COMPRESS_LEVEL)
                elif fmt == "pdf":
                    tmp.write_bytes(pdf)
                else:
                    fig.savefig(tmp, format=fmt, dpi=dpi, metadata=svg_meta, bbox_inches=bbox)
            out.append(target)
    return out


#: Font tables left out of the TrueType subsets embedded in PDF files: matplotlib's own
#: list (FontForge and Apple tables a PDF never reads) plus the OpenType layout tables.
_PDF_DROP_TABLES = ["FFTM", "PfEd", "BDF", "meta", "MERG", "TSIV", "Zapf", "bdat", "bloc",
                    "cidg", "fdsc", "feat", "fmtx", "fond", "just", "kerx", "ltag", "morx",
                    "trak", "xref", "GSUB", "GPOS", "GDEF"]


def _lean_glyphs_subset(fontfile: Any, glyphs: Any) -> Any:
    """A TrueType subset for a PDF without the OpenType layout tables (GSUB, GPOS, GDEF).

    Stands in for ``matplotlib.backends._backend_pdf_ps.get_glyphs_subset`` while
    :func:`save_figure` writes a PDF. A PDF places every glyph itself (matplotlib has
    already laid the text out), so a viewer never reads a font's layout tables; yet
    fontTools must decode and prune DejaVu Sans's large GSUB/GPOS for every font of
    every figure. Without them a subset took 0.034 s instead of 0.125 s (8 PDFs of the
    default study: 2.85 s -> 2.0 s of CPU) and is smaller. Every glyph asked for keeps
    its outline and width (tested against matplotlib's own subset); left out are only
    the glyphs that GSUB alone reaches (ligatures matplotlib never draws), so the
    glyph numbering inside the font may differ, consistently within each PDF.
    """
    from fontTools import subset
    from matplotlib.backends import _backend_pdf_ps

    options = subset.Options(glyph_names=True, recommended_glyphs=True)
    options.drop_tables += _PDF_DROP_TABLES
    options.font_number = fontfile.face_index
    font = subset.load_font(fontfile, options)
    # The tables the subsetter would drop, dropped before it starts, by its own rule:
    # fontTools 4.6x decodes GSUB, GPOS and GDEF on entering `subset` (to lower their
    # formats) before dropping them, which cost the default study's 8 PDFs 0.1-0.25 s
    # of CPU. Dropped unread here (the font is loaded lazily), the subset is the same.
    gpos = "GPOS" in font
    tags = font.keys()  # a list (TTFont is not iterable)
    for tag in [t for t in tags if t != "GlyphOrder"]:
        if (tag.strip() in options.drop_tables
                or (tag.strip() in options.hinting_tables and not options.hinting)
                or (tag == "kern" and not options.legacy_kern and gpos)):
            del font[tag]
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(gids=glyphs)
    subsetter.subset(font)
    return _backend_pdf_ps.SubsetResults(font, subsetter.glyph_index_map)._as_cm()


@contextmanager
def _lean_pdf_fonts() -> Iterator[None]:
    """Within, matplotlib embeds PDF font subsets made by :func:`_lean_glyphs_subset`.

    Only where matplotlib's subsetting has the form that function mirrors
    (``get_glyphs_subset(fontfile, glyphs)`` returning ``SubsetResults``, matplotlib
    3.11); any other matplotlib keeps its own.
    """
    import inspect

    from matplotlib.backends import _backend_pdf_ps

    stock = getattr(_backend_pdf_ps, "get_glyphs_subset", None)
    try:
        usable = (stock is not None and hasattr(_backend_pdf_ps, "SubsetResults")
                  and list(inspect.signature(stock).parameters) == ["fontfile", "glyphs"])
    except (TypeError, ValueError):  # pragma: no cover - a C function or a wrapper
        usable = False
    if not usable:
        yield
        return
    _backend_pdf_ps.get_glyphs_subset = _lean_glyphs_subset
    try:
        yield
    finally:
        _backend_pdf_ps.get_glyphs_subset = stock  # type: ignore[assignment]


def _needs_layout_draw(fig: Figure, engine: Any) -> bool:
    """Whether ``fig`` must be drawn once before its tight box can be measured.

    It must when a layout engine will move its axes (constrained, tight), or when a
    legend is stretched to its anchor box (``mode="expand"``), a size matplotlib sets
    only while drawing (tested against matplotlib's own tight box). Otherwise (no
    engine, or the placeholder ``tight_layout()`` leaves) the box measured without the
    draw is the same, and the draw -- a pass over every text -- is saved: measured on
    the default study's 8 figures, 0.75 s of CPU for their boxes with the draw against
    0.31 s without, the boxes and files identical.
    """
    from matplotlib.layout_engine import PlaceHolderLayoutEngine
    from matplotlib.legend import Legend

    if engine is not None and not isinstance(engine, PlaceHolderLayoutEngine):
        return True
    return any(getattr(leg, "_mode", None) == "expand" for leg in fig.findobj(Legend))


@contextmanager
def _drawn_once(fig: Figure, dpi: int, n_draws: int, *, box: bool = False) -> Iterator[Any]:
    """Lay out ``fig`` and find its tight bounding box once for all its formats.

    ``savefig(bbox_inches="tight")`` draws the whole figure a first time only to
    measure it (and to run its layout engine), before drawing it again for the
    file: for two drawings (PDF and SVG) that is four draws. Here the figure is laid out
    and measured once (at the PNG's resolution, by Agg's text metrics; without a draw
    when nothing is laid out while drawing, see :func:`_needs_layout_draw`) and every
    format is saved with that box and the layout engine off, so each drawing costs one
    draw. Yields ``"tight"`` (matplotlib's own path) for a single drawing unless ``box``
    (a PNG, whose size in pixels comes from the box), and for a figure without area.
    """
    if (n_draws < 2 and not box) or fig.get_figwidth() <= 0 or fig.get_figheight() <= 0:
        yield "tight"
        return
    import matplotlib as mpl
    from matplotlib.transforms import Bbox

    engine = fig.get_layout_engine()
    old_dpi = fig.dpi
    try:
        fig.set_dpi(dpi)
        if _needs_layout_draw(fig, engine):
            fig.draw_without_rendering()  # runs the layout engine (constrained/tight)
        # a canvas without a renderer of its own (not Agg's): matplotlib finds one
        renderer = fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") else None
        pad = float(mpl.rcParams["savefig.pad_inches"])
        tight = fig.get_tightbbox(renderer).padded(pad)
        # whole pixels at dpi from the lower left corner, as Agg cuts its canvas: the
        # PDF's page then rasterizes to the PNG without stretching (egovstudy.report.raster)
        bbox = Bbox.from_bounds(tight.x0, tight.y0, pixel_size(tight.width, dpi) / dpi,
                                pixel_size(tight.height, dpi) / dpi)
    finally:
        fig.set_dpi(old_dpi)
    if engine is not None:
        # no engine at all, not the "none" placeholder: with any engine set, savefig
        # draws the figure once more before the file's own draw (a layout pass with
        # drawing disabled), which for three formats was three extra passes over every
        # text (measured on the default study: 7.2 -> 6.5 s of CPU for its 8 figures)
        with mpl.rc_context({"figure.autolayout": False,
                             "figure.constrained_layout.use": False}):
            fig.set_layout_engine(None)
    try:
        yield bbox
    finally:
        if engine is not None:
            fig.set_layout_engine(engine)


def read_png_provenance(path: str | Path) -> dict[str, Any]:
    """Return the provenance record embedded in a PNG written by :func:`save_figure`."""
    from PIL import Image

    with Image.open(path) as im:
        desc = im.info.get("Description")
    if not desc:
        raise OutputError(f"{path} carries no egovstudy provenance (PNG 'Description' chunk)")
    return json.loads(desc)


def __getattr__(name: str) -> Any:
    """:class:`FigureWriter` lives in :mod:`egovstudy.report.background` (kept here too)."""
    if name == "FigureWriter":
        from egovstudy.report.background import FigureWriter

        return FigureWriter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
