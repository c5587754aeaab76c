"""The compiled CSV parser (``egovstudy.io._csvcore``) against pyarrow's reader.

``read_csv`` parses with the C extension when it is built and falls back to
pyarrow's streaming reader otherwise (``EGOVSTUDY_NO_EXTENSION=1``) and for every
file the extension declines. The reference for every case here is pyarrow's CSV
parser (the Apache Arrow project's implementation of RFC 4180 quoting), read
through the same ``read_csv`` with the extension switched off: both must give the
same frame, the same notes and the same errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from egovstudy.errors import DataFormatError, ResourceLimitError
from egovstudy.io import csv as csv_mod
from egovstudy.io.csv import read_csv

ext = pytest.importorskip("egovstudy.io._csvcore")

LABELS = ["Sangat Tidak Setuju", "Tidak Setuju", "Netral", "Setuju", "Sangat Setuju",
          "Sangat setuju ", "Sudah", "Belum pernah", "é", "Pengembangan Sistem Informasi"]


def _both(path: Path, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> tuple[Any, Any]:
    """``read_csv`` with the extension (small blocks) and without it."""
    calls: list[int] = []
    real = csv_mod._parse_compiled

    def spy(*args: Any) -> Any:
        out = real(*args)
        calls.append(out is not None)
        return out

    with monkeypatch.context() as m:
        m.setattr(csv_mod, "_parse_compiled", spy)
        fast = read_csv(path, **kwargs)
    with monkeypatch.context() as m:
        m.setenv("EGOVSTUDY_NO_EXTENSION", "1")
        slow = read_csv(path, **kwargs)
    assert calls == [True], "the compiled parser was expected to read this file"
    return fast, slow


def _field(rng: np.random.Generator, delim: str, ids: bool, row: int) -> str:
    if ids:
        return f"{19700101 + row:018d}" if rng.random() > 0.05 else ""
    kind = rng.integers(0, 10)
    if kind == 0:
        return ""
    if kind == 1:
        return '""'                                    # a quoted empty field: missing
    if kind == 2:  # quoted, holding the delimiter, a quote, a line end
        inner = rng.choice([f"a{delim}b", 'say ""ya""', "dua\nbaris", "tiga\r\nbaris", "x"])
        return f'"{inner}"'
    if kind == 3:
        return f'"{rng.choice(LABELS)}"'
    return str(rng.choice(LABELS))


def _random_csv(rng: np.random.Generator, path: Path) -> tuple[str, bool]:
    delim = str(rng.choice([",", ";", "\t", "|"]))
    newline = str(rng.choice(["\n", "\r\n", "\r"]))
    k = int(rng.integers(1, 6))
    id_col = int(rng.integers(0, k)) if rng.random() < 0.5 else -1
    header = delim.join(f"Q{j}" if j != id_col else "NIP" for j in range(k))
    lines = [header]
    n = int(rng.integers(1, 400))
    for i in range(n):
        fields = [_field(rng, delim, j == id_col, i) for j in range(k)]
        if k == 1 and fields[0] == "":
            fields[0] = "Netral"  # a lone empty field is an empty line, which is skipped
        lines.append(delim.join(fields))
        if rng.random() < 0.05:
            lines.append("")  # empty lines are skipped
    text = newline.join(lines) + (newline if rng.random() < 0.8 else "")
    bom = "\ufeff" if rng.random() < 0.2 else ""
    path.write_bytes((bom + text).encode("utf-8"))
    return delim, id_col >= 0


@pytest.mark.parametrize("seed", range(40))
def test_random_files_read_as_pyarrow_reads_them(tmp_path: Path, seed: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(seed)
    path = tmp_path / "export.csv"
    delim, has_ids = _random_csv(rng, path)
    # tiny blocks: records straddle blocks, blocks grow, several blocks run on threads
    block = int(rng.choice([16, 64, 1 << 10, 1 << 20]))
    monkeypatch.setattr(csv_mod, "_BLOCK_C", block)
    if not has_ids:  # ids are kept as text when the first block (pyarrow's) shows them
        monkeypatch.setattr(csv_mod, "_FIRST_BLOCK", block)
    fast, slow = _both(path, monkeypatch, delimiter=delim)
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    assert fast.notes == slow.notes
    assert (fast.delimiter, fast.encoding) == (slow.delimiter, slow.encoding)


def test_ids_become_text_and_labels_codes(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    n = 3000
    ids = [f"{i:010d}" for i in range(n)]
    answers = rng.choice(LABELS[:5], n)
    path = tmp_path / "likert.csv"
    body = "\n".join(f"{i},{a},{a if j % 7 else ''}" for j, (i, a) in
                     enumerate(zip(ids, answers)))
    path.write_text("NIP,Q1,Q2\n" + body + "\n", encoding="utf-8")
    monkeypatch.setattr(csv_mod, "_BLOCK_C", 4096)  # the ids' first block decides: text
    fast, slow = _both(path, monkeypatch)
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    assert isinstance(fast.frame["Q1"].dtype, pd.CategoricalDtype)
    assert fast.frame["Q1"].cat.codes.dtype == np.int8
    assert not isinstance(fast.frame["NIP"].dtype, pd.CategoricalDtype)
    assert fast.frame["NIP"].tolist() == ids
    assert fast.frame["Q2"].isna().sum() == len(range(0, n, 7))


def test_column_subset_and_non_utf8_file(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "legacy.csv"
    path.write_bytes("NIP;Nama;Q1\n1;Andé;Setuju\n2;Budi;Netral\n".encode("cp1252"))
    fast, slow = _both(path, monkeypatch, columns=["NIP", "Q1"])
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    assert list(fast.frame.columns) == ["NIP", "Q1"]
    assert fast.encoding == "cp1252"
    fast, slow = _both(path, monkeypatch)
    assert fast.frame["Nama"].tolist() == ["Andé", "Budi"]


def test_invalid_utf8_after_the_first_block_is_decoded_as_cp1252(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "late.csv"
    rows = [f"{i};Setuju" for i in range(2000)] + ["2000;Andé"]
    path.write_bytes(("NIP;Q1\n" + "\n".join(rows) + "\n").encode("cp1252"))
    for name in ("_BLOCK_C", "_FIRST_BLOCK"):
        monkeypatch.setattr(csv_mod, name, 1024)
    with monkeypatch.context() as m:  # both paths: the UTF-8 attempt fails, cp1252 reads
        m.setenv("EGOVSTUDY_NO_EXTENSION", "1")
        slow = read_csv(path)
    fast = read_csv(path)
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    assert fast.encoding == "cp1252" and fast.frame["Q1"].iloc[-1] == "Andé"


@pytest.mark.parametrize("body", [
    "1,Setuju\n2,Netral,extra\n3,Setuju\n",       # a row with a field too many
    "1,Setuju\n2\n",                              # a row with a field too few
])
def test_declined_files_give_pyarrows_errors(tmp_path: Path, body: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("NIP,Q1\n" + body, encoding="utf-8")
    with pytest.raises(DataFormatError) as fast:
        read_csv(path)
    monkeypatch.setenv("EGOVSTUDY_NO_EXTENSION", "1")
    with pytest.raises(DataFormatError) as slow:
        read_csv(path)
    assert str(fast.value) == str(slow.value)
    assert "fields" in str(fast.value) and "Fix:" in str(fast.value)


def test_a_quote_left_open_reads_as_pyarrow_reads_it(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled parser declines it; pyarrow takes the rest of the file as the field."""
    path = tmp_path / "open.csv"
    path.write_text('NIP,Q1\n1,Setuju\n2,"Netral\n', encoding="utf-8")
    assert csv_mod._parse_compiled(str(path), path, ["NIP", "Q1"], ",", None,
                                   path.stat().st_size, csv_mod.resolve_limits(None)) is None
    fast = read_csv(path)
    monkeypatch.setenv("EGOVSTUDY_NO_EXTENSION", "1")
    pd.testing.assert_frame_equal(fast.frame, read_csv(path).frame)


def test_stray_quotes_fall_back_or_agree(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A quote inside an unquoted field misleads the parity split; the result stays
    pyarrow's (the compiled parser declines the block or reads it the same way)."""
    path = tmp_path / "stray.csv"
    rows = [f'{LABELS[i % 5]},ab"c{i % 3},x' for i in range(300)]
    path.write_text("NIP,Q1,Q2\n" + "\n".join(rows) + "\n", encoding="utf-8")
    for name in ("_BLOCK_C", "_FIRST_BLOCK"):
        monkeypatch.setattr(csv_mod, name, 256)
    fast = read_csv(path)
    monkeypatch.setenv("EGOVSTUDY_NO_EXTENSION", "1")
    slow = read_csv(path)
    pd.testing.assert_frame_equal(fast.frame, slow.frame)


def test_a_line_longer_than_the_limit_is_refused(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "long.csv"
    path.write_text("NIP,Q1\n1,Setuju\n2," + "x" * 300_000 + "\n", encoding="utf-8")
    for name in ("_BLOCK_C", "_FIRST_BLOCK"):
        monkeypatch.setattr(csv_mod, name, 1024)
    with pytest.raises(ResourceLimitError, match="max_line_mb"):
        read_csv(path, limits={"max_line_mb": 0.1})
    assert read_csv(path).frame["Q1"].str.len().max() == 300_000  # within the default


def test_parser_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="delimiter"):
        ext.parse(b"a\n", '"', b"\x00", False, True, 1, [None])
    with pytest.raises(ValueError, match="mode"):
        ext.parse(b"a\n", ",", b"\x07", False, True, 1, [None])
    with pytest.raises(ValueError, match="column"):
        ext.parse(b"a\n", ",", b"", False, True, 1, [])
    with pytest.raises(ValueError, match="one item per column"):
        ext.parse(b"a\n", ",", b"\x00", False, True, 1, [None, None])
    with pytest.raises(ValueError, match="repeats"):
        ext.parse(b"a\n", ",", b"\x00", False, True, 1, [["a", "a"]])
    with pytest.raises(ValueError, match="within"):
        ext.split(b"a\n", 3)


def test_split_and_parse_a_block() -> None:
    assert ext.split(b'a,b\nc,"d\ne"\nf', 13) == 12   # the line end inside quotes is skipped
    assert ext.split(b'a,"b\nc', 6) == 0              # none outside quotes
    assert ext.split(b"a\r\nb\rc", 6) == 5
    status, rows, longest, cols = ext.parse(b'x,"y ""z"""\r\n\r\n,q', ",", b"\x00\x01",
                                            False, True, 5, [None, None])
    assert (status, rows, longest) == (0, 2, 13)
    assert np.frombuffer(cols[0][1], dtype=np.int8).tolist() == [0, -1]
    assert cols[0][2] == ["x"]
    assert cols[1][2] == b'y "z"q'                   # text buffers: the two fields joined
    # values of earlier blocks keep their codes; new ones follow them
    status, rows, _longest, cols = ext.parse(b"Setuju\nBaru\nNetral\n", ",", b"\x00", False,
                                             True, 9, [["Netral", "Setuju"]])
    assert np.frombuffer(cols[0][1], dtype=np.int8).tolist() == [1, 2, 0]
    assert cols[0][2] == ["Baru"]
    status, rows, fields, cols = ext.parse(b"a,b\nc\n", ",", b"\x00\x00", False, True, 1,
                                           [None, None])
    assert (status, rows, fields, cols) == (1, 1, 1, None)  # record 1 has 1 field


def test_a_column_growing_past_127_values_across_blocks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # few values in the first block (coded), then 300 in all: codes widen to int16
    path = tmp_path / "offices.csv"
    body = "\n".join(f"{LABELS[j % 5]},Kantor {j // 10 % 300}" for j in range(6000))
    path.write_text("Q1,office\n" + body + "\n", encoding="utf-8")
    for name in ("_BLOCK_C", "_FIRST_BLOCK"):
        monkeypatch.setattr(csv_mod, name, 2048)
    fast, slow = _both(path, monkeypatch)
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    assert fast.frame["office"].cat.codes.dtype == np.int16
    assert fast.frame["office"].nunique() == 300
