"""``kg fetch --baseline/--updates`` against a loopback copy of NCBI's bulk folders (tests/eutils/fake_bulk.py):
published MD5s checked, a cut download resumed with a Range request, complete files skipped, clear errors. The
files are real PubMed files of the shared data under baseline and update names; nothing reaches the network."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from extractors.eutils.bulk import BulkError, parse_listing, parse_md5
from extractors.readers import read_pubmed_xml
from kg.cli import main
from tests.eutils.fake_bulk import FakeNcbiBulk, Fault

pytestmark = pytest.mark.timeout(120)
SAMPLES = ("pubmed/pmparser_samples/pubmed26n1334.xml.gz", "pubmed/pmparser_samples/pubmed26n1335.xml.gz")


@pytest.fixture
def ncbi(shared_data: Path) -> FakeNcbiBulk:
    paths = [shared_data / p for p in SAMPLES]
    if not all(p.is_file() for p in paths):
        pytest.skip(f"shared PubMed files not found: {SAMPLES}")
    first, second = (p.read_bytes() for p in paths)
    folders = {"baseline": {"pubmed26n0001.xml.gz": second, "pubmed26n0002.xml.gz": first},
               "updatefiles": {"pubmed26n0003.xml.gz": first}}
    with FakeNcbiBulk(folders) as server:
        yield server


def kg_fetch(server: FakeNcbiBulk, out: Path, *args: str) -> Result:
    argv = ["fetch", "--out", str(out), "--bulk-url", server.url, "--json", *args]
    return CliRunner().invoke(main, argv, catch_exceptions=False)


def file_requests(server: FakeNcbiBulk) -> list[tuple[str, str | None]]:
    return [(path, rng) for path, rng in server.requests if path.endswith(".xml.gz")]


def test_baseline_and_updates_are_downloaded_checked_and_then_skipped(ncbi, tmp_path):
    out = tmp_path / "pubmed"
    result = kg_fetch(ncbi, out, "--baseline", "--updates")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    names = ["pubmed26n0001.xml.gz", "pubmed26n0002.xml.gz", "pubmed26n0003.xml.gz"]
    assert summary["downloaded"] == names and summary["skipped"] == 0
    for name in names:
        folder = "updatefiles" if name.endswith("0003.xml.gz") else "baseline"
        assert (out / name).read_bytes() == ncbi.folders[folder][name]
        assert parse_md5((out / f"{name}.md5").read_text(), name) == hashlib.md5((out / name).read_bytes()).hexdigest()
    assert not list(out.glob("*.part"))
    assert len(list(read_pubmed_xml(str(out / names[1])))) > 0  # what kg ingest reads
    ncbi.requests.clear()
    again = json.loads(kg_fetch(ncbi, out, "--baseline", "--updates").stdout)
    assert (again["skipped"], again["downloaded"]) == (3, [])
    assert file_requests(ncbi) == []  # complete files cost no request


def test_a_cut_download_is_resumed_with_a_range_request(ncbi, tmp_path):
    out = tmp_path / "pubmed"
    ncbi.faults.append(Fault("cut", "/pubmed/baseline/pubmed26n0001.xml.gz", after=4096))
    failed = kg_fetch(ncbi, out, "--baseline", "--attempts", "1")
    assert failed.exit_code == 1
    assert "pubmed26n0001.xml.gz" in failed.output and "after 1 attempts" in failed.output
    assert (out / "pubmed26n0001.xml.gz.part").stat().st_size == 4096
    assert not (out / "pubmed26n0001.xml.gz").exists()
    ncbi.requests.clear()
    summary = json.loads(kg_fetch(ncbi, out, "--baseline").stdout)
    assert summary["resumed"] == ["pubmed26n0001.xml.gz"]
    assert file_requests(ncbi)[0] == ("/pubmed/baseline/pubmed26n0001.xml.gz", "bytes=4096-")
    assert (out / "pubmed26n0001.xml.gz").read_bytes() == ncbi.folders["baseline"]["pubmed26n0001.xml.gz"]


def test_server_errors_and_a_corrupted_body_are_retried(ncbi, tmp_path):
    out = tmp_path / "pubmed"
    ncbi.faults += [Fault("503", "/pubmed/updatefiles/"), Fault("corrupt", "/pubmed/updatefiles/pubmed26n0003.xml.gz"),
                    Fault("cut", "/pubmed/updatefiles/pubmed26n0003.xml.gz", after=100)]
    result = kg_fetch(ncbi, out, "--updates", "--attempts", "4")
    assert result.exit_code == 0, result.output
    assert (out / "pubmed26n0003.xml.gz").read_bytes() == ncbi.folders["updatefiles"]["pubmed26n0003.xml.gz"]
    assert "MD5" in result.stderr and "HTTP 503" in result.stderr  # each retry is reported


def test_a_missing_file_fails_at_once_naming_its_url(ncbi, tmp_path):
    del ncbi.folders["updatefiles"]
    result = kg_fetch(ncbi, tmp_path / "pubmed", "--updates")
    assert result.exit_code == 1 and "updatefiles/: HTTP 404" in result.output


def test_listing_and_checksum_formats():
    html = '<a href="pubmed26n0002.xml.gz">x</a><a href="pubmed26n0002.xml.gz.md5">y</a><a href="pubmed26n0001.xml.gz">'
    assert parse_listing(html) == ["pubmed26n0001.xml.gz", "pubmed26n0002.xml.gz"]
    digest = "0" * 31 + "a"
    assert parse_md5(f"MD5(pubmed26n0001.xml.gz)= {digest}\n", "pubmed26n0001.xml.gz") == digest
    assert parse_md5(f"{digest}  pubmed26n0001.xml.gz\n", "pubmed26n0001.xml.gz") == digest
    with pytest.raises(BulkError, match="not of pubmed26n0001"):
        parse_md5(f"MD5(pubmed26n0009.xml.gz)= {digest}", "pubmed26n0001.xml.gz")
    with pytest.raises(BulkError, match="not a checksum"):
        parse_md5("<html>error</html>", "pubmed26n0001.xml.gz")
