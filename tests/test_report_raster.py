"""PNG files made from the figure's PDF page: against matplotlib's own PNG, poppler's
rasterizer and Pillow's decoder."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from egovstudy.errors import OutputError
from egovstudy.report import raster
from egovstudy.report.raster import write_png
from egovstudy.report.save import save_figure
from egovstudy.report.style import house_style


def _figure() -> plt.Figure:
    with house_style():
        fig, ax = plt.subplots(figsize=(3.2, 2.4))
        ax.bar(["Sangat setuju", "Setuju", "Netral"], [0.42, 0.35, 0.23], color="#3b6ea8")
        ax.set_title("Kinerja pegawai \u2212 \u03b1 = 0,05")
        fig.tight_layout()
    return fig


def _decoded(data: bytes) -> tuple[np.ndarray, dict[str, object]]:
    Image.open(io.BytesIO(data)).verify()  # every chunk's CRC, as a reader checks it
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im.convert("RGBA")).copy(), dict(im.info)


def _offsets(ours: np.ndarray, ref: np.ndarray) -> dict[tuple[int, int], float]:
    """Mean absolute difference per channel of ``ours`` shifted by (dy, dx) against ``ref``."""
    h, w = ref.shape[:2]
    out = {}
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            a = ours[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)].astype(int)
            b = ref[max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)].astype(int)
            out[(dy, dx)] = float(np.abs(a - b).mean())
    return out


@pytest.mark.parametrize("dpi", [150, 300])
def test_saved_png_is_matplotlibs_picture_at_aggs_size(tmp_path: Path, dpi: int) -> None:
    """Reference: the PNG matplotlib itself writes (Agg canvas, Pillow's encoder) for the
    same figure and box. Ours, the PDF page rasterized, has its size to the pixel, lies on
    it without a shift (any shift by a pixel differs more) and differs only by
    anti-aliasing; its text chunks and resolution are the ones given."""
    fig = _figure()
    (ours,) = save_figure(fig, tmp_path / "fig", formats=("png",), dpi=dpi,
                          title="Gambar 4.1. Kinerja")
    reference = io.BytesIO()
    fig.savefig(reference, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.05)
    ref_pixels, _ = _decoded(reference.getvalue())
    pixels, info = _decoded(ours.read_bytes())
    assert pixels.shape == ref_pixels.shape
    diff = _offsets(pixels, ref_pixels)
    assert min(diff, key=diff.__getitem__) == (0, 0), diff
    assert diff[(0, 0)] < 4.0, diff  # of 255; a pixel's shift gives 4-9 on this figure
    assert info["Title"] == "Gambar 4.1. Kinerja" and info["Software"].startswith("egovstudy")
    assert info["dpi"] == pytest.approx((dpi, dpi), abs=0.05)
    plt.close(fig)


def test_png_and_pdf_are_one_picture(tmp_path: Path) -> None:
    """Reference: poppler's own rasterizer (``pdftoppm``) on the saved PDF. The PNG saved
    beside it shows the same page, to the pixel in size and to anti-aliasing in tone."""
    import shutil
    import subprocess

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not on PATH")
    fig = _figure()
    png, pdf = save_figure(fig, tmp_path / "fig", formats=("png", "pdf"), dpi=200)
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", str(pdf),
                    str(tmp_path / "poppler")], check=True)
    with Image.open(tmp_path / "poppler.png") as im:
        ref = np.asarray(im.convert("RGBA")).copy()
    pixels, _ = _decoded(png.read_bytes())
    assert abs(pixels.shape[0] - ref.shape[0]) <= 1 and abs(pixels.shape[1] - ref.shape[1]) <= 1
    h, w = min(pixels.shape[0], ref.shape[0]), min(pixels.shape[1], ref.shape[1])
    opaque = pixels[:h, :w].copy()
    opaque[..., 3] = 255  # poppler paints the page white
    diff = _offsets(opaque[:h - 1, :w - 1], ref[:h - 1, :w - 1])
    assert min(diff, key=diff.__getitem__) == (0, 0), diff
    assert diff[(0, 0)] < 4.0, diff
    plt.close(fig)


def test_unpainted_background_stays_transparent(tmp_path: Path) -> None:
    """A transparent figure (``patch.set_alpha(0)``) keeps alpha 0 where nothing is drawn and
    a half-transparent fill keeps its alpha, as in matplotlib's own PNG (the reference)."""
    fig, ax = plt.subplots(figsize=(2.5, 1.8))
    fig.patch.set_alpha(0)
    ax.patch.set_alpha(0)
    ax.fill_between([0, 1], [0, 1], color="red", alpha=0.5)
    (ours,) = save_figure(fig, tmp_path / "clear", formats=("png",), dpi=100)
    reference = io.BytesIO()
    fig.savefig(reference, format="png", dpi=100, bbox_inches="tight", pad_inches=0.05)
    ref, _ = _decoded(reference.getvalue())
    pixels, _ = _decoded(ours.read_bytes())
    assert pixels.shape == ref.shape
    assert pixels[1, 1, 3] == ref[1, 1, 3] == 0
    red = (ref[..., 0] == 255) & (ref[..., 1] == 0) & (ref[..., 3] > 120) & (ref[..., 3] < 135)
    same = red & (np.abs(pixels.astype(int) - ref).max(axis=2) <= 2)
    assert red.sum() > 1000 and same.sum() > 0.95 * red.sum()  # the edges anti-aliased apart
    plt.close(fig)


def test_pages_rasterized_on_threads_are_those_rasterized_one_by_one() -> None:
    """PDFium is not thread-safe: pages rasterized from several threads at once (one at a
    time behind the module's lock) are those rasterized one after another."""
    from concurrent.futures import ThreadPoolExecutor

    pdfs = []
    for title in ("Satu", "Dua", "Tiga", "Empat"):
        fig = _figure()
        fig.axes[0].set_title(title)
        buf = io.BytesIO()
        fig.savefig(buf, format="pdf")
        pdfs.append(buf.getvalue())
        plt.close(fig)
    serial = [raster.pdf_page_pixels(p, 200) for p in pdfs]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda p: raster.pdf_page_pixels(p, 200), pdfs * 3))
    assert all(np.array_equal(a, b) for a, b in zip(serial * 3, threaded))
    assert not np.array_equal(serial[0], serial[1])


def test_a_figure_without_area_gets_a_clear_error(tmp_path: Path) -> None:
    fig = plt.figure(figsize=(0, 2))
    with pytest.raises(OutputError, match="set_size_inches"):
        save_figure(fig, tmp_path / "flat", formats=("png",))
    assert not list(tmp_path.iterdir())
    plt.close(fig)


def test_text_chunks_follow_pillows_rule() -> None:
    """Latin-1 text as tEXt, any other as iTXt (UTF-8), ``None`` left out, in order;
    a key PNG cannot hold is refused."""
    pixels = np.full((3, 4, 4), 255, dtype=np.uint8)
    buf = io.BytesIO()
    write_png(buf, pixels, dpi=72, metadata={"Title": "Tabel 4.1 \u00e9", "Author": None,
                                             "Description": "\u03b1 \u2264 0,05 \u2014 \u4e2d"})
    raw = buf.getvalue()
    assert raw.index(b"tEXtTitle") < raw.index(b"iTXtDescription")
    assert b"Author" not in raw
    _, info = _decoded(raw)
    assert info["Title"] == "Tabel 4.1 \u00e9"
    assert info["Description"] == "\u03b1 \u2264 0,05 \u2014 \u4e2d"
    with pytest.raises(ValueError, match="1 to 79"):
        write_png(io.BytesIO(), pixels, dpi=72, metadata={"x" * 80: "too long"})
    with pytest.raises(ValueError, match=r"\(height, width, 4\)"):
        write_png(io.BytesIO(), pixels[..., :3], dpi=72)


def test_large_images_are_deflated_in_blocks_and_split_in_chunks(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Blocks of a few rows and IDAT chunks of a few bytes decode to the same pixels as one
    block and one chunk (Pillow reads every chunk)."""
    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 256, size=(97, 61, 4), dtype=np.uint8)
    whole = tmp_path / "whole.png"
    write_png(whole, pixels, dpi=300, level=9)
    monkeypatch.setattr(raster, "_BLOCK_BYTES", 1000)
    monkeypatch.setattr(raster, "_IDAT_BYTES", 777)
    split = io.BytesIO()
    write_png(split, pixels, dpi=300, level=9)
    assert split.getvalue().count(b"IDAT") > 10
    for data in (whole.read_bytes(), split.getvalue()):
        got, info = _decoded(data)
        assert np.array_equal(got, pixels)
        assert info["dpi"] == pytest.approx((300, 300), abs=0.05)
