"""Google Forms conventions: Timestamp formats and grid headers."""

from __future__ import annotations

import pandas as pd
import pytest

from egovstudy.errors import DataFormatError, DataQualityWarning
from egovstudy.io.google_forms import parse_timestamp, split_grid_header

T = pd.Timestamp("2026-09-01 07:31:05")


@pytest.mark.parametrize("text", ["2026/09/01 7:31:05 AM GMT+7", "01/09/2026 07:31:05",
                                  "2026-09-01 07:31:05", "2026-09-01T07:31:05+07:00",
                                  "2026/09/01 7:31:05 AM GMT+07:00"])
def test_timestamp_formats(text: str) -> None:
    assert parse_timestamp(pd.Series([text, None])).iloc[0] == T


def test_explicit_format_and_bad_rows() -> None:
    s = pd.Series(["01/09/2026 07:31:05", "oops", "02/09/2026 07:31:05"])
    with pytest.raises(DataFormatError, match=r"column 'Timestamp': 1 value\(s\).*rows 3"):
        parse_timestamp(s, "%d/%m/%Y %H:%M:%S")


def test_excel_serial_numbers() -> None:
    # 46266 days after 1899-12-30 is 2026-09-01 (Excel's date serial convention)
    with pytest.warns(DataQualityWarning, match="Excel serial numbers"):
        out = parse_timestamp(pd.Series(["46266.3132523148"]))
    assert out.iloc[0] == T


def test_grid_header() -> None:
    assert split_grid_header("Kualitas layanan [Kecepatan] ") == ("Kualitas layanan",
                                                                  "Kecepatan")
    assert split_grid_header("Usia (tahun)") == ("Usia (tahun)", None)
