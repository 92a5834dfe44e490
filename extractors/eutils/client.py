"""NCBI E-utilities client: ``esearch`` on the history server and batched ``efetch`` of PubMed XML.

Every request goes through one rate limiter (NCBI allows 3 requests/s, 10 with an API key) and one retry
loop: HTTP 429 and 5xx, connection failures and responses that do not check out (an ``<ERROR>`` document
served with status 200, a truncated download, anything that is not a PubmedArticleSet) are retried with
exponential backoff, waiting at least what ``Retry-After`` asks; other HTTP errors fail at once. A request
that fails for good raises :class:`EutilsError` naming the request and its URL (without the API key).
"""

from __future__ import annotations

import email.utils
import gzip
import http.client
import io
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from lxml import etree

from extractors.readers import ReadError, parse_pubmed_xml, xml_root
from kg.schema import Document

DEFAULT_BASE_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
TOOL = "medkg"
RATE_WITHOUT_KEY = 3.0  # requests per second allowed by NCBI without an API key
RATE_WITH_KEY = 10.0
RATE_MARGIN = 0.02  # seconds added to every interval: NCBI counts arrivals, and the network adds jitter
DEFAULT_ATTEMPTS = 5
DEFAULT_BACKOFF = 1.0  # seconds before the first retry, doubled for each further one
MAX_DELAY = 60.0
MAX_RETRY_AFTER = 300.0  # a longer Retry-After is cut to this, so that a run stays bounded
DEFAULT_TIMEOUT = 120.0
MAX_BATCH_SIZE = 10_000  # efetch's largest retmax
HISTORY_LIMIT = 10_000  # PubMed E-utilities give only the first 10,000 records of a search
USER_AGENT = "medkg-eutils/1 (python urllib)"
_SNIPPET = 200

T = TypeVar("T")


class EutilsError(RuntimeError):
    """A request failed for good: after its last attempt, or with an error that retrying cannot fix."""


class BadResponse(Exception):
    """One attempt failed in a way that a later attempt may not (retried by :meth:`EutilsClient.call`)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class _Fatal(Exception):
    """One attempt failed in a way that retrying cannot fix (e.g. HTTP 400)."""


@dataclass(frozen=True, slots=True)
class History:
    """Where a result set is kept on NCBI's history server (expires after hours of inactivity)."""

    webenv: str
    query_key: str


@dataclass(frozen=True, slots=True)
class SearchResult:
    count: int
    ids: tuple[str, ...]  # in the order PubMed returns them, at most the retmax asked for
    history: History | None
    query_translation: str = ""
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ArticleBatch:
    """One efetch response that parsed as a PubmedArticleSet: its bytes and the PMIDs of its citations."""

    start: int
    data: bytes
    pmids: tuple[str, ...]


class RateLimiter:
    """Spaces the starts of successive requests by at least ``1/rate`` seconds (plus a small margin)."""

    def __init__(
        self,
        rate: float,
        margin: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate + (RATE_MARGIN if margin is None else margin)
        self._clock = clock
        self._sleep = sleep
        self._next = float("-inf")

    def wait(self) -> None:
        now = self._clock()
        if now < self._next:
            self._sleep(self._next - now)
            now = max(self._clock(), self._next)
        self._next = now + self.interval


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = DEFAULT_ATTEMPTS
    backoff: float = field(default_factory=lambda: DEFAULT_BACKOFF)
    max_delay: float = MAX_DELAY
    max_retry_after: float = MAX_RETRY_AFTER

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        delay = min(self.backoff * 2 ** (attempt - 1), self.max_delay)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.max_retry_after))
        return delay


class EutilsClient:
    """A rate-limited, retrying client for the E-utilities that medkg needs (esearch and efetch on PubMed).

    ``tool`` and ``email`` identify the caller as NCBI asks; ``api_key`` raises the allowed rate.
    ``on_retry`` is told about each retry (for a progress display); it is never told about success.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        api_key: str | None = None,
        email: str | None = None,
        tool: str = TOOL,
        rate: float | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        on_retry: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.api_key = api_key
        self.email = email
        self.tool = tool
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.on_retry = on_retry
        self._sleep = sleep
        self.limiter = RateLimiter(rate or (RATE_WITH_KEY if api_key else RATE_WITHOUT_KEY), sleep=sleep)
        self._opener = urllib.request.build_opener()

    @classmethod
    def from_env(
        cls, base_url: str | None = None, environ: Mapping[str, str] | None = None, **kwargs: object
    ) -> EutilsClient:
        """A client configured by ``NCBI_EUTILS_URL``, ``NCBI_API_KEY`` and ``NCBI_EMAIL``."""
        env = os.environ if environ is None else environ
        return cls(
            base_url or env.get("NCBI_EUTILS_URL") or DEFAULT_BASE_URL,
            api_key=env.get("NCBI_API_KEY") or None,
            email=env.get("NCBI_EMAIL") or None,
            **kwargs,  # type: ignore[arg-type]
        )

    # -- E-utilities ------------------------------------------------------------------------------------

    def esearch(
        self,
        term: str,
        *,
        db: str = "pubmed",
        mindate: str | None = None,
        maxdate: str | None = None,
        datetype: str = "pdat",
        retmax: int = HISTORY_LIMIT,
        usehistory: bool = True,
    ) -> SearchResult:
        params: dict[str, object] = {"db": db, "term": term, "retmax": retmax}
        if usehistory:
            params["usehistory"] = "y"
        if mindate or maxdate:
            params.update(datetype=datetype, mindate=mindate, maxdate=maxdate)
        return self.call("esearch.fcgi", params, parse_esearch, what=f"esearch {term!r}")

    def efetch(
        self,
        *,
        start: int,
        size: int,
        history: History | None = None,
        ids: Sequence[str] | None = None,
        db: str = "pubmed",
    ) -> ArticleBatch:
        """One batch of PubMed XML: ``size`` records from ``start`` of a history result set, or ``ids``
        (sent by POST, so that long lists fit). The response must parse as a PubmedArticleSet."""
        if (history is None) == (ids is None):
            raise ValueError("efetch needs either a history result set or a list of ids")
        params: dict[str, object] = {"db": db, "rettype": "abstract", "retmode": "xml"}
        if history is not None:
            params.update(WebEnv=history.webenv, query_key=history.query_key, retstart=start, retmax=size)
        else:
            params["id"] = ",".join(ids or ())
        what = f"efetch batch {start}-{start + size - 1}"

        def check(data: bytes) -> ArticleBatch:
            pmids = parse_article_set(data, source=what)
            if not pmids and history is not None:
                raise BadResponse("empty PubmedArticleSet for a non-empty batch of the result set")
            return ArticleBatch(start, data, pmids)

        return self.call("efetch.fcgi", params, check, post=ids is not None, what=what)

    def efetch_batches(
        self,
        *,
        total: int,
        batch_size: int,
        history: History | None = None,
        ids: Sequence[str] | None = None,
        starts: Iterable[int] | None = None,
    ) -> Iterator[ArticleBatch]:
        """Batches of ``batch_size`` records covering ``total`` (or only those beginning at ``starts``)."""
        for start in range(0, total, batch_size) if starts is None else starts:
            size = min(batch_size, total - start)
            batch_ids = None if ids is None else ids[start : start + size]
            yield self.efetch(start=start, size=size, history=history, ids=batch_ids)

    # -- requests ---------------------------------------------------------------------------------------

    def call(
        self,
        endpoint: str,
        params: Mapping[str, object],
        check: Callable[[bytes], T],
        *,
        post: bool = False,
        what: str = "request",
    ) -> T:
        """Send one request (rate-limited, retried) and return what ``check`` makes of the response body;
        ``check`` raises :class:`BadResponse` for a body that a later attempt may get right."""
        url = self.base_url + endpoint
        fields = self._fields(params)
        shown = redact(url, fields, post)
        attempts = max(self.retry.attempts, 1)
        for attempt in range(1, attempts + 1):
            self.limiter.wait()
            try:
                return check(self._send(url, fields, post))
            except _Fatal as exc:
                raise EutilsError(f"{what} failed: {exc} [{shown}]") from None
            except BadResponse as exc:
                if attempt == attempts:
                    raise EutilsError(f"{what} failed after {attempts} attempts: {exc} [{shown}]") from None
                delay = self.retry.delay(attempt, exc.retry_after)
                if self.on_retry is not None:
                    self.on_retry(f"{what}: {exc}; retry {attempt}/{attempts - 1} in {delay:.1f} s")
                self._sleep(delay)
        raise AssertionError("unreachable")

    def _fields(self, params: Mapping[str, object]) -> list[tuple[str, str]]:
        fields = [(k, str(v)) for k, v in params.items() if v is not None]
        fields.append(("tool", self.tool))
        if self.email:
            fields.append(("email", self.email))
        if self.api_key:
            fields.append(("api_key", self.api_key))
        return fields

    def _send(self, url: str, fields: list[tuple[str, str]], post: bool) -> bytes:
        query = urllib.parse.urlencode(fields)
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}
        if post:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            request = urllib.request.Request(url, data=query.encode("ascii"), headers=headers, method="POST")
        else:
            request = urllib.request.Request(f"{url}?{query}", headers=headers)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                data = response.read()
                encoding = response.headers.get("Content-Encoding", "")
        except urllib.error.HTTPError as exc:
            raise _status_error(exc) from None
        except (OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise BadResponse(f"connection failed: {reason!s} ({type(exc).__name__})") from None
        if encoding.lower() == "gzip":
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError, zlib.error) as exc:
                raise BadResponse(f"corrupt gzip response: {exc}") from None
        return data


def _status_error(exc: urllib.error.HTTPError) -> Exception:
    try:
        body = exc.read()
    except (OSError, http.client.HTTPException):
        body = b""
    message = f"HTTP {exc.code} {exc.reason}" + (f": {snippet(body)}" if body.strip() else "")
    if exc.code == 429 or exc.code >= 500:
        return BadResponse(message, parse_retry_after(exc.headers.get("Retry-After") if exc.headers else None))
    return _Fatal(message)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds asked for by a ``Retry-After`` header: a number of seconds or an HTTP date."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)


def redact(url: str, fields: list[tuple[str, str]], post: bool) -> str:
    """The request as shown in messages: the API key hidden, long id lists cut, POST bodies marked."""
    shown, note = [], ""
    for key, value in fields:
        if key == "api_key":
            value = "***"
        elif key == "id" and len(value) > 60:
            note = f" ({value.count(',') + 1} ids)"
            value = value[:40].rsplit(",", 1)[0] + ",..."
        shown.append((key, value))
    query = urllib.parse.urlencode(shown, safe=",*.")
    return (f"POST {url} {query}" if post else f"{url}?{query}") + note


def snippet(data: bytes, limit: int = _SNIPPET) -> str:
    text = " ".join(data.decode("utf-8", "replace").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- response checks --------------------------------------------------------------------------------------

_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


def parse_esearch(data: bytes) -> SearchResult:
    """An ``eSearchResult``; an ``<ERROR>`` in it (or as the root) is a BadResponse."""
    try:
        root = etree.fromstring(data, _XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise BadResponse(f"esearch response is not XML ({exc}): {snippet(data)}") from None
    error = error_message(root)
    if error is not None:
        raise BadResponse(f"NCBI error: {error}")
    if root.tag != "eSearchResult":
        raise BadResponse(f"unexpected esearch response <{root.tag}>: {snippet(data)}")
    count = (root.findtext("Count") or "").strip()
    if not count.isdigit():
        raise BadResponse(f"esearch response without a Count: {snippet(data)}")
    ids = tuple(text.strip() for el in root.iterfind("IdList/Id") if (text := el.text) and text.strip())
    webenv, query_key = (root.findtext("WebEnv") or "").strip(), (root.findtext("QueryKey") or "").strip()
    warnings = tuple(
        f"{item.tag}: {' '.join(item.itertext()).strip()}"
        for item in (*root.iterfind("ErrorList/*"), *root.iterfind("WarningList/*"))
    )
    return SearchResult(
        count=int(count),
        ids=ids,
        history=History(webenv, query_key) if webenv and query_key else None,
        query_translation=(root.findtext("QueryTranslation") or "").strip(),
        warnings=warnings,
    )


def error_message(root: etree._Element) -> str | None:
    """Text of an E-utilities error document: a root ``<ERROR>`` or an ``<ERROR>`` child of the root."""
    if root.tag == "ERROR":
        return " ".join(root.itertext()).strip() or "(empty ERROR)"
    child = root.find("ERROR")
    if child is not None:
        return " ".join(child.itertext()).strip() or "(empty ERROR)"
    return None


def parse_article_set(data: bytes, source: str = "efetch") -> tuple[str, ...]:
    """PMIDs of the citations in an efetch response, read with the project's PubMed reader.

    Raises BadResponse unless the whole response is a well-formed ``PubmedArticleSet``: an error document
    (``<ERROR>``, ``<eFetchResult><ERROR>``), another root, or any problem the reader reports (a download
    cut short shows up as a syntax error at its end).
    """
    root = xml_root(data[: 1 << 14])
    if root in ("ERROR", "eFetchResult"):
        try:
            message = error_message(etree.fromstring(data, _XML_PARSER))
        except etree.XMLSyntaxError:
            message = None
        raise BadResponse(f"NCBI error: {message or snippet(data)}")
    if root != "PubmedArticleSet":
        what = f"<{root}>" if root else "not XML"
        raise BadResponse(f"expected a PubmedArticleSet, got {what}: {snippet(data)}")
    pmids: list[str] = []
    for record in parse_pubmed_xml(io.BytesIO(data), source):
        if isinstance(record, ReadError):
            raise BadResponse(f"malformed PubMed XML: {record}")
        if isinstance(record, Document):
            pmids.append(record.pmid)
    return tuple(pmids)
