"""CSV reader: delimiter, decimal comma and encoding detection."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from egovstudy.errors import DataFormatError
from egovstudy.io.csv import detect_encoding, read_csv, sniff_delimiter, to_numeric


@pytest.mark.parametrize(("sep", "expected"), [(",", ","), (";", ";"), ("\t", "\t"),
                                               ("|", "|")])
def test_sniff_delimiter(sep: str, expected: str) -> None:
    text = sep.join(["NIP", "Nama OPD", "Q1"]) + "\n" + sep.join(["1", "Dinkes", "Setuju"])
    assert sniff_delimiter(text + "\n") == expected


def test_decimal_comma_and_thousands(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("id;mbps\n1;12,5\n2;1.234,75\n3;7\n4;\n", encoding="utf-8")
    raw = read_csv(path)
    assert (raw.delimiter, raw.decimal) == (";", ",")
    nums, bad = to_numeric(raw.frame["mbps"], raw.decimal)
    assert nums.tolist()[:3] == [12.5, 1234.75, 7.0] and pd.isna(nums.iloc[3])
    assert not bad.any()


@pytest.mark.parametrize(("encoding", "expected"), [("utf-8", "utf-8"),
                                                    ("utf-8-sig", "utf-8-sig"),
                                                    ("cp1252", "cp1252")])
def test_encodings(tmp_path: Path, encoding: str, expected: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("NIP,OPD\n1,Dinas Pariwisata “Bantul” – Ékonomi\n".encode(encoding))
    raw = read_csv(path)
    assert raw.encoding == expected
    assert raw.frame["OPD"].iloc[0] == "Dinas Pariwisata “Bantul” – Ékonomi"
    assert list(raw.frame.columns) == ["NIP", "OPD"]  # no BOM in the first header


def test_mixed_encoding_detected(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("a\nÉ\n".encode() + "É\n".encode("cp1252"))
    enc, note = detect_encoding(path)
    assert enc == "mixed" and "lines 2" in (note or "") and "lines 3" in (note or "")


def test_large_categorical_and_text_columns(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    n = 5000
    pd.DataFrame({"id": [f"id{i}" for i in range(n)],
                  "q": ["Setuju", "Netral"] * (n // 2)}).to_csv(path, index=False)
    raw = read_csv(path)
    assert isinstance(raw.frame["q"].dtype, pd.CategoricalDtype)  # 1-byte codes
    assert raw.frame["q"].cat.codes.dtype.itemsize == 1
    assert not isinstance(raw.frame["id"].dtype, pd.CategoricalDtype)  # ids as text
    assert raw.frame["id"].iloc[-1] == f"id{n - 1}"


def test_columns_subset_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    assert list(read_csv(path, columns=["c", "a"]).frame.columns) == ["a", "c"]
    with pytest.raises(DataFormatError, match=r"nope\.csv: not found"):
        read_csv(tmp_path / "nope.csv")
