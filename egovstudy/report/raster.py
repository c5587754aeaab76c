"""A figure's PNG file: its PDF page rasterized by PDFium, encoded without a row filter.

:func:`~egovstudy.report.save.save_figure` draws a figure once as PDF (matplotlib) and
makes the PNG from that page (:func:`pdf_page_pixels`, through pypdfium2, the bindings
to Chrome's PDF renderer) instead of drawing the figure a second time with Agg.

Why: the PNG and the PDF are then one drawing, so they show the same picture; and
drawing is the costly part of a save, mostly laying out every text again for each
renderer. Measured on the default study's 8 figures at 300 dpi: Agg's drawing and
encoding took 1.0-1.2 s of CPU, rasterizing their PDF pages 0.17 s plus 0.18 s of
encoding. Against matplotlib's own PNG the pixels differ only in anti-aliasing (a mean
difference of 1-3 of 255 per channel on those figures; a one-pixel shift differs more);
the size follows Agg's rule (both tested).

Why our own encoder (:func:`write_png`): Pillow chooses one of the five PNG filters for
every row by trying them all, which is most of its time on a chart. Charts are large
areas of one colour, which deflate compresses as well without any filter. Measured on
the default study's 8 figures at 300 dpi (zlib level 3 both): Pillow 0.53-0.55 s of CPU
and 2.75 MB; no filter 0.21 s and 2.48 MB. The pixels, metadata and resolution are those
Pillow would write (tested by reading the files back with Pillow).

Examples
--------
>>> import io
>>> import numpy as np
>>> from PIL import Image
>>> pixels = np.zeros((2, 3, 4), dtype=np.uint8)
>>> pixels[..., 3] = 255
>>> buf = io.BytesIO()
>>> write_png(buf, pixels, dpi=300, metadata={"Title": "Figure 4.1"})
>>> im = Image.open(io.BytesIO(buf.getvalue()))
>>> im.size, im.mode, im.info["Title"], [round(d) for d in im.info["dpi"]]
((3, 2), 'RGBA', 'Figure 4.1', [300, 300])
"""

from __future__ import annotations

import os
import struct
import threading
import zlib
from collections.abc import Mapping
from typing import IO

import numpy as np

__all__ = ["pdf_page_pixels", "pixel_size", "write_png"]

#: bytes of raw image data deflated at a time (bounded memory whatever the figure's size)
_BLOCK_BYTES = 1 << 20
#: largest IDAT chunk written (any size up to 2**31 - 1 is valid; decoders read them all)
_IDAT_BYTES = 1 << 20


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind))))


def _text_chunk(key: str, value: str) -> bytes:
    """Pillow's rule (``PngInfo.add_text``): tEXt when the value is Latin-1, else iTXt
    (UTF-8, uncompressed, no language tag)."""
    keyword = key.encode("latin-1")
    if not 1 <= len(keyword) <= 79:
        raise ValueError(f"PNG text key {key!r} must have 1 to 79 Latin-1 characters")
    try:
        return _chunk(b"tEXt", keyword + b"\0" + value.encode("latin-1"))
    except UnicodeEncodeError:
        return _chunk(b"iTXt", keyword + b"\0\0\0\0\0" + value.encode("utf-8"))


def write_png(target: str | os.PathLike[str] | IO[bytes], rgba: np.ndarray, *, dpi: float,
              metadata: Mapping[str, str | None] | None = None, level: int = 3) -> None:
    """Write 8-bit RGBA pixels ``(height, width, 4)`` as a PNG file.

    Parameters
    ----------
    target : path or binary file object
    rgba : numpy.ndarray of uint8, shape (height, width, 4)
    dpi : float
        Resolution stored in the file (``pHYs``, pixels per metre as Pillow rounds it).
    metadata : mapping, optional
        Text chunks, in order; ``None`` values are left out.
    level : int, default 3
        zlib compression level (0-9); the image is lossless at any level.
    """
    pixels = np.ascontiguousarray(rgba, dtype=np.uint8)
    if pixels.ndim != 3 or pixels.shape[2] != 4 or 0 in pixels.shape:
        raise ValueError(f"write_png needs (height, width, 4) pixels, got {pixels.shape}")
    height, width = pixels.shape[:2]
    ppm = int(dpi / 0.0254 + 0.5)
    head = [b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)),
            _chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1))]
    head += [_text_chunk(k, v) for k, v in (metadata or {}).items() if v is not None]
    # each row is filter byte 0 ("None") followed by its pixels
    stride = width * 4
    rows = max(1, _BLOCK_BYTES // (stride + 1))
    block = np.zeros((min(rows, height), stride + 1), dtype=np.uint8)
    flat = pixels.reshape(height, stride)
    deflate = zlib.compressobj(level)
    data = bytearray()
    for start in range(0, height, rows):
        part = flat[start:start + rows]
        block[:len(part), 1:] = part
        data += deflate.compress(block[:len(part)].data)
    data += deflate.flush()
    body = b"".join(head) + b"".join(
        _chunk(b"IDAT", bytes(data[i:i + _IDAT_BYTES]))
        for i in range(0, len(data), _IDAT_BYTES)) + _chunk(b"IEND", b"")
    if hasattr(target, "write"):
        target.write(body)
    else:
        with open(target, "wb") as fh:
            fh.write(body)


#: PDFium is not thread-safe: one page is opened and rendered at a time in a process.
_PDFIUM_LOCK = threading.Lock()


def pixel_size(inches: float, dpi: float) -> int:
    """Pixels of ``inches`` at ``dpi`` by matplotlib's rule for its Agg canvas
    (``FigureCanvasBase.get_width_height``): the fraction is cut off unless it is within
    1e-8 of the next pixel.

    Examples
    --------
    >>> pixel_size(6.4, 300), pixel_size(2.0 / 3, 300), pixel_size(1.0, 72.5)
    (1920, 200, 72)
    """
    return int(inches * dpi + 1e-8)


def pdf_page_pixels(pdf: bytes, dpi: float, size: tuple[int, int] | None = None) -> np.ndarray:
    """The first page of ``pdf`` rasterized at ``dpi``, as RGBA pixels ``(height, width, 4)``.

    Parameters
    ----------
    pdf : bytes
        A PDF document (here, the one matplotlib has just written for the figure).
    dpi : float
        Pixels per inch (one PDF unit is 1/72 inch).
    size : (width, height), optional
        Pixels of the image, which the page fills; default the page's size at ``dpi``
        rounded to whole pixels. ``save_figure`` makes the page a whole number of
        pixels at ``dpi`` (the size Agg gives the figure) and passes that size, so the
        page is neither stretched nor cut.

    Returns
    -------
    numpy.ndarray of uint8
        Straight (not premultiplied) RGBA; what the page leaves unpainted is
        transparent, as on matplotlib's Agg canvas.

    Examples
    --------
    >>> import io
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(2, 1))
    >>> fig.add_subplot().plot([0, 1], [0, 1])  # doctest: +ELLIPSIS
    [<matplotlib.lines.Line2D object at ...>]
    >>> buf = io.BytesIO()
    >>> fig.savefig(buf, format="pdf")
    >>> pixels = pdf_page_pixels(buf.getvalue(), 150)
    >>> pixels.shape, pixels[0, 0].tolist()  # the white figure background
    ((150, 300, 4), [255, 255, 255, 255])
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    with _PDFIUM_LOCK:
        doc = pdfium.PdfDocument(pdf)
        try:
            page = doc[0]
            if size is None:
                width_pt, height_pt = page.get_size()
                size = (round(width_pt * dpi / 72.0), round(height_pt * dpi / 72.0))
            width, height = size
            bitmap = pdfium.PdfBitmap.new_native(width, height, format=pdfium_c.FPDFBitmap_BGRA,
                                                 rev_byteorder=True)
            bitmap.fill_rect((255, 255, 255, 0), 0, 0, width, height)
            # the page mapped onto exactly width x height pixels, RGBA byte order
            pdfium_c.FPDF_RenderPageBitmap(bitmap, page, 0, 0, width, height, 0,
                                           pdfium_c.FPDF_REVERSE_BYTE_ORDER)
            pixels = np.array(bitmap.to_numpy(), dtype=np.uint8)
        finally:
            doc.close()
    return pixels
