"""Figures saved once per format set, in worker processes, with byte-identical files."""

from __future__ import annotations

import hashlib
import shutil
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


def test_one_layout_for_all_formats_gives_the_png_of_a_single_format(tmp_path: Path) -> None:
    """The PNG saved with the SVG and PDF (one layout and one tight box measured for all)
    is byte for byte the PNG matplotlib's own ``bbox_inches="tight"`` path writes alone,
    legend outside the axes included (matplotlib is the reference)."""
    fig, twin = _figure(), _figure()  # two fresh figures: a layout run moves the axes a hair
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    alone = save_figure(fig, tmp_path / "a" / "fig", formats=("png",), dpi=120)
    together = save_figure(twin, tmp_path / "b" / "fig", formats=("png", "svg", "pdf"), dpi=120)
    assert alone[0].read_bytes() == together[0].read_bytes()
    assert twin.get_layout_engine() is not None  # the figure's layout engine is given back
    plt.close(fig)
    plt.close(twin)



def test_each_format_draws_the_figure_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    """One layout pass, then one draw per format: with a layout engine set (even the
    "none" placeholder), ``savefig`` lays the figure out once more before each file's
    draw, which was seven draws for three formats; the engine is given back after."""
    from matplotlib.figure import Figure

    fig = _figure()
    engine = fig.get_layout_engine()
    kinds: list[str] = []
    real = Figure.draw

    def counted(self: Figure, renderer: object) -> None:
        kinds.append(type(renderer).__name__)
        real(self, renderer)

    monkeypatch.setattr(Figure, "draw", counted)
    save_figure(fig, tmp_path / "fig", formats=("png", "svg", "pdf"), dpi=100)
    assert len(kinds) == 4, kinds  # 7 before: each savefig laid the figure out again
    assert fig.get_layout_engine() is engine
    plt.close(fig)


def test_png_compression_level_is_used_and_lossless(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """``PNG_COMPRESS_LEVEL`` reaches Pillow (level 1 and 9 give other sizes) and only
    the size changes: every pixel is the same."""
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
