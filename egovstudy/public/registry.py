"""Registry of the downloadable public files, and :func:`fetch_source` built on pooch.

Each entry gives, for one file a loader reads, a fixed download address and the
sha256 of the file (computed from the mirror copies). The publishers (UN DESA, World
Bank, IMF, Ookla, BPS, Kemenkeu) publish these data on web pages that change and
document no fixed per-file address for these extracts, so the address is the
snapshot named in the mirror's ``SOURCES.md`` (a public repository at a given
commit), whose copy is byte for byte the mirror's. The publisher's page stays in
:data:`~egovstudy.public.sources.SOURCES` (``official``) and every error names it.

We use pooch rather than our own downloader: it brings the cache folder, progress
bars, retries, the checksum check and atomic moves into place.

Examples
--------
>>> entry = REGISTRY["un_egdi_2005_2024"][0]
>>> entry.name, len(entry.sha256 or "")
('EGOV_MERGED_2005_2024.csv', 64)
>>> sorted(REGISTRY) == sorted(SOURCES)
True
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path

from egovstudy.errors import DataSourceError
from egovstudy.public.sources import SOURCES, _cache_dir

__all__ = ["CACHE_ENV", "REGISTRY", "RemoteFile", "cache_dir", "fetch_file", "fetch_source",
           "missing_hint"]

CACHE_ENV = "EGOVSTUDY_CACHE"


@dataclass(frozen=True)
class RemoteFile:
    """One downloadable file of a public source.

    Attributes
    ----------
    source : str
        Key of :data:`~egovstudy.public.sources.SOURCES`.
    name : str
        File name under the source folder (what the loaders look for).
    url : str or None
        A fixed download address; None when none is documented.
    sha256 : str or None
        Checksum of the fixed file; None when the file is not fixed.
    note : str
        Where the address comes from.
    """

    source: str
    name: str
    url: str | None
    sha256: str | None
    note: str = ""


def _snapshot(repo: str, commit: str, path: str) -> str:
    return f"https://github.com/{repo}/raw/{commit}/{urllib.parse.quote(path)}"


_NOTE = "public snapshot named in the mirror's SOURCES.md (repository @ commit : path)"
_ISORA = "data_raw/ISORA_2021/ISORA_Form_{}_2018_to_2021.xlsx"
_ISORA_SHA = {
    "A": "b2e2cde76e1ab66e00e49959366fc36fc65056b7ab5576bc68df89ba935de8c7",
    "B": "2f6342ed8df450e1dcad8582344a2f5b7e4e70e630b3f201357d69d161855069",
    "C": "a6d1ec4c2380697a4f57b0dcc9d61cac90bef4a6592f4f3d1f703f304f3c1480",
    "D": "ed3c24c06e81ba7a7d91b59ae4c254bc5ea65766f58b93e1785e4e2828abac6b",
    "E": "000fed07949e108f0b31287c5fb6ec0860fcae18537c065811dd3e717c436bea",
    "F": "464d1a56529002dcdbe0b73afa49a74924038d13cc1579cc5678b59e4baace77",
    "G": "cc9ee695073a0368688b09da7125221401ffcd31262f6bf47ef2c3c664e03566",
}
_WDI = "data/source/worldbank/"
#: (source, local name, repository, commit, path in the repository, sha256)
_TABLE: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("un_egdi_2005_2024", "EGOV_MERGED_2005_2024.csv", "DataPicasso/OGDI", "66b1d948",
     "EGOV_MERGED_2005_2024.csv",
     "b27caebeeae7d82c579d5aec78f2131526d4d05f21291a4d961cabe5c5c1406d"),
    ("un_egdi_2005_2024", "internet_penetration_ogdi.csv", "DataPicasso/OGDI", "66b1d948",
     "internet_penetration_ogdi.csv",
     "883f0bdc586bb3aa75e6250186557320f850073f6f24bc2021a3ea31261a399d"),
    *((("un_egdi_unu_2010_2018", f"egdi-{y}.csv", "UNU-EGOV/datasets", "3b9c4356",
        f"egdi/egdi-{y}.csv", h)) for y, h in (
        (2010, "2eba5c1e561cabdcab9f20191c497ac9dab3911cf0c15bfca095c5d90027877c"),
        (2012, "b98bde7d1e3b53be25aac315674e690e86cd40bdc9174cbccbc797ab8140b260"),
        (2014, "8ae27d5115ae1131f821be54adc7166eb07e2b571b158b9764be051006627b15"),
        (2016, "c2bfb19398b45c9e5bb677a9fe1080a896f753bfcf3b24505c617219c1e386d0"),
        (2018, "da45229137f4f4930fbe1be60078a21be43ce0b34671c62fcffe7402610d9368"))),
    ("un_egdi_unu_2010_2018", "countries-data_EN.csv", "UNU-EGOV/datasets", "3b9c4356",
     "countries/countries-data_EN.csv",
     "47e2458e1cb43308202c89704536738bd31de175293942ad660d420469ab9c3b"),
    ("un_egdi_2022_freedomhouse", "EGOV_DATA_2022.csv", "pluralitybook/plurality", "86158859",
     "figs/data/egovernment/EGOV_DATA_2022.csv",
     "159cf2dcd38b3ce2cb7aa447425e81468bf095610953bd4aa9462376bcc5a935"),
    ("un_egdi_2024_crosscheck", "EGOV_DATA_2024.csv",
     "MaryliaCruzS/Estadistica1CienciaPolitica", "c22aa0b1", "EGOV_DATA_2024.csv",
     "74a23b44593dc2bd6b64ae11d2f9e59a59fc046c7ca336581e28e2a1521c20b5"),
    ("wb_gtmi_2020_2022", "Clean_GovTech.xlsx", "hawa-at/ht_portfolio_work", "4e3f27f5",
     "data/Clean_GovTech.xlsx",
     "b3adde940c3d156ab5a6a1fe4b4389b885095a76063ac54333a21b13e430ca30"),
    ("bipa2024_public_admin", "raw/oecd_dgi_2023.csv", "blavatnik-index/bipa2024_sourcedata",
     "088271d0", "data_raw/OECD_DGI_2023/oecd_dgi_2023.csv",
     "ba333c1d651ae3d9fadd15ba47f24ae6e306ad28518fa5704b78f8c7432899f7"),
    *(("bipa2024_public_admin", f"raw/ISORA_2021/ISORA_Form_{f}_2018_to_2021.xlsx",
       "blavatnik-index/bipa2024_sourcedata", "088271d0", _ISORA.format(f), h)
      for f, h in _ISORA_SHA.items()),
    # The mirror gzipped this file; the snapshot serves the plain CSV (checksum of
    # the plain CSV), which find_file accepts in place of the .csv.gz.
    ("wb_wgi_1996_2019", "2020_Worldwide_Governance_Indicators_1996-2019.csv",
     "Global-Development-and-Politics-of-Data/Chapter12_Governance", "00f71366",
     "data/2020_Worldwide_Governance_Indicators_1996-2019.csv",
     "67409cf9214fb347d302494c0256839269814e1fbe181b859a1849f424a79b86"),
    *(("wb_wdi_gdp", n, "relatoscondatos/data_global", "1473f4e5", _WDI + n, h) for n, h in (
        ("API_NY.GDP.PCAP.PP.KD_DS2_en_csv_v2_1588678.csv",
         "5948fd1abfb4d35191dc4050388a58ac4058ca6807a7315e1545e63527614b21"),
        ("API_NY.GDP.PCAP.CD_DS2_en_csv_v2_1887433.csv",
         "e2abdc29958d3e7ddab0c460927c05c69a57a1eb73eaf4facf25d9a6332be0c9"),
        ("API_NY.GDP.MKTP.CD_DS2_en_csv_v2_2002465.csv",
         "8e23eb0103022450c253df44236aa7cedd5c0f524c2d18233106a68aeae87f52"),
        ("Metadata_Country_API_NY.GDP.MKTP.CD_DS2_en_csv_v2_2002465.csv",
         "5f0fe6c9bf100ebd617d89f82d2013b74a01e606d944bff275dbd6203c5406ba"))),
    ("ookla_speed_2019_2024", "internet_speed_summary_by_country.csv",
     "matias-harari/Pop-Weighted-Internet-Speed", "3a0d06f7",
     "summary_data/internet_speed_summary_by_country.csv",
     "022b21742d869c444590d8e4ec794a6d5a150dff458ba56f44634d923622bd53"),
    *(("ookla_sgi_aug2024", n, "cheredia19/ookla-speedtest-global-index-insights", "b7318712",
       n, h) for n, h in (
        ("sgi_fb_aug_2024_upd.csv",
         "eee44b1fd32c6ce30a8fabfb90f93ff1f455fe74617e53bf6f52b8de98cae590"),
        ("sgi_mob_aug_2024.csv",
         "28b27d1dcac1c1feb34156d3b68b343f5940ee195326e8e52c4bf593c04e740c"))),
    ("indonesia_province_2022", "indeks_literasi_digital-2022.csv",
     "umiimroatus20/Project-Data-Wrangling-Kel12", "e6166d55",
     "Raw Data/indeks literasi digital-2022.csv",
     "168b12594bb18c3687cd360ee3d41e42e25984e50e9b62b443fd7d79f5b155a4"),
    ("indonesia_province_2022", "akses_internet-2022.csv",
     "umiimroatus20/Project-Data-Wrangling-Kel12", "e6166d55",
     "Raw Data/Akses Internet-2022.csv",
     "d3eb551f91d3bec082b8df8b58c74ac50e5774b838d3736c91da8c4b06105712"),
    *(("indonesia_apbn_province_2010_2021", n, "haekalyulianto/"
       "Capaian_Indikator_Utama_Pembangunan", "9437c9ec", p, h) for n, p, h in (
        ("peta_apbn_data.csv", "Peta APBN Data.csv",
         "9a3af94299d0fb940359ac54f7cf2f2d75f147bd8637b5d6a3db8e7f2d0ab4bd"),
        ("mappingprovinsi.csv", "mappingprovinsi.csv",
         "221284730d051c19230372491ebf50f55b394a56a4dae2b431d80d617e48966b"),
        ("indeks_pembangunan_manusia.xlsx", "Indeks Pembangunan Manusia.xlsx",
         "222cc284754d9a30bb11fb8bf958df38c353caf6a77d99757e7aeab3a2add7da"))),
)

REGISTRY: dict[str, tuple[RemoteFile, ...]] = {
    name: tuple(RemoteFile(s, n, _snapshot(repo, commit, path), sha, _NOTE)
                for s, n, repo, commit, path, sha in _TABLE if s == name)
    for name in SOURCES
}


def cache_dir() -> Path:
    """The download cache: ``EGOVSTUDY_CACHE`` or pooch's per-user OS cache folder.

    :func:`~egovstudy.public.sources.find_file` searches it after the mirror.

    Examples
    --------
    >>> isinstance(cache_dir(), Path)
    True
    """
    return _cache_dir()


def _check_source(source: str) -> None:
    if source not in REGISTRY:
        near = get_close_matches(source, list(REGISTRY), n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise DataSourceError(f"unknown data source {source!r}{hint} known sources: "
                              f"{', '.join(sorted(REGISTRY))}")


def _official(source: str) -> str:
    src = SOURCES[source]
    return f"obtain it from {src.official} (licence: {src.licence})"


def fetch_file(entry: RemoteFile, *, cache: str | Path | None = None, progress: bool = False,
               retries: int = 2, timeout: float = 60.0) -> Path:
    """Download one registry file into ``<cache>/<source>/<name>`` (kept when already there).

    A cached file whose checksum matches is used without any request. The download
    goes to a temporary file and is moved into place only when complete and checked.

    Raises
    ------
    DataSourceError
        No download address, an HTTP error, an interrupted transfer or a checksum
        mismatch (with the expected and the received sha256); one line each.

    Examples
    --------
    >>> import tempfile
    >>> bad = RemoteFile("ookla_sgi_aug2024", "x.csv", None, None)
    >>> try:
    ...     fetch_file(bad, cache=tempfile.mkdtemp())
    ... except DataSourceError as err:
    ...     print(str(err)[:58])
    no download address is documented for ookla_sgi_aug2024/x.
    """
    import pooch
    import requests

    where = f"{entry.source}/{entry.name}"
    if entry.url is None:
        raise DataSourceError(f"no download address is documented for {where}; "
                              f"{_official(entry.source)} and put it at data/raw/{where}")
    root = Path(cache) if cache is not None else cache_dir()
    known = f"sha256:{entry.sha256}" if entry.sha256 else None
    fetcher = pooch.create(path=root / entry.source, base_url="",
                           registry={entry.name: known}, urls={entry.name: entry.url},
                           retry_if_failed=retries)
    downloader = pooch.HTTPDownloader(progressbar=progress, timeout=timeout)
    try:
        return Path(fetcher.fetch(entry.name, downloader=downloader))
    except ValueError as err:
        text = str(err)
        if "hash" not in text.lower():
            raise DataSourceError(f"could not download {where} from {entry.url}: {text}") from err
        raise DataSourceError(
            f"checksum mismatch for {where} from {entry.url}: expected sha256 {entry.sha256}, "
            f"got {_received_hash(text)}; the file changed -- it was not used (check it, then "
            f"update the registry or {_official(entry.source)})") from err
    except requests.HTTPError as err:
        status = err.response.status_code if err.response is not None else "?"
        raise DataSourceError(f"could not download {where}: HTTP {status} from {entry.url}; "
                              f"{_official(entry.source)}") from err
    except (requests.RequestException, OSError) as err:
        raise DataSourceError(f"could not download {where} from {entry.url} (transfer failed: "
                              f"{type(err).__name__}); run the fetch again or "
                              f"{_official(entry.source)}") from err


def _received_hash(text: str) -> str:
    """The received hash out of pooch's mismatch message (``... (<hash>) ...``)."""
    import re

    hashes = re.findall(r"\b[0-9a-f]{64}\b", text)
    return hashes[-1] if hashes else "(unknown)"


def fetch_source(*sources: str, cache: str | Path | None = None, progress: bool = True,
                 retries: int = 2, timeout: float = 60.0) -> list[Path]:
    """Download every registry file of the named sources (default all) into the cache.

    Parameters
    ----------
    *sources : str
        Keys of :data:`REGISTRY`; none means every source.
    cache : str or Path, optional
        Cache folder; default :func:`cache_dir`.

    Examples
    --------
    >>> try:
    ...     fetch_source("un_egdi_2024")
    ... except DataSourceError as err:
    ...     print(str(err)[:75])
    unknown data source 'un_egdi_2024'; did you mean 'un_egdi_2005_2024'? known
    """
    names = list(sources) or sorted(REGISTRY)
    for name in names:
        _check_source(name)
    return [fetch_file(entry, cache=cache, progress=progress, retries=retries, timeout=timeout)
            for name in names for entry in REGISTRY[name]]


def missing_hint(sources: Sequence[str]) -> str:
    """The command that downloads ``sources`` into the cache (for error messages).

    Examples
    --------
    >>> missing_hint(["wb_wgi_1996_2019"])
    'egovstudy data fetch wb_wgi_1996_2019'
    """
    return "egovstudy data fetch " + " ".join(sources)
