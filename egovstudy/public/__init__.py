"""Loaders of public e-government data, with ISO3 codes and years.

Files are found in ``data/raw/<source>/``, else in the mirror named by
``EGOVSTUDY_DATA_MIRROR`` (see :mod:`egovstudy.public.sources`); a missing file
raises :class:`~egovstudy.errors.DataSourceError` saying where to get it.

Examples
--------
>>> from egovstudy.public import load_egdi, SOURCES
>>> "un_egdi_2005_2024" in SOURCES
True
"""

from __future__ import annotations

from egovstudy.public.countries import COUNTRY_OVERRIDES, CountryMatch, add_iso3, to_iso3
from egovstudy.public.indonesia import (
    load_id_apbn_spending,
    load_id_digital_literacy,
    load_id_hdi,
    load_id_internet_access,
    province_key,
)
from egovstudy.public.isora import ISORA_INDICATORS, isora_indicators, load_isora
from egovstudy.public.oecd import load_oecd_dgi
from egovstudy.public.ookla import load_ookla_global_index, load_ookla_speed
from egovstudy.public.sources import (
    SOURCES,
    Source,
    data_available,
    fetch,
    find_file,
    find_glob,
    prepare_notebook,
    require_sources,
    source_status,
)
from egovstudy.public.un import (
    load_country_metadata,
    load_egdi,
    load_egdi_edition,
    load_egdi_unu,
    load_internet_use,
)
from egovstudy.public.worldbank import load_gtmi, load_wdi, load_wdi_metadata, load_wgi

__all__ = [
    "COUNTRY_OVERRIDES",
    "ISORA_INDICATORS",
    "SOURCES",
    "CountryMatch",
    "Source",
    "add_iso3",
    "data_available",
    "fetch",
    "find_file",
    "find_glob",
    "isora_indicators",
    "load_country_metadata",
    "load_egdi",
    "load_egdi_edition",
    "load_egdi_unu",
    "load_gtmi",
    "load_id_apbn_spending",
    "load_id_digital_literacy",
    "load_id_hdi",
    "load_id_internet_access",
    "load_internet_use",
    "load_isora",
    "load_oecd_dgi",
    "load_ookla_global_index",
    "load_ookla_speed",
    "load_wdi",
    "load_wdi_metadata",
    "load_wgi",
    "prepare_notebook",
    "province_key",
    "require_sources",
    "source_status",
    "to_iso3",
]
