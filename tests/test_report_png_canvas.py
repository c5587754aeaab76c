"""Our PNG encoder against matplotlib's own PNG (Pillow's encoder), read back by Pillow."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from egovstudy.report import png_canvas, save
from egovstudy.report.png_canvas import write_png
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


def test_saved_png_has_matplotlibs_pixels_text_and_resolution(tmp_path: Path) -> None:
    """Reference: the PNG matplotlib itself writes (Agg canvas, Pillow's encoder) for the
    same figure, box and metadata. Read back by Pillow, ours has the same pixels, the same
    text chunks and the same resolution."""
    fig = _figure()
    (ours,) = save_figure(fig, tmp_path / "fig", formats=("png",), dpi=150,
                          title="Gambar 4.1. Kinerja")
    meta = Image.open(ours).info
    text = {k: v for k, v in meta.items() if isinstance(v, str)}
    reference = io.BytesIO()
    fig.savefig(reference, format="png", dpi=150, bbox_inches="tight", pad_inches=0.05,
                metadata=text)
    ref_pixels, ref_info = _decoded(reference.getvalue())
    pixels, info = _decoded(ours.read_bytes())
    assert np.array_equal(pixels, ref_pixels)
    assert info == ref_info
    assert info["Title"] == "Gambar 4.1. Kinerja" and info["dpi"] == pytest.approx((150, 150),
                                                                                    abs=0.05)
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
    monkeypatch.setattr(png_canvas, "_BLOCK_BYTES", 1000)
    monkeypatch.setattr(png_canvas, "_IDAT_BYTES", 777)
    split = io.BytesIO()
    write_png(split, pixels, dpi=300, level=9)
    assert split.getvalue().count(b"IDAT") > 10
    for data in (whole.read_bytes(), split.getvalue()):
        got, info = _decoded(data)
        assert np.array_equal(got, pixels)
        assert info["dpi"] == pytest.approx((300, 300), abs=0.05)


def test_the_canvas_keeps_pillow_for_pillow_options_and_refuses_unknown_keywords() -> None:
    fig = _figure()
    backend = save._PNG_BACKEND
    with_pillow, ours = io.BytesIO(), io.BytesIO()
    fig.savefig(with_pillow, format="png", backend=backend, pil_kwargs={"compress_level": 9})
    fig.savefig(ours, format="png", backend=backend)
    assert with_pillow.getvalue() != ours.getvalue()
    assert np.array_equal(_decoded(with_pillow.getvalue())[0], _decoded(ours.getvalue())[0])
    with pytest.raises(TypeError, match="unexpected keyword"):
        fig.savefig(io.BytesIO(), format="png", backend=backend, quality=80)
    plt.close(fig)
