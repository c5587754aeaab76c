"""Where the public data files come from.

Every loader asks :func:`find_file` for its input. The search order is

1. ``data/raw/<source>/<file>`` inside the project (files the user put there);
2. ``<mirror>/<source>/<file>`` where ``<mirror>`` is the folder named by the
   ``EGOVSTUDY_DATA_MIRROR`` environment variable (or passed as ``mirror=``);
3. the download cache (``EGOVSTUDY_CACHE``, else pooch's per-user cache folder),
   filled by ``egovstudy data fetch [SOURCE...]`` (:mod:`egovstudy.public.registry`),
   each file checked against its sha256 -- only when the user asks for it;
4. otherwise a :class:`~egovstudy.errors.DataSourceError` that names, for each
   missing file, where to obtain it officially and where to put it.

The public files are never committed to the repository.

Examples
--------
>>> from egovstudy.public.sources import SOURCES
>>> SOURCES["un_egdi_2005_2024"].files[0]
'EGOV_MERGED_2005_2024.csv'
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from egovstudy._paths import DATA_MIRROR_ENV, data_mirror, project_root
from egovstudy.errors import DataSourceError
from egovstudy.provenance import file_sha256

__all__ = [
    "SOURCES",
    "Source",
    "data_available",
    "fetch",
    "find_file",
    "find_glob",
    "prepare_notebook",
    "require_sources",
    "source_status",
]


@dataclass(frozen=True)
class Source:
    """One public data source: its files and where to obtain them officially.

    Attributes
    ----------
    name : str
        Folder name under ``data/raw/`` and under the mirror.
    title : str
        What the data are.
    files : tuple of str
        File paths relative to the source folder.
    official : str
        Where to obtain the data from the publisher.
    licence : str
        The licence the publisher states.
    sha256 : dict
        Optional checksums (file -> sha256) used by :func:`fetch`.
    """

    name: str
    title: str
    files: tuple[str, ...]
    official: str
    licence: str = "see the publisher's terms"
    sha256: dict[str, str] = field(default_factory=dict)


_ISORA = tuple(f"raw/ISORA_2021/ISORA_Form_{f}_2018_to_2021.xlsx" for f in "ABCDEFG")

_ID_LICENCE = ("Indonesian government open data; the copies egovstudy fetches state no "
               "licence, so they are not shipped with the package")

SOURCES: dict[str, Source] = {
    s.name: s
    for s in [
        Source("un_egdi_2005_2024", "UN E-Government Survey, merged 2005-2024 (EGDI, OSI, HCI, "
               "TII, E-Participation, ranks) and internet users (% of population)",
               ("EGOV_MERGED_2005_2024.csv", "internet_penetration_ogdi.csv"),
               "UN DESA E-Government Knowledgebase, Data Center: "
               "https://publicadministration.un.org/egovkb/en-us/Data-Center (one CSV per "
               "survey year; merge the editions), internet users: World Bank WDI "
               "IT.NET.USER.ZS", "UN DESA terms; WDI CC BY 4.0"),
        Source("un_egdi_unu_2010_2018", "UN EGDI 2010-2018 with ISO3 codes and country metadata "
               "(UNU-EGOV datasets)",
               (*(f"egdi-{y}.csv" for y in (2010, 2012, 2014, 2016, 2018)),
                "countries-data_EN.csv"),
               "https://github.com/UNU-EGOV/datasets (egdi/, countries/)", "not stated"),
        Source("un_egdi_2022_freedomhouse", "UN E-Government Survey 2022 single-year file",
               ("EGOV_DATA_2022.csv",),
               "UN DESA E-Government Knowledgebase, Data Center: "
               "https://publicadministration.un.org/egovkb/en-us/Data-Center (2022 data)",
               "UN DESA terms"),
        Source("un_egdi_2024_crosscheck", "UN E-Government Survey 2024 single-year file",
               ("EGOV_DATA_2024.csv",),
               "UN DESA E-Government Knowledgebase, Data Center: "
               "https://publicadministration.un.org/egovkb/en-us/Data-Center (2024 data)",
               "UN DESA terms"),
        Source("wb_gtmi_2020_2022", "World Bank GovTech Maturity Index 2020 and 2022",
               ("Clean_GovTech.xlsx",),
               "World Bank GovTech dataset: https://datacatalog.worldbank.org/search/dataset/"
               "0037889/govtech-dataset", "CC BY 4.0"),
        Source("bipa2024_public_admin", "OECD Digital Government Index 2023, IMF ISORA forms "
               "A-G 2018-2021 and GTMI 2022 (Blavatnik Index source data)",
               ("raw/oecd_dgi_2023.csv", *_ISORA),
               "OECD DGI 2023: https://www.oecd-ilibrary.org/governance/"
               "2023-oecd-digital-government-index_1a89ed5e-en ; ISORA: https://data.rafit.org/ "
               "(Forms A-G, 2018 to 2021) ; or https://github.com/blavatnik-index/"
               "bipa2024_sourcedata (data_raw/)", "OECD free reuse; ISORA reuse permitted"),
        Source("wb_wgi_1996_2019", "World Bank Worldwide Governance Indicators 1996-2019",
               ("2020_Worldwide_Governance_Indicators_1996-2019.csv.gz",),
               "https://www.worldbank.org/en/publication/worldwide-governance-indicators "
               "(long CSV; gzip it or keep the .csv name)", "CC BY 4.0"),
        Source("wb_wdi_gdp", "World Bank WDI bulk CSV downloads (GDP per capita)",
               ("API_NY.GDP.PCAP.PP.KD_DS2_en_csv_v2_1588678.csv",
                "API_NY.GDP.PCAP.CD_DS2_en_csv_v2_1887433.csv",
                "API_NY.GDP.MKTP.CD_DS2_en_csv_v2_2002465.csv",
                "Metadata_Country_API_NY.GDP.MKTP.CD_DS2_en_csv_v2_2002465.csv"),
               "https://data.worldbank.org/indicator/NY.GDP.PCAP.PP.KD (Download -> CSV); "
               "any API_<indicator>_DS2_en_csv_v2_*.csv file is found by indicator code",
               "CC BY 4.0"),
        Source("ookla_speed_2019_2024", "Ookla open data, mean download speed by country and "
               "year (test- and population-weighted)",
               ("internet_speed_summary_by_country.csv",),
               "https://github.com/matias-harari/Pop-Weighted-Internet-Speed (summary_data/), "
               "built from https://github.com/teamookla/ookla-open-data",
               "Ookla Open Data CC BY-NC-SA 4.0"),
        Source("ookla_sgi_aug2024", "Ookla Speedtest Global Index, median speeds, August 2024",
               ("sgi_fb_aug_2024_upd.csv", "sgi_mob_aug_2024.csv"),
               "https://www.speedtest.net/global-index", "Ookla property, non-commercial"),
        Source("indonesia_province_2022", "Indonesia 2022 by province: Kominfo digital literacy "
               "index and BPS households using internet",
               ("indeks_literasi_digital-2022.csv", "akses_internet-2022.csv"),
               "Kominfo/Katadata Status Literasi Digital di Indonesia 2022; BPS table "
               "'Persentase Rumah Tangga yang Pernah Mengakses Internet' (https://www.bps.go.id)",
               _ID_LICENCE),
        Source("indonesia_apbn_province_2010_2021", "Indonesia central-government spending by "
               "function and province 2010-2021 and provincial HDI",
               ("peta_apbn_data.csv", "mappingprovinsi.csv", "indeks_pembangunan_manusia.xlsx"),
               "Kemenkeu https://peta.data-apbn.kemenkeu.go.id ; BPS Indeks Pembangunan Manusia "
               "(https://www.bps.go.id)", _ID_LICENCE),
    ]
}


def _source(name: str) -> Source:
    if name not in SOURCES:
        raise DataSourceError(
            f"unknown data source {name!r}; known sources: {', '.join(sorted(SOURCES))}"
        )
    return SOURCES[name]


def _candidates(source: str, filename: str, mirror: str | Path | None) -> list[Path]:
    folders = [project_root() / "data" / "raw" / source]
    root = Path(mirror).expanduser() if mirror is not None else data_mirror()
    if root is not None:
        folders.append(root / source)
    folders.append(_cache_dir() / source)
    # a gzipped file may also be present uncompressed (as downloaded by ``data fetch``)
    names = [filename, filename[:-3]] if filename.endswith(".gz") else [filename]
    return [folder / name for folder in folders for name in names]


def _cache_dir() -> Path:
    """The download cache: ``EGOVSTUDY_CACHE`` or pooch's per-user OS cache folder."""
    value = os.environ.get("EGOVSTUDY_CACHE", "").strip()
    if value:
        return Path(value).expanduser()
    import pooch

    return Path(pooch.os_cache("egovstudy"))


def _where_to_get(source: str, filenames: list[str]) -> str:
    src = _source(source)
    lines = [f"{source}: {src.title}", f"  official source: {src.official}",
             f"  licence: {src.licence}",
             f"  download it: egovstudy data fetch {source}  (or make data-public; "
             f"into {_cache_dir()})"]
    for name in filenames:
        lines.append(f"  missing {name!r}: put it at data/raw/{source}/{name} or at "
                     f"<mirror>/{source}/{name} with {DATA_MIRROR_ENV}=<mirror>")
    return "\n".join(lines)


def find_file(source: str, filename: str | None = None, *,
              mirror: str | Path | None = None) -> Path:
    """Return the path of one file of a public source.

    Parameters
    ----------
    source : str
        A key of :data:`SOURCES` (the folder name).
    filename : str, optional
        Path relative to the source folder; default the source's first file.
    mirror : str or Path, optional
        Mirror folder; default ``EGOVSTUDY_DATA_MIRROR``.

    Raises
    ------
    DataSourceError
        When the file is in none of the searched places; the message says where
        to obtain it and where to put it.

    Examples
    --------
    >>> try:
    ...     find_file("wb_wgi_1996_2019", "no_such_file.csv", mirror="/nonexistent")
    ... except Exception as err:
    ...     print(type(err).__name__)
    DataSourceError
    """
    src = _source(source)
    name = filename if filename is not None else src.files[0]
    for place in _candidates(source, name, mirror):
        if place.is_file():
            return place
    searched = "; ".join(str(p) for p in _candidates(source, name, mirror))
    raise DataSourceError(
        f"public data file not found (searched: {searched}).\n" + _where_to_get(source, [name])
    )


def find_glob(source: str, pattern: str, *, mirror: str | Path | None = None) -> Path:
    """Return the first file matching ``pattern`` in a source folder (project, then mirror).

    Examples
    --------
    >>> try:
    ...     find_glob("wb_wdi_gdp", "API_XX.*.csv", mirror="/nonexistent")
    ... except Exception as err:
    ...     print(type(err).__name__)
    DataSourceError
    """
    _source(source)
    roots = [p.parent for p in _candidates(source, "x", mirror)]
    for root in roots:
        if root.is_dir():
            hits = sorted(root.glob(pattern))
            if hits:
                return hits[0]
    raise DataSourceError(
        f"no file matching {pattern!r} in {', '.join(str(r) for r in roots)}.\n"
        + _where_to_get(source, [pattern])
    )


def source_status(*, mirror: str | Path | None = None) -> pd.DataFrame:
    """Table of every expected file: found or not, where, and where to get it.

    Examples
    --------
    >>> status = source_status(mirror="/nonexistent")
    >>> list(status.columns)
    ['source', 'file', 'found', 'path', 'official']
    """
    rows = []
    for src in SOURCES.values():
        for name in src.files:
            path = next((p for p in _candidates(src.name, name, mirror) if p.is_file()), None)
            rows.append({"source": src.name, "file": name, "found": path is not None,
                         "path": str(path) if path else "", "official": src.official})
    return pd.DataFrame(rows)


def require_sources(*names: str, mirror: str | Path | None = None) -> None:
    """Raise one :class:`DataSourceError` listing every missing file of ``names``.

    Examples
    --------
    >>> try:
    ...     require_sources("ookla_sgi_aug2024", mirror="/nonexistent")
    ... except Exception as err:
    ...     print("put it at" in str(err))
    True
    """
    parts = []
    for name in names:
        src = _source(name)
        missing = [f for f in src.files
                   if not any(p.is_file() for p in _candidates(name, f, mirror))]
        if missing:
            parts.append(_where_to_get(name, missing))
    if parts:
        raise DataSourceError("public data files are missing:\n" + "\n".join(parts))


def prepare_notebook(output_dir: str | Path, *names: str,
                     data_mirror: str | Path | None = None,
                     fallback: str | None = None) -> tuple[bool, Path, Path]:
    """Set up a public-data notebook: mirror, data check, output folders.

    Returns ``(data_ok, figures_dir, tables_dir)``. When a source is missing it prints
    where to get each file (see :func:`data_available`) and that the analysis is
    skipped, so the notebook ends without error. With ``fallback`` (what the notebook
    uses instead, e.g. the panel shipped in the package) it prints one line naming
    the fetch command and the fallback, and returns ``data_ok=True``.

    Examples
    --------
    >>> import tempfile
    >>> ok, figures, tables = prepare_notebook(tempfile.mkdtemp(), "ookla_sgi_aug2024",
    ...                                        data_mirror="/nonexistent")  # doctest: +ELLIPSIS
    public data files are missing:
    ...
    >>> ok, figures.name, tables.name
    (False, 'figures', 'tables')
    >>> ok, _, _ = prepare_notebook(tempfile.mkdtemp(), "ookla_sgi_aug2024",
    ...     data_mirror="/nonexistent", fallback="the shipped panel")  # doctest: +ELLIPSIS
    raw files of ookla_sgi_aug2024 not found (get them: egovstudy data fetch ...); using ...
    >>> ok
    True
    """
    if data_mirror:
        os.environ[DATA_MIRROR_ENV] = str(data_mirror)
    figures, tables = Path(output_dir) / "figures", Path(output_dir) / "tables"
    if fallback is not None:
        try:
            require_sources(*names)
        except DataSourceError:
            print(f"raw files of {', '.join(names)} not found (get them: egovstudy data "
                  f"fetch {' '.join(names)}); using {fallback}")
        ok = True
    else:
        ok = data_available(*names)
    if ok:
        figures.mkdir(parents=True, exist_ok=True)
        tables.mkdir(parents=True, exist_ok=True)
    else:
        print("\nThe analysis is skipped: put the files above in place and run again.")
    return ok, figures, tables


def data_available(*names: str, mirror: str | Path | None = None) -> bool:
    """True when every file of the named sources is found; else print where to get them.

    Meant for notebooks: they print the instructions and skip the analysis instead of
    failing when the public data are absent.

    Examples
    --------
    >>> data_available("ookla_sgi_aug2024", mirror="/nonexistent")  # doctest: +ELLIPSIS
    public data files are missing:
    ...
    False
    """
    try:
        require_sources(*names, mirror=mirror)
    except DataSourceError as err:
        print(err)
        return False
    return True


def fetch(source: str, filename: str, url: str, *, sha256: str,
          cache_dir: str | Path | None = None, timeout: float = 60.0) -> Path:
    """Download one file into the cache, checking its sha256 (optional, needs a network).

    Nothing in the package calls this automatically; loaders work from the project
    folder or the mirror. The file lands in ``<cache_dir>/<source>/<filename>``
    (default ``EGOVSTUDY_CACHE`` or ``~/.cache/egovstudy``), where :func:`find_file`
    looks after the mirror. An existing cached file with the right checksum is reused.

    Raises
    ------
    DataSourceError
        When the download fails or the checksum differs.

    Examples
    --------
    >>> try:
    ...     fetch("ookla_sgi_aug2024", "x.csv", "file:///nonexistent", sha256="0" * 64,
    ...           cache_dir=tempfile.mkdtemp())
    ... except Exception as err:
    ...     print(type(err).__name__)
    DataSourceError
    """
    import urllib.request

    _source(source)
    root = Path(cache_dir) if cache_dir is not None else _cache_dir()
    target = root / source / filename
    if target.is_file() and file_sha256(target) == sha256.lower():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, \
                tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
            shutil.copyfileobj(response, tmp)
            tmp_path = Path(tmp.name)
    except (OSError, ValueError) as err:
        raise DataSourceError(
            f"could not download {url} for {source}/{filename}: {err}.\n"
            + _where_to_get(source, [filename])
        ) from err
    got = file_sha256(tmp_path)
    if got != sha256.lower():
        tmp_path.unlink(missing_ok=True)
        raise DataSourceError(
            f"checksum mismatch for {url}: expected sha256 {sha256}, got {got}; the "
            "publisher may have changed the file -- check it and update the checksum"
        )
    tmp_path.replace(target)
    return target
