"""EutilsClient against the loopback server: parameters, rate limiting, retries, error documents."""

from __future__ import annotations

import email.utils
import time
from pathlib import Path

import pytest

from extractors.eutils import (
    BadResponse,
    EutilsClient,
    EutilsError,
    History,
    RateLimiter,
    RetryPolicy,
    parse_article_set,
    parse_esearch,
)
from extractors.eutils.client import parse_retry_after, redact
from tests.eutils.conftest import CLOSED_PORT_URL
from tests.eutils.fake_eutils import STALE_WEBENV, FakeEutils, Reply

pytestmark = pytest.mark.timeout(60)


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in zip(times, times[1:], strict=False)]


# -- parameters ---------------------------------------------------------------------------------------------


def test_esearch_then_efetch_sends_the_expected_parameters(server: FakeEutils) -> None:
    client = EutilsClient(server.url, email="dev@example.org")
    search = client.esearch("CYP2D6 AND codeine", mindate="2015", maxdate="2020/06", retmax=500)
    assert search.count == len(server.result) == 8
    assert search.ids == tuple(server.result)
    assert search.history == History(server.webenv, "1")

    batches = list(client.efetch_batches(total=search.count, batch_size=3, history=search.history))
    assert [b.start for b in batches] == [0, 3, 6]
    assert [p for b in batches for p in b.pmids] == server.result

    (es,) = server.requests("esearch.fcgi")
    assert es.method == "GET"
    assert es.params == {"db": "pubmed", "term": "CYP2D6 AND codeine", "retmax": "500", "usehistory": "y",
                         "datetype": "pdat", "mindate": "2015", "maxdate": "2020/06", "tool": "medkg",
                         "email": "dev@example.org"}
    fetches = server.requests("efetch.fcgi")
    assert [(h.params["retstart"], h.params["retmax"]) for h in fetches] == [("0", "3"), ("3", "3"), ("6", "2")]
    for hit in fetches:
        assert hit.params["WebEnv"] == search.history.webenv and hit.params["query_key"] == "1"
        assert (hit.params["db"], hit.params["rettype"], hit.params["retmode"]) == ("pubmed", "abstract", "xml")
        assert hit.params["tool"] == "medkg" and "api_key" not in hit.params


def test_efetch_by_ids_is_a_post_and_a_real_file_comes_back_verbatim(server: FakeEutils, entrez_dir: Path) -> None:
    batch = EutilsClient(server.url).efetch(start=0, size=2, ids=["12091962", "9997"])
    assert batch.pmids == ("12091962", "9997")
    assert batch.data == (entrez_dir / "pubmed1.xml").read_bytes()
    (hit,) = server.requests("efetch.fcgi")
    assert hit.method == "POST" and hit.params["id"] == "12091962,9997" and "WebEnv" not in hit.params


def test_from_env_reads_base_url_key_and_email(monkeypatch: pytest.MonkeyPatch, server: FakeEutils) -> None:
    monkeypatch.setenv("NCBI_EUTILS_URL", server.url)
    monkeypatch.setenv("NCBI_API_KEY", "secret-key")
    monkeypatch.setenv("NCBI_EMAIL", "me@example.org")
    client = EutilsClient.from_env()
    client.esearch("x")
    (hit,) = server.requests("esearch.fcgi")
    assert hit.params["api_key"] == "secret-key" and hit.params["email"] == "me@example.org"
    assert client.base_url == server.url


# -- rate limiting ------------------------------------------------------------------------------------------


@pytest.mark.real_rate
def test_requests_without_a_key_are_at_least_a_third_of_a_second_apart(server: FakeEutils) -> None:
    client = EutilsClient(server.url)
    search = client.esearch("biopython")
    list(client.efetch_batches(total=3, batch_size=1, history=search.history))
    times = [h.time for h in server.hits]
    assert len(times) == 4
    assert min(gaps(times)) >= 1 / 3, gaps(times)


@pytest.mark.real_rate
def test_an_api_key_allows_ten_requests_per_second(server: FakeEutils) -> None:
    client = EutilsClient(server.url, api_key="k")
    for _ in range(4):
        client.esearch("biopython")
    spacing = gaps([h.time for h in server.hits])
    assert min(spacing) >= 0.1, spacing
    assert max(spacing) < 1 / 3, spacing  # faster than the keyless limit
    assert all(h.params["api_key"] == "k" for h in server.hits)


def test_rate_limiter_spaces_calls_with_a_fake_clock() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))
        now[0] += seconds

    limiter = RateLimiter(4.0, margin=0.0, clock=lambda: now[0], sleep=sleep)
    limiter.wait()
    limiter.wait()
    now[0] += 1.0  # idle for a while: no wait
    limiter.wait()
    limiter.wait()
    assert slept == [0.25, 0.25]


# -- retries ------------------------------------------------------------------------------------------------


def test_retry_on_429_then_500_then_success_honours_retry_after(server: FakeEutils) -> None:
    server.fail(Reply(429, b'{"error":"API rate limit exceeded"}', {"Retry-After": "1"}), times=1)
    server.fail(Reply(500, b"Internal Server Error"), times=1)
    notes: list[str] = []
    client = EutilsClient(server.url, on_retry=notes.append)
    batch = client.efetch(start=0, size=2, ids=["12091962", "9997"])

    assert batch.pmids == ("12091962", "9997")
    fetches = server.requests("efetch.fcgi")
    assert len(fetches) == 3
    first, second = gaps([h.time for h in fetches])
    assert first >= 1.0  # Retry-After: 1 outweighs the (test-short) backoff
    assert second < 1.0
    assert len(notes) == 2 and "HTTP 429" in notes[0] and "API rate limit exceeded" in notes[0]
    assert "HTTP 500" in notes[1] and "efetch batch 0-1" in notes[1]


def test_gives_up_after_the_last_attempt_naming_request_and_url(server: FakeEutils) -> None:
    server.fail(Reply(503, b"Service Unavailable"))
    client = EutilsClient(server.url, api_key="secret", retry=RetryPolicy(attempts=3))
    with pytest.raises(EutilsError) as info:
        client.efetch(start=200, size=200, history=History("MCID_x", "1"))
    message = str(info.value)
    assert "efetch batch 200-399 failed after 3 attempts: HTTP 503" in message
    assert server.url + "efetch.fcgi?" in message and "retstart=200" in message
    assert "secret" not in message and "api_key=***" in message
    assert len(server.requests("efetch.fcgi")) == 3


def test_a_client_error_is_not_retried(server: FakeEutils) -> None:
    server.fail(Reply(400, b"Bad Request: invalid parameter"), endpoint="esearch.fcgi")
    with pytest.raises(EutilsError, match=r"esearch 'x' failed: HTTP 400 .*invalid parameter"):
        EutilsClient(server.url).esearch("x")
    assert len(server.hits) == 1


def test_connection_errors_are_retried_then_reported() -> None:
    client = EutilsClient(CLOSED_PORT_URL, retry=RetryPolicy(attempts=2, backoff=0.01), timeout=5)
    with pytest.raises(EutilsError, match=r"esearch 'x' failed after 2 attempts: connection failed"):
        client.esearch("x")


@pytest.mark.parametrize("reply", [
    Reply(body=STALE_WEBENV),
    Reply(body=b'<?xml version="1.0" encoding="UTF-8" ?>\n<ERROR>Empty result - nothing to do</ERROR>\n'),
    Reply(body=b"<html><body>Proxy error</body></html>"),
], ids=["eFetchResult-ERROR", "ERROR", "html"])
def test_error_documents_are_retried(server: FakeEutils, reply: Reply) -> None:
    server.fail(reply, times=1)
    notes: list[str] = []
    batch = EutilsClient(server.url, on_retry=notes.append).efetch(start=0, size=1, ids=["29963580"])
    assert batch.pmids == ("29963580",)
    assert len(server.requests("efetch.fcgi")) == 2
    assert len(notes) == 1


def test_an_error_document_that_persists_fails_with_its_text(server: FakeEutils) -> None:
    server.fail(Reply(body=STALE_WEBENV))
    with pytest.raises(EutilsError, match="NCBI error: Cannot retrieve query from history"):
        EutilsClient(server.url, retry=RetryPolicy(attempts=2)).efetch(start=0, size=1, ids=["29963580"])


def test_an_esearch_error_is_retried(server: FakeEutils) -> None:
    error = b"<eSearchResult><ERROR>Search Backend failed: temporarily unavailable</ERROR></eSearchResult>"
    server.fail(Reply(body=error), endpoint="esearch.fcgi", times=1)
    assert EutilsClient(server.url).esearch("x").count == 8
    assert len(server.hits) == 2


def test_truncated_responses_are_retried(server: FakeEutils, entrez_dir: Path) -> None:
    real = (entrez_dir / "pubmed4.xml").read_bytes()
    server.fail(Reply(body=real[: len(real) // 2]), times=1)  # well-formed HTTP, XML cut short
    server.fail(Reply(body=real[:1000], declared_length=len(real)), times=1)  # connection cut short
    notes: list[str] = []
    batch = EutilsClient(server.url, on_retry=notes.append).efetch(start=0, size=1, ids=["27797938"])
    assert batch.pmids == ("27797938",)
    assert "malformed PubMed XML" in notes[0]
    assert "connection failed" in notes[1]


def test_an_empty_history_batch_is_a_bad_response(server: FakeEutils) -> None:
    server.fail(Reply(body=server.article_set([])), times=1)
    client = EutilsClient(server.url)
    search = client.esearch("x")
    assert client.efetch(start=0, size=2, history=search.history).pmids == ("12091962", "9997")
    assert len(server.requests("efetch.fcgi")) == 2


# -- units --------------------------------------------------------------------------------------------------


def test_parse_esearch_on_real_responses(entrez_dir: Path) -> None:
    plain = parse_esearch((entrez_dir / "esearch1.xml").read_bytes())
    assert plain.count == 63 and len(plain.ids) == 20 and plain.ids[0] == "41282813" and plain.history is None
    history = parse_esearch((entrez_dir / "esearch2.xml").read_bytes())
    assert history.count == 42249 and len(history.ids) == 100
    assert history.history == History("MCID_6927d6e7fee3e90f880ec190", "1")
    assert "neoplasms" in history.query_translation


def test_parse_esearch_reports_phrase_not_found_as_a_warning() -> None:
    data = (b"<eSearchResult><Count>0</Count><RetMax>0</RetMax><RetStart>0</RetStart><IdList/>"
            b"<ErrorList><PhraseNotFound>zzqqx</PhraseNotFound></ErrorList></eSearchResult>")
    result = parse_esearch(data)
    assert result.count == 0 and result.warnings == ("PhraseNotFound: zzqqx",)


def test_parse_article_set_on_real_efetch_outputs(entrez_dir: Path) -> None:
    assert parse_article_set((entrez_dir / "pubmed2.xml").read_bytes()) == ("11748933", "11700088")
    with pytest.raises(BadResponse, match="expected a PubmedArticleSet, got <pmc-articleset>"):
        parse_article_set((entrez_dir / "efetch_pmc.xml").read_bytes())
    with pytest.raises(BadResponse, match="got <eSearchResult>"):
        parse_article_set((entrez_dir / "esearch1.xml").read_bytes())


def test_retry_after_and_backoff() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    now = time.time()
    assert parse_retry_after(email.utils.formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30, abs=1)
    policy = RetryPolicy(attempts=5, backoff=1.0, max_delay=5.0, max_retry_after=60.0)
    assert [policy.delay(n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 5.0]
    assert policy.delay(1, retry_after=10.0) == 10.0 and policy.delay(1, retry_after=600.0) == 60.0


def test_redact_hides_the_key_and_shortens_id_lists() -> None:
    ids = ",".join(str(n) for n in range(10_000, 10_100))
    shown = redact("https://x/efetch.fcgi", [("id", ids), ("api_key", "abc")], post=True)
    assert shown.startswith("POST https://x/efetch.fcgi id=10000,10001,") and shown.endswith(" (100 ids)")
    assert "abc" not in shown
