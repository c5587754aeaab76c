"""Indonesian province tables: digital literacy, household internet access, central
government spending by function (APBN) and the Human Development Index (IPM).

Province names are harmonised to one upper-case spelling (``province``) so that the
tables join; the BPS province code comes with the digital-literacy table.

Examples
--------
>>> province_key("Kep. Bangka Belitung"), province_key("Yogyakarta")
('KEPULAUAN BANGKA BELITUNG', 'DI YOGYAKARTA')
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from egovstudy.errors import DataFormatError
from egovstudy.public._schema import check_duplicates, require_columns, to_number
from egovstudy.public.sources import find_file

__all__ = [
    "APBN_FUNCTIONS",
    "load_id_apbn_spending",
    "load_id_digital_literacy",
    "load_id_hdi",
    "load_id_internet_access",
    "province_key",
]

_ALIASES = {
    "KEP. BANGKA BELITUNG": "KEPULAUAN BANGKA BELITUNG",
    "BANGKA-BELITUNG": "KEPULAUAN BANGKA BELITUNG",
    "BANGKA BELITUNG": "KEPULAUAN BANGKA BELITUNG",
    "KEP. RIAU": "KEPULAUAN RIAU",
    "YOGYAKARTA": "DI YOGYAKARTA",
    "D.I. YOGYAKARTA": "DI YOGYAKARTA",
    "DAERAH ISTIMEWA YOGYAKARTA": "DI YOGYAKARTA",
    "JAKARTA": "DKI JAKARTA",
    "DKI JAKARTA RAYA": "DKI JAKARTA",
    "NANGGROE ACEH DARUSSALAM": "ACEH",
}

#: APBN function names (Indonesian, as printed) -> tidy English names
APBN_FUNCTIONS = {
    "Pelayanan Umum": "general_services",
    "Pertahanan": "defence",
    "Ketertiban dan Keamanan": "public_order",
    "Ekonomi": "economy",
    "Lingkungan Hidup": "environment",
    "Perumahan dan Fasilitas Umum": "housing",
    "Kesehatan": "health",
    "Pariwisata": "tourism",
    "Agama": "religion",
    "Pendidikan": "education",
    "Perlindungan Sosial": "social_protection",
}


def province_key(name: object) -> str:
    """Harmonised upper-case province name (aliases resolved, spaces normalised).

    Examples
    --------
    >>> province_key("  Dki   Jakarta ")
    'DKI JAKARTA'
    """
    key = re.sub(r"\s+", " ", str(name)).strip().upper()
    return _ALIASES.get(key, key)


def load_id_digital_literacy(*, mirror: str | Path | None = None) -> pd.DataFrame:
    """Kominfo Indeks Literasi Digital 2022 (scale 1-5): ``province, bps_code, year,
    digital_literacy``.

    Examples
    --------
    >>> load_id_digital_literacy.__name__
    'load_id_digital_literacy'
    """
    src = find_file("indonesia_province_2022", "indeks_literasi_digital-2022.csv", mirror=mirror)
    raw = pd.read_csv(src)
    require_columns(raw, ["kode_provinsi", "nama_provinsi", "indeks_literasi_digital", "tahun"],
                    source="Indeks Literasi Digital", path=str(src))
    out = pd.DataFrame({
        "province": raw["nama_provinsi"].map(province_key),
        "bps_code": raw["kode_provinsi"].astype("Int64"),
        "year": raw["tahun"].astype("Int64"),
        "digital_literacy": to_number(raw["indeks_literasi_digital"]),
    })
    check_duplicates(out, ["province", "year"], source="Indeks Literasi Digital")
    return out


def load_id_internet_access(*, mirror: str | Path | None = None) -> pd.DataFrame:
    """BPS share (%) of households that used the internet in the last 3 months, 2022:
    ``province, year, internet_urban, internet_rural, internet_total`` (38 provinces
    and the national row ``INDONESIA``).

    Examples
    --------
    >>> load_id_internet_access.__name__
    'load_id_internet_access'
    """
    src = find_file("indonesia_province_2022", "akses_internet-2022.csv", mirror=mirror)
    head = pd.read_csv(src, header=None, nrows=4, encoding="utf-8-sig")
    labels = [str(v).strip() for v in head.iloc[2, 1:4].tolist()]
    if labels != ["Perkotaan", "Perdesaan", "Perkotaan+Perdesaan"]:
        raise DataFormatError(
            f"{src}: expected the BPS layout with columns ['Perkotaan', 'Perdesaan', "
            f"'Perkotaan+Perdesaan'] in row 3, found {labels}")
    year = int(float(head.iloc[3, 1]))
    raw = pd.read_csv(src, skiprows=4, header=None, encoding="utf-8-sig")
    out = pd.DataFrame({
        "province": raw[0].map(province_key),
        "year": pd.array([year] * len(raw), dtype="Int64"),
        "internet_urban": to_number(raw[1]),
        "internet_rural": to_number(raw[2]),
        "internet_total": to_number(raw[3]),
    })
    out = out[out["province"].str.len() > 0]
    check_duplicates(out, ["province", "year"], source="BPS akses internet")
    return out.reset_index(drop=True)


def load_id_apbn_spending(*, mirror: str | Path | None = None) -> pd.DataFrame:
    """Central-government (APBN) spending by function and province, 2010-2021, long:
    ``province, year, function, function_id, spending``.

    The source file has one row per year and 11 function columns per province
    (block k = province with ``mappingtarget`` k in ``mappingprovinsi.csv``). Units
    are not stated by the source (probably IDR billion).

    Examples
    --------
    >>> load_id_apbn_spending.__name__
    'load_id_apbn_spending'
    """
    src = find_file("indonesia_apbn_province_2010_2021", "peta_apbn_data.csv", mirror=mirror)
    map_src = find_file("indonesia_apbn_province_2010_2021", "mappingprovinsi.csv",
                        mirror=mirror)
    mapping = pd.read_csv(map_src)
    require_columns(mapping, ["provinsi", "mappingtarget"], source="APBN province mapping",
                    path=str(map_src))
    raw = pd.read_csv(src)
    header = [str(c).split(".")[0].strip() for c in raw.columns[1:]]
    n_fun = len(APBN_FUNCTIONS)
    n_prov = len(mapping)
    expected = list(APBN_FUNCTIONS) * n_prov
    if header != expected:
        raise DataFormatError(
            f"{src}: expected {n_prov} blocks of the {n_fun} functions {list(APBN_FUNCTIONS)} "
            f"after the year column, found {len(header)} columns starting {header[:n_fun]}")
    body = raw
    years = pd.to_numeric(body.iloc[:, 0], errors="raise").astype(int)
    names = dict(zip(mapping["mappingtarget"].astype(int), mapping["provinsi"]))
    values = body.iloc[:, 1:].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    values = values.reshape(len(body), n_prov, n_fun)  # year x province x function
    out = pd.DataFrame({
        "province": np.tile(np.repeat([province_key(names[k]) for k in range(n_prov)], n_fun),
                            len(body)),
        "year": np.repeat(years.to_numpy(), n_prov * n_fun),
        "function": np.tile(list(APBN_FUNCTIONS.values()), len(body) * n_prov),
        "function_id": np.tile(list(APBN_FUNCTIONS), len(body) * n_prov),
        "spending": values.reshape(-1),
    })
    out["year"] = out["year"].astype("Int64")
    check_duplicates(out, ["province", "year", "function"], source="APBN spending")
    return out


def load_id_hdi(*, mirror: str | Path | None = None) -> pd.DataFrame:
    """BPS provincial Human Development Index (IPM) 2010-2021: ``province, year, hdi``.

    The series shows a level break between 2012 and 2013 (values drop by about
    four points everywhere), consistent with two BPS IPM methods spliced in one
    file: compare years on one side of the break, or use year fixed effects.

    Examples
    --------
    >>> load_id_hdi.__name__
    'load_id_hdi'
    """
    src = find_file("indonesia_apbn_province_2010_2021", "indeks_pembangunan_manusia.xlsx",
                    mirror=mirror)
    raw = pd.read_excel(src, header=None, engine="calamine")
    if str(raw.iloc[0, 0]).strip() != "Tahun":
        raise DataFormatError(f"{src}: expected 'Tahun' (year) in the first cell and years "
                              f"across row 1, found {raw.iloc[0, :4].tolist()}")
    years = [int(float(v)) for v in raw.iloc[0, 1:].tolist()]
    body = raw.iloc[1:].copy()
    body.columns = ["province", *years]
    long = body.melt(id_vars="province", var_name="year", value_name="hdi")
    long["province"] = long["province"].map(province_key)
    long["year"] = long["year"].astype("Int64")
    long["hdi"] = to_number(long["hdi"])
    check_duplicates(long, ["province", "year"], source="BPS IPM")
    return long.reset_index(drop=True)
