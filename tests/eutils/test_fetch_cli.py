"""``kg fetch`` end to end against the loopback server: files, manifest, resume, PMID lists, failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from extractors.eutils import Manifest
from extractors.eutils import cache as cache_module
from extractors.readers import read_pubmed_xml
from kg.cli import main
from tests.eutils.fake_eutils import STALE_WEBENV, FakeEutils, Reply

pytestmark = pytest.mark.timeout(60)
QUERY = "CYP2D6 AND codeine"


def kg_fetch(server: FakeEutils, out: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    argv = ["fetch", "--out", str(out), "--base-url", server.url, "--no-progress", *args]
    return CliRunner().invoke(main, argv, env=env, catch_exceptions=False)


def summary_of(result: Result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def pmids_in(files: list[str]) -> list[str]:
    return [record.pmid for f in files for record in read_pubmed_xml(f)]


def offsets(server: FakeEutils) -> list[int]:
    return [int(h.params["retstart"]) for h in server.requests("efetch.fcgi")]


def test_full_fetch_writes_batches_and_a_manifest(server: FakeEutils, tmp_path: Path) -> None:
    out = tmp_path / "cache"
    summary = summary_of(kg_fetch(server, out, "--query", QUERY, "--batch-size", "3", "--json",
                                  env={"NCBI_EMAIL": "dev@example.org"}))

    name = summary["name"]
    assert name.startswith("cyp2d6-and-codeine-")
    assert summary["count"] == summary["total"] == 8
    assert summary["files"] == [str(out / f"{name}-{start:06d}.xml") for start in (0, 3, 6)]
    assert summary["fetched_batches"] == [0, 3, 6] and summary["skipped_batches"] == []
    assert summary["pmids_fetched"] == summary["pmids_cached"] == 8
    assert summary["missing_pmids"] == [] and summary["count_changed"] is False
    assert pmids_in(summary["files"]) == server.result
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{name}.manifest.json"] +
                                                           [Path(f).name for f in summary["files"]])

    manifest = Manifest.load(out / f"{name}.manifest.json")
    assert manifest.identity["query"] == QUERY and manifest.count == 8 and manifest.batch_size == 3
    assert manifest.expected_pmids == sorted(server.result, key=int)
    assert [b.pmids for _, b in sorted(manifest.batches.items())] == [server.result[0:3], server.result[3:6],
                                                                      server.result[6:]]
    assert all(h.params["email"] == "dev@example.org" and h.params["tool"] == "medkg" for h in server.hits)
    assert server.requests("esearch.fcgi")[0].params["usehistory"] == "y"


def test_plain_output_and_gzip(server: FakeEutils, tmp_path: Path) -> None:
    result = kg_fetch(server, tmp_path, "-q", QUERY, "--gzip", "--max", "5", "--batch-size", "2", "--name", "cyp")
    assert result.exit_code == 0, result.output
    assert "8 records, 5 asked for" in result.stdout and "fetched 3 batches (5 citations)" in result.stdout
    files = sorted(tmp_path.glob("cyp-*.xml.gz"))
    assert [f.name for f in files] == ["cyp-000000.xml.gz", "cyp-000002.xml.gz", "cyp-000004.xml.gz"]
    assert pmids_in([str(f) for f in files]) == server.result[:5]
    assert offsets(server) == [0, 2, 4] and server.requests("efetch.fcgi")[-1].params["retmax"] == "1"


def test_giving_up_exits_non_zero_with_a_clear_error(server: FakeEutils, tmp_path: Path) -> None:
    server.fail(Reply(503, b"Service Unavailable"))
    result = kg_fetch(server, tmp_path, "-q", QUERY, "--attempts", "3", "--batch-size", "4")
    assert result.exit_code == 1
    assert "efetch batch 0-3 failed after 3 attempts: HTTP 503" in result.stderr
    assert f"{server.url}efetch.fcgi?" in result.stderr
    assert "0 of 2 batches are in" in result.stderr
    assert len(server.requests("efetch.fcgi")) == 3
    assert not list(tmp_path.glob("*.xml"))


def test_resume_after_an_interruption_fetches_only_what_is_missing(server: FakeEutils, tmp_path: Path) -> None:
    args = ("-q", QUERY, "--batch-size", "2", "--attempts", "2", "--json")
    server.fail(Reply(500, b"Internal Server Error"), when=lambda hit: hit.params.get("retstart") == "2")
    failed = kg_fetch(server, tmp_path, *args)
    assert failed.exit_code == 1
    assert "efetch batch 2-3 failed after 2 attempts: HTTP 500" in failed.stderr
    assert "1 of 4 batches are in" in failed.stderr and "run the same command again" in failed.stderr
    assert offsets(server) == [0, 2, 2]
    assert [p.name for p in tmp_path.glob("*.xml")] == [p.name for p in tmp_path.glob("*-000000.xml")]
    first_webenv = server.webenv

    server.clear_failures()
    server.hits.clear()
    summary = summary_of(kg_fetch(server, tmp_path, *args))
    assert summary["skipped_batches"] == [0] and summary["fetched_batches"] == [2, 4, 6]
    assert offsets(server) == [2, 4, 6]  # batch 0 is not fetched again
    assert len(server.requests("esearch.fcgi")) == 1 and server.webenv != first_webenv  # a fresh WebEnv
    assert summary["pmids_fetched"] == 6 and summary["pmids_cached"] == 8
    assert pmids_in(summary["files"]) == server.result

    server.hits.clear()
    again = summary_of(kg_fetch(server, tmp_path, *args))
    assert again["skipped_batches"] == [0, 2, 4, 6] and again["fetched_batches"] == []
    assert server.requests("efetch.fcgi") == [] and again["files"] == summary["files"]


def test_resume_says_so_when_the_count_changed(server: FakeEutils, tmp_path: Path) -> None:
    args = ("-q", QUERY, "--batch-size", "2", "--attempts", "1", "--json")
    server.fail(Reply(500), when=lambda hit: hit.params.get("retstart") == "2")
    assert kg_fetch(server, tmp_path, *args).exit_code == 1
    server.clear_failures()
    first = server.result.pop(0)  # a record left the results: the later ones move up by one
    lost = server.result[1]  # was at offset 2 (batch 2), is now at offset 1 (batch 0, already fetched)

    result = kg_fetch(server, tmp_path, *args)
    summary = summary_of(result)
    assert summary["count_changed"] is True and summary["previous_count"] == 8 and summary["count"] == 7
    assert "result count changed from 8 to 7" in result.stderr
    assert summary["missing_pmids"] == [lost]
    assert first in pmids_in(summary["files"])  # kept in the batch fetched before


def test_pmids_file(server: FakeEutils, tmp_path: Path) -> None:
    pmid_file = tmp_path / "wanted.txt"
    pmid_file.write_text("# PMIDs for the test\n29963580\n\n12091962  # pubmed1\nPMID: 9997\n29963580\n1\n"
                         "30108519\n")
    out = tmp_path / "cache"
    summary = summary_of(kg_fetch(server, out, "--pmids", str(pmid_file), "--batch-size", "2", "--gzip", "--json"))
    assert summary["name"].startswith("wanted-") and summary["query"] is None
    assert summary["count"] == summary["total"] == 5
    assert summary["missing_pmids"] == ["1"]
    assert sorted(pmids_in(summary["files"]), key=int) == ["9997", "12091962", "29963580", "30108519"]
    fetches = server.requests("efetch.fcgi")
    assert [h.method for h in fetches] == ["POST"] * 3
    assert [h.params["id"] for h in fetches] == ["1,9997", "12091962,29963580", "30108519"]
    assert server.requests("esearch.fcgi") == []
    assert all(f.endswith(".xml.gz") for f in summary["files"])

    server.hits.clear()
    again = summary_of(kg_fetch(server, out, "--pmids", str(pmid_file), "--batch-size", "2", "--json"))
    assert again["skipped_batches"] == [0, 2, 4] and server.hits == []


def test_a_bad_pmid_file_is_reported_with_its_line(server: FakeEutils, tmp_path: Path) -> None:
    pmid_file = tmp_path / "bad.txt"
    pmid_file.write_text("12091962\nCYP2D6\n")
    result = kg_fetch(server, tmp_path, "--pmids", str(pmid_file))
    assert result.exit_code == 1 and "line 2: not a PMID: 'CYP2D6'" in result.stderr
    assert server.hits == []


def test_an_error_document_is_retried_then_reported(server: FakeEutils, tmp_path: Path) -> None:
    server.fail(Reply(body=STALE_WEBENV), times=1)
    summary = summary_of(kg_fetch(server, tmp_path, "-q", QUERY, "--json"))
    assert summary["pmids_fetched"] == 8 and len(server.requests("efetch.fcgi")) == 2

    server.fail(Reply(body=b"<ERROR>Empty result - nothing to do</ERROR>"))
    result = kg_fetch(server, tmp_path / "other", "-q", QUERY, "--attempts", "2")
    assert result.exit_code == 1
    assert "efetch batch 0-7 failed after 2 attempts: NCBI error: Empty result - nothing to do" in result.stderr


def test_history_limit_is_reported(server: FakeEutils, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "HISTORY_LIMIT", 5)
    result = kg_fetch(server, tmp_path, "-q", QUERY, "--json")
    assert summary_of(result)["total"] == 5
    assert "matches 8 records but PubMed E-utilities return only the first 5" in result.stderr


def test_a_cache_name_of_another_request_or_batch_size_is_refused(server: FakeEutils, tmp_path: Path) -> None:
    assert kg_fetch(server, tmp_path, "-q", QUERY, "--name", "mine").exit_code == 0
    other = kg_fetch(server, tmp_path, "-q", "warfarin", "--name", "mine")
    assert other.exit_code == 1 and "belongs to another request (query 'CYP2D6 AND codeine')" in other.stderr
    resized = kg_fetch(server, tmp_path, "-q", QUERY, "--name", "mine", "--batch-size", "3")
    assert resized.exit_code == 1 and "was fetched with --batch-size 200" in resized.stderr

    server.hits.clear()
    restarted = summary_of(kg_fetch(server, tmp_path, "-q", QUERY, "--name", "mine", "--batch-size", "3",
                                    "--restart", "--json"))
    assert restarted["fetched_batches"] == [0, 3, 6]
    assert sorted(p.name for p in tmp_path.glob("mine-*.xml")) == ["mine-000000.xml", "mine-000003.xml",
                                                                   "mine-000006.xml"]


def test_growing_max_refetches_the_short_last_batch(server: FakeEutils, tmp_path: Path) -> None:
    summary_of(kg_fetch(server, tmp_path, "-q", QUERY, "--batch-size", "3", "--max", "4", "--name", "m", "--json"))
    server.hits.clear()
    summary = summary_of(kg_fetch(server, tmp_path, "-q", QUERY, "--batch-size", "3", "--name", "m", "--json"))
    assert summary["skipped_batches"] == [0] and summary["fetched_batches"] == [3, 6]
    assert pmids_in(summary["files"]) == server.result


@pytest.mark.parametrize("args, message", [
    ((), "give either --query or --pmids"),
    (("-q", "x", "--pmids", __file__), "give either --query or --pmids"),
    (("-q", "x", "--mindate", "2020-01-01"), "expected YYYY, YYYY/MM or YYYY/MM/DD"),
    (("-q", "x", "--batch-size", "10001"), "10001 is not in the range"),
])
def test_usage_errors(server: FakeEutils, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = kg_fetch(server, tmp_path, *args)
    assert result.exit_code == 2 and message in result.stderr
    assert server.hits == []


def test_a_single_date_bound_is_completed(server: FakeEutils, tmp_path: Path) -> None:
    assert kg_fetch(server, tmp_path, "-q", QUERY, "--mindate", "2015/06").exit_code == 0
    params = server.requests("esearch.fcgi")[0].params
    assert (params["mindate"], params["maxdate"], params["datetype"]) == ("2015/06", "3000", "pdat")
