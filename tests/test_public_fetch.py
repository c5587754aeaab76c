"""Downloads of the public files (egovstudy.public.registry) against a local HTTP server.

The server runs on 127.0.0.1 only, in a thread, and serves small fixture bytes made
here; it counts requests so a cache hit is proven to make none.
"""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from egovstudy.errors import DataSourceError
from egovstudy.public import registry
from egovstudy.public.registry import REGISTRY, RemoteFile, fetch_file, fetch_source
from egovstudy.public.sources import SOURCES, find_file

BODY = b"Country Name,E-Government Index 2024\nDenmark,0.9847\n"


class _Handler(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        if self.path.startswith("/ok"):
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)
        elif self.path.startswith("/cut"):
            # announce the full length, send half of the body, then close mid-body
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY) * 10))
            self.end_headers()
            self.wfile.write(BODY[: len(BODY) // 2])
            self.wfile.flush()
            self.close_connection = True
        else:
            self.send_error(404, "Not Found")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    _Handler.hits = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _entry(url: str, sha: str | None = None) -> RemoteFile:
    return RemoteFile("un_egdi_2024_crosscheck", "EGOV_DATA_2024.csv", url,
                      sha if sha is not None else hashlib.sha256(BODY).hexdigest())


def test_download_then_cache_hit_makes_no_request(server: str, tmp_path: Path) -> None:
    path = fetch_file(_entry(server + "/ok/EGOV_DATA_2024.csv"), cache=tmp_path, retries=0)
    assert path == tmp_path / "un_egdi_2024_crosscheck" / "EGOV_DATA_2024.csv"
    assert path.read_bytes() == BODY
    assert len(_Handler.hits) == 1
    again = fetch_file(_entry(server + "/ok/EGOV_DATA_2024.csv"), cache=tmp_path, retries=0)
    assert again == path
    assert len(_Handler.hits) == 1  # served from the cache: no second request


def test_wrong_checksum_names_both_hashes_and_keeps_nothing(server: str,
                                                            tmp_path: Path) -> None:
    wrong = "0" * 64
    good = hashlib.sha256(BODY).hexdigest()
    with pytest.raises(DataSourceError,
                       match=rf"checksum mismatch for un_egdi_2024_crosscheck/EGOV_DATA_2024"
                             rf"\.csv .*expected sha256 {wrong}, got {good}") as info:
        fetch_file(_entry(server + "/ok/x.csv", sha=wrong), cache=tmp_path, retries=0)
    assert "\n" not in str(info.value)
    assert not (tmp_path / "un_egdi_2024_crosscheck" / "EGOV_DATA_2024.csv").exists()


def test_404_is_one_line_naming_the_file_and_the_publisher(server: str,
                                                           tmp_path: Path) -> None:
    with pytest.raises(DataSourceError,
                       match=r"could not download un_egdi_2024_crosscheck/EGOV_DATA_2024\.csv: "
                             r"HTTP 404 .*publicadministration") as info:
        fetch_file(_entry(server + "/gone.csv"), cache=tmp_path, retries=0)
    assert "\n" not in str(info.value)


def test_interrupted_transfer_leaves_no_partial_file(server: str, tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match=r"EGOV_DATA_2024\.csv .*transfer failed") as info:
        fetch_file(_entry(server + "/cut/x.csv"), cache=tmp_path, retries=0)
    assert "\n" not in str(info.value)
    folder = tmp_path / "un_egdi_2024_crosscheck"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_retries_repeat_the_request(server: str, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("time.sleep", lambda _s: None)
    with pytest.raises(DataSourceError, match="transfer failed"):
        fetch_file(_entry(server + "/cut/x.csv"), cache=tmp_path, retries=2)
    assert len(_Handler.hits) == 3


def test_fetched_file_is_found_by_the_loaders_after_the_mirror(
        server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EGOVSTUDY_CACHE", str(tmp_path))
    monkeypatch.setenv("EGOVSTUDY_DATA_MIRROR", str(tmp_path / "no_mirror"))
    monkeypatch.setitem(REGISTRY, "un_egdi_2024_crosscheck",
                        (_entry(server + "/ok/EGOV_DATA_2024.csv"),))
    [path] = fetch_source("un_egdi_2024_crosscheck", progress=False, retries=0)
    assert find_file("un_egdi_2024_crosscheck", "EGOV_DATA_2024.csv") == path


def test_missing_file_error_names_the_fetch_command(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EGOVSTUDY_CACHE", str(tmp_path))
    with pytest.raises(DataSourceError, match="egovstudy data fetch wb_wgi_1996_2019"):
        find_file("wb_wgi_1996_2019", "nothing_here.csv", mirror=tmp_path)


def test_unknown_source_suggests_the_close_name() -> None:
    with pytest.raises(DataSourceError, match="did you mean 'wb_wgi_1996_2019'"):
        fetch_source("wb_wgi_1996", progress=False)


def test_no_documented_address_says_where_to_obtain(tmp_path: Path) -> None:
    entry = RemoteFile("ookla_sgi_aug2024", "sgi_fb_aug_2024_upd.csv", None, None)
    with pytest.raises(DataSourceError, match=r"no download address .*speedtest\.net.*"
                                              r"data/raw/ookla_sgi_aug2024/sgi_fb"):
        fetch_file(entry, cache=tmp_path)


def test_registry_covers_every_loader_file() -> None:
    for name, src in SOURCES.items():
        fetched = {e.name for e in REGISTRY[name]}
        for wanted in src.files:
            assert wanted in fetched or wanted.removesuffix(".gz") in fetched, (name, wanted)


def test_registry_checksums_match_the_mirror(data_mirror: Path) -> None:
    import gzip

    for entries in REGISTRY.values():
        for entry in entries:
            path = data_mirror / entry.source / entry.name
            data = (path.read_bytes() if path.exists()
                    else gzip.decompress(Path(str(path) + ".gz").read_bytes()))
            assert hashlib.sha256(data).hexdigest() == entry.sha256, entry.name
    assert registry.cache_dir().is_absolute()


def test_cli_data_fetch_downloads_and_reports_bad_names(
        server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from egovstudy.cli import main

    monkeypatch.setenv("EGOVSTUDY_CACHE", str(tmp_path))
    monkeypatch.setitem(REGISTRY, "un_egdi_2024_crosscheck",
                        (_entry(server + "/ok/EGOV_DATA_2024.csv"),))
    assert main(["data", "fetch", "un_egdi_2024_crosscheck"]) == 0
    assert "EGOV_DATA_2024.csv" in capsys.readouterr().out
    assert main(["data", "fetch", "un_egdi_2024_cross"]) == 2
    assert "did you mean 'un_egdi_2024_crosscheck'" in capsys.readouterr().err


def test_plain_csv_in_the_cache_stands_in_for_the_gzipped_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the registry downloads the WGI file as .csv; the loader asks for .csv.gz
    monkeypatch.setenv("EGOVSTUDY_CACHE", str(tmp_path))
    plain = tmp_path / "wb_wgi_1996_2019" / "2020_Worldwide_Governance_Indicators_1996-2019.csv"
    plain.parent.mkdir()
    plain.write_text("x\n")
    found = find_file("wb_wgi_1996_2019", plain.name + ".gz", mirror=tmp_path / "none")
    assert found == plain
