"""Figures saved once per format set, in worker processes, with byte-identical files."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from egovstudy.datasets import default_study_dir
from egovstudy.errors import OutputError
from egovstudy.report.background import FigureWriter
from egovstudy.report.save import save_figure
from egovstudy.report.style import house_style


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _figure() -> plt.Figure:
    with house_style():
        fig, ax = plt.subplots(figsize=(4, 3), layout="constrained")
        ax.plot([1, 2, 3], [1, 4, 9], label="a")
        ax.set_title("Zero point five: 0.5")
        ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5))  # outside the axes
    return fig


def _count_draws(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The renderer of every ``Figure.draw`` from now on, in order (the list fills up)."""
    from matplotlib.figure import Figure

    draws: list[str] = []
    real = Figure.draw

    def counted(self: Figure, renderer: object) -> None:
        draws.append(type(renderer).__name__)
        real(self, renderer)

    monkeypatch.setattr(Figure, "draw", counted)
    return draws


def _png_alone_is_png_together(make: Callable[[], plt.Figure], tmp_path: Path, dpi: int,
                               formats: tuple[str, ...]) -> plt.Figure:
    """Save a fresh figure of ``make`` as PNG alone and another with ``formats``: the two PNGs
    are byte for byte the same and have the size of the PNG matplotlib's own
    ``bbox_inches="tight"`` path writes for a third (the reference for the box). Fresh
    figures, because a layout run moves the axes a hair. Returns the one saved with
    ``formats``, still open."""
    import io

    from PIL import Image

    fig, twin, ref = make(), make(), make()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    alone = save_figure(fig, tmp_path / "a" / "fig", formats=("png",), dpi=dpi)
    together = save_figure(twin, tmp_path / "b" / "fig", formats=formats, dpi=dpi)
    assert alone[0].read_bytes() == together[0].read_bytes()
    own = io.BytesIO()
    with house_style():
        ref.savefig(own, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.05)
    with Image.open(alone[0]) as ours, Image.open(own) as matplotlibs:
        assert ours.size == matplotlibs.size
    plt.close(fig)
    plt.close(ref)
    return twin


def test_one_layout_for_all_formats_gives_the_png_of_a_single_format(tmp_path: Path) -> None:
    """The PNG saved with the SVG and PDF (one layout and one tight box measured for all)
    is byte for byte the PNG saved alone, and has the size of the PNG matplotlib's own
    ``bbox_inches="tight"`` path writes, legend outside the axes included (matplotlib is
    the reference for the box)."""
    twin = _png_alone_is_png_together(_figure, tmp_path, 120, ("png", "svg", "pdf"))
    assert twin.get_layout_engine() is not None  # the figure's layout engine is given back
    plt.close(twin)


def test_each_format_draws_the_figure_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    """One layout pass, then one draw for the PDF (of which the PNG is the rasterized
    page) and one for the SVG: with a layout engine set (even the "none" placeholder),
    ``savefig`` lays the figure out once more before each file's draw, which was seven
    draws for three formats; the engine is given back after."""
    fig = _figure()
    engine = fig.get_layout_engine()
    kinds = _count_draws(monkeypatch)
    save_figure(fig, tmp_path / "fig", formats=("png", "svg", "pdf"), dpi=100)
    # the layout pass (Agg), then the PDF and the SVG (each a MixedModeRenderer)
    assert kinds == ["RendererAgg", "MixedModeRenderer", "MixedModeRenderer"], kinds
    assert fig.get_layout_engine() is engine
    plt.close(fig)


def _house_figures() -> list[plt.Figure]:
    """Figures of the chapter's kinds on a survey of another shape (7-point scale, English
    labels, other column names), each laid out by ``tight_layout()`` as the chapter does."""
    import numpy as np
    import pandas as pd

    from egovstudy import ols
    from egovstudy.report import figures as F

    rng = np.random.default_rng(7)
    n = 240
    items = {f"trust{i}": rng.integers(1, 8, n) for i in range(1, 5)}
    items |= {f"usage{i}": rng.integers(1, 8, n) for i in range(1, 4)}
    data = pd.DataFrame(items)
    data["trust"] = data.filter(like="trust").mean(axis=1)
    data["usage"] = data.filter(like="usage").mean(axis=1)
    data["speed"] = rng.gamma(3.0, 10.0, n)
    fit = ols("usage ~ trust + speed", data)
    figs = []
    with house_style():
        for draw in (
            lambda ax: F.likert_bars(data, {"trust": [f"trust{i}" for i in range(1, 5)],
                                            "usage": ["usage1", "usage2", "usage3"]},
                                     values=range(1, 8), ax=ax),
            lambda ax: F.correlation_heatmap(data, ["trust", "usage", "speed"], ax=ax),
            lambda ax: F.coefficient_plot(fit, ax=ax),
            lambda ax: F.bootstrap_distribution(rng.normal(0.2, 0.05, 2000), estimate=0.2,
                                                label="indirect", ax=ax),
        ):
            fig, ax = plt.subplots(figsize=(6.5, 4.5))
            draw(ax)
            fig.tight_layout()
            figs.append(fig)
        fig, axes = plt.subplots(2, 2, figsize=(7.0, 6.0))
        F.residual_diagnostics(fit, axes=axes)
        fig.tight_layout()
        figs.append(fig)
    return figs


def test_a_figure_laid_out_already_is_measured_without_a_draw(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A figure with nothing to lay out while drawing (``tight_layout()`` done, no engine
    left) costs one draw per format and no measuring draw, and its files are byte for byte
    those written with the measuring draw: the box is the same."""
    from egovstudy.report import save

    draws = _count_draws(monkeypatch)
    (tmp_path / "lean").mkdir()
    (tmp_path / "drawn").mkdir()
    for i, fig in enumerate(_house_figures()):
        draws.clear()
        lean = save_figure(fig, tmp_path / "lean" / f"fig{i}", formats=("png", "svg", "pdf"),
                           dpi=150)
        assert len(draws) == 2, draws  # the PDF (the PNG is its page) and the SVG
        with monkeypatch.context() as m:
            m.setattr(save, "_needs_layout_draw", lambda fig, engine: True)
            drawn = save_figure(fig, tmp_path / "drawn" / f"fig{i}",
                                formats=("png", "svg", "pdf"), dpi=150)
        assert len(draws) == 5, draws  # then the measuring draw and two again
        for a, b in zip(lean, drawn):
            assert a.read_bytes() == b.read_bytes(), (i, a.name)
        plt.close(fig)


def test_an_expanding_legend_is_drawn_before_it_is_measured(tmp_path: Path) -> None:
    """``mode="expand"`` stretches a legend only while drawing: such a figure keeps its
    measuring draw, and its PNG has the size of matplotlib's own ``bbox_inches="tight"``
    PNG (the reference), whose box holds the stretched legend."""
    def make() -> plt.Figure:
        with house_style():
            fig, ax = plt.subplots(figsize=(4, 3))
            ax.plot([1, 2, 3], [1, 4, 9], label="a")
            ax.plot([1, 2, 3], [2, 3, 5], label="b")
            ax.legend(loc="lower left", mode="expand", ncol=2,
                      bbox_to_anchor=(-0.3, 1.02, 1.6, 0.2))  # wider than the axes
            fig.tight_layout()
        return fig

    plt.close(_png_alone_is_png_together(make, tmp_path, 100, ("png", "svg")))


def test_png_compression_level_is_used_and_lossless(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """``PNG_COMPRESS_LEVEL`` reaches the encoder (level 1 and 9 give other sizes) and
    only the size changes: every pixel is the same."""
    import numpy as np
    from PIL import Image

    from egovstudy.report import save

    sizes, pixels = {}, {}
    for level in (1, 9, save.PNG_COMPRESS_LEVEL):
        monkeypatch.setattr(save, "PNG_COMPRESS_LEVEL", level)
        fig = _figure()
        path = save_figure(fig, tmp_path / f"fig{level}", formats=("png",), dpi=150)[0]
        plt.close(fig)
        sizes[level] = path.stat().st_size
        with Image.open(path) as im:
            pixels[level] = np.asarray(im).copy()
    assert sizes[1] > sizes[9]
    assert all(np.array_equal(pixels[9], p) for p in pixels.values())

def test_figure_writer_workers_write_the_same_files_as_this_process(tmp_path: Path) -> None:
    """Saved in spawned workers (pickled figure) or here: the same bytes."""
    fig, twin = _figure(), _figure()  # fresh figures: a first save lays a figure out
    here, there = tmp_path / "here", tmp_path / "there"
    here.mkdir()
    there.mkdir()
    with FigureWriter(n_jobs=1) as w1:
        w1.submit(fig, here / "fig", formats=("png", "svg", "pdf"), dpi=100, decimal=",")
        files_here = w1.wait()
    w2 = FigureWriter(n_jobs=2)
    w2.submit(twin, there / "fig", formats=("png", "svg", "pdf"), dpi=100, decimal=",")
    files_there = w2.wait()
    assert [p.name for p in files_there[0]] == ["fig.png", "fig.svg", "fig.pdf"]
    assert [p.read_bytes() for p in files_here[0]] == [p.read_bytes() for p in files_there[0]]
    # the targets are checked before anything is queued, naming the file and the fix
    with pytest.raises(OutputError, match=r"fig\.png already exists"):
        w2.submit(fig, there / "fig", formats=("png",))
    plt.close(fig)
    plt.close(twin)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_figure_writer_refuses_a_bad_n_jobs(bad: object) -> None:
    with pytest.raises(OutputError, match=rf"n_jobs={bad!r}: give a positive number"):
        FigureWriter(n_jobs=bad)  # type: ignore[arg-type]


@pytest.mark.slow
def test_chapter_written_twice_is_byte_identical(tmp_path: Path) -> None:
    """Every file of two runs of the chapter (DOCX, MD, HTML, PNG/SVG/PDF figures from
    worker processes, CSV/XLSX/DOCX tables) has the same sha256."""
    from egovstudy.report import results_chapter

    folder = tmp_path / "study"
    shutil.copytree(default_study_dir(), folder)
    path = folder / "study.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in (("process: true", "process: false"), ("pls_sem: true", "pls_sem: false"),
                     ("n_boot: 5000", "n_boot: 200")):
        assert old in text, old
        text = text.replace(old, new)
    text = "\n".join(ln for ln in text.splitlines() if "via:" not in ln) + "\n"
    path.write_text(text, encoding="utf-8")
    digests = []
    for run in ("one", "two"):
        out = tmp_path / run
        res = results_chapter(path, out / "chapter", table_formats=("csv", "xlsx", "docx"),
                              figure_formats=("png", "svg", "pdf"), n_jobs=2)
        assert len(res.figure_files) >= 9 and len(res.table_files) >= 9
        digests.append(_digests(out))
    assert len(digests[0]) > 20
    assert digests[0] == digests[1]
    # the chapter read each PNG from the worker's staged file, yet names it after its file
    import re
    import zipfile

    with zipfile.ZipFile(tmp_path / "one" / "chapter.docx") as z:
        xml = z.read("word/document.xml").decode("utf-8")
    names = re.findall(r'<pic:cNvPr [^>]*name="([^"]+)"', xml)
    assert names and all(re.fullmatch(r"figure_4_\d+\.png", n) for n in names), names
