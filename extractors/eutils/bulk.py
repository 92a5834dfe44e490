"""NCBI's bulk PubMed files: the annual baseline and the daily update files, downloaded resumably and checked.

``https://ftp.ncbi.nlm.nih.gov/pubmed/baseline/`` holds ``pubmedYYnNNNN.xml.gz`` (~1,300 files of ~30,000
citations each, renewed every December) and ``…/updatefiles/`` the daily files that continue the numbering; next
to each file NCBI publishes ``<file>.md5`` (``MD5(pubmed26n0001.xml.gz)= <hex>``). :class:`BulkDownloader` lists a
directory (NCBI's HTML index), and for each file not yet complete downloads it into ``<file>.part``, resuming a
partial one with an HTTP ``Range`` request, checks it against the published MD5, and only then renames it into
place and keeps its ``.md5`` beside it — so a file with its ``.md5`` is complete, and a rerun skips it without a
request. Transfer failures (connection errors, timeouts, a body cut short, HTTP 429/5xx) are retried with the
backoff of :class:`~extractors.eutils.client.RetryPolicy`, each attempt continuing from the bytes on disk; a
checksum mismatch discards the partial file and starts it again; a 404 or another 4xx fails at once. The HTTP
client is httpx (streamed bodies, timeouts, HTTP/1.1 keep-alive to one host).

File names sort in NCBI's order, so ``kg ingest DIR`` reads the baseline, then the updates, in the order that
makes their revisions and ``DeleteCitation`` records come out right.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import httpx

from extractors.eutils.client import RetryPolicy, parse_retry_after

DEFAULT_BULK_URL = "https://ftp.ncbi.nlm.nih.gov/pubmed/"
BASELINE, UPDATES = "baseline", "updatefiles"
DEFAULT_BULK_DIR = Path("medkg-data/pubmed")
CHUNK = 1 << 20
USER_AGENT = "medkg-bulk/1 (httpx)"
T = TypeVar("T")
_FILE = re.compile(r'href="(?:[^"]*/)?(pubmed\d{2}n\d{4}\.xml\.gz)"')
_MD5 = re.compile(r"^\s*(?:MD5\s*\(\s*(?P<name>[^)]+?)\s*\)\s*=\s*(?P<a>[0-9a-fA-F]{32})|(?P<b>[0-9a-fA-F]{32})"
                  r"(?:\s+\*?(?P<file>\S+))?)\s*$")


class BulkError(RuntimeError):
    """A listing or a file could not be had; the message names the URL and why."""


class _Retry(Exception):
    """An attempt failed in a way that a later attempt may not."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def parse_listing(html: str) -> list[str]:
    """The ``pubmedYYnNNNN.xml.gz`` names of an NCBI directory index, sorted, each once."""
    return sorted(set(_FILE.findall(html)))


def parse_md5(text: str, name: str) -> str:
    """The checksum in a ``.md5`` file, in NCBI's ``MD5(name)= hex`` form or md5sum's ``hex  name``; a file
    naming another file than ``name`` is refused."""
    match = _MD5.match(text.strip())
    if match is None:
        raise BulkError(f"{name}.md5: not a checksum file: {text[:120]!r}")
    named = match.group("name") or match.group("file")
    if named is not None and Path(named).name != name:
        raise BulkError(f"{name}.md5 is the checksum of {named}, not of {name}")
    return (match.group("a") or match.group("b")).lower()


def md5_of(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


@dataclass(slots=True)
class BulkSummary:
    """What one run did, per file name."""

    listed: list[str] = field(default_factory=list)
    downloaded: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)  # downloaded, continuing a partial file of an earlier attempt
    skipped: list[str] = field(default_factory=list)  # complete before this run
    bytes: int = 0  # transferred in this run

    def as_dict(self) -> dict[str, object]:
        return {"listed": len(self.listed), "downloaded": self.downloaded, "resumed": self.resumed,
                "skipped": len(self.skipped), "bytes": self.bytes}


class BulkDownloader:
    """Downloads the files of NCBI's ``baseline/`` and ``updatefiles/`` into ``out_dir`` (module docstring).

    ``base_url``: the folder above both (NCBI's, or a mirror's); ``on_retry`` is told about each retry and
    ``on_file`` about each file as it completes (for a progress display)."""

    def __init__(self, out_dir: Path, *, base_url: str = DEFAULT_BULK_URL, retry: RetryPolicy | None = None,
                 timeout: float = 120.0, on_retry: Callable[[str], None] | None = None,
                 on_file: Callable[[str, int], None] | None = None, sleep: Callable[[float], None] = time.sleep,
                 client: httpx.Client | None = None) -> None:
        self.out_dir = out_dir
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.retry = retry or RetryPolicy()
        self.on_retry = on_retry
        self.on_file = on_file
        self._sleep = sleep
        self._client = client or httpx.Client(timeout=timeout, follow_redirects=True,
                                              headers={"User-Agent": USER_AGENT})

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> BulkDownloader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- runs ----------------------------------------------------------------------------------------------
    def fetch(self, folders: Iterable[str], max_files: int | None = None) -> BulkSummary:
        """Every file of ``folders`` (``baseline``, ``updatefiles``) in order, at most ``max_files`` of them."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        summary = BulkSummary()
        todo = [(folder, name) for folder in folders for name in self.list(folder)]
        for folder, name in todo[:max_files]:
            summary.listed.append(name)
            if self.is_complete(name):
                summary.skipped.append(name)
                continue
            resumed, transferred = self.download(folder, name)
            summary.downloaded.append(name)
            summary.bytes += transferred
            if resumed:
                summary.resumed.append(name)
            if self.on_file is not None:
                self.on_file(name, transferred)
        return summary

    def list(self, folder: str) -> list[str]:
        url = f"{self.base_url}{folder}/"
        names = parse_listing(self._attempts(f"listing {url}", lambda: self._get_text(url)))
        if not names:
            raise BulkError(f"the listing of {url} names no pubmedYYnNNNN.xml.gz file")
        return names

    def is_complete(self, name: str) -> bool:
        """A file whose checksum matched when it was downloaded (its ``.md5`` is kept only then)."""
        return (self.out_dir / name).is_file() and (self.out_dir / f"{name}.md5").is_file()

    def download(self, folder: str, name: str) -> tuple[bool, int]:
        """Download one file and check it; whether it continued a partial file, and the bytes transferred."""
        url = f"{self.base_url}{folder}/{name}"
        md5_text = self._attempts(f"{url}.md5", lambda: self._get_text(f"{url}.md5"))
        expected = parse_md5(md5_text, name)
        part = self.out_dir / f"{name}.part"
        resumed = part.exists() and part.stat().st_size > 0
        transferred = 0

        def attempt() -> None:
            nonlocal transferred
            transferred += self._get_to(url, part)
            actual = md5_of(part)
            if actual != expected:
                part.unlink()
                raise _Retry(f"MD5 {actual} is not the published {expected}; downloading it again")

        self._attempts(url, attempt)
        os.replace(part, self.out_dir / name)
        (self.out_dir / f"{name}.md5").write_text(md5_text, encoding="utf-8")  # the file is complete now
        return resumed, transferred

    # ---- HTTP ----------------------------------------------------------------------------------------------
    def _attempts(self, what: str, call: Callable[[], T]) -> T:
        attempts = max(self.retry.attempts, 1)
        for n in range(1, attempts + 1):
            try:
                return call()
            except _Retry as exc:
                if n == attempts:
                    raise BulkError(f"{what}: failed after {attempts} attempts: {exc}") from None
                delay = self.retry.delay(n, exc.retry_after)
                if self.on_retry is not None:
                    self.on_retry(f"{what}: {exc}; retry {n}/{attempts - 1} in {delay:.1f} s")
                self._sleep(delay)
        raise AssertionError("unreachable")

    def _get_text(self, url: str) -> str:
        try:
            response = self._client.get(url)
        except httpx.TransportError as exc:
            raise _Retry(f"{type(exc).__name__}: {exc}") from None
        self._check_status(url, response)
        return response.text

    def _get_to(self, url: str, part: Path) -> int:
        """Append the rest of ``url`` to ``part`` (a Range request when it has bytes); the bytes received."""
        have = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        received = 0
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                if response.status_code == 416:  # nothing after what we have: checked (and redone) by the caller
                    return 0
                self._check_status(url, response)
                if have and response.status_code != 206:  # the server sent the whole file: start over
                    have = 0
                elif have and not response.headers.get("Content-Range", "").startswith(f"bytes {have}-"):
                    raise BulkError(f"{url}: asked for bytes {have}- and got Content-Range "
                                    f"{response.headers.get('Content-Range')!r}")
                with open(part, "ab" if have else "wb") as out:
                    for block in response.iter_raw():  # as received: a cut transfer keeps every byte that came
                        out.write(block)
                        received += len(block)
        except httpx.TransportError as exc:  # cut connection, timeout, a body shorter than its Content-Length
            raise _Retry(f"{type(exc).__name__} after {received:,} bytes: {exc}") from None
        return received

    @staticmethod
    def _check_status(url: str, response: httpx.Response) -> None:
        status = response.status_code
        if status in (200, 206):
            return
        if status == 429 or status >= 500:
            raise _Retry(f"HTTP {status}", parse_retry_after(response.headers.get("Retry-After")))
        raise BulkError(f"{url}: HTTP {status}")
