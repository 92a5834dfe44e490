"""A resumable on-disk cache of efetch batches, described by a JSON manifest.

Layout of the cache directory for one request named ``NAME``::

    NAME.manifest.json      what was asked (query or PMID list), the result count, the completed batches
    NAME-000000.xml[.gz]    records 0 .. batch_size-1: a PubmedArticleSet as NCBI sent it
    NAME-000200.xml[.gz]    ...

Each file is written under a temporary name and renamed, the batch before the manifest, so an interrupted
run leaves at worst a batch that the manifest does not list yet (it is fetched again next time). A batch
is complete only once it parsed as a PubmedArticleSet (see :func:`~extractors.eutils.client.parse_article_set`).

A history-server WebEnv expires, so resuming a query re-runs esearch and fetches the missing batches at
their offsets (retstart) in the new result set. When the results changed in between, completed batches are
kept as they are: the summary says that the count changed, and lists the PMIDs of the current results that
no batch holds, which ``--restart`` (or a ``--pmids`` fetch of those) recovers.
"""

from __future__ import annotations

import contextlib
import datetime
import gzip
import hashlib
import json
import os
import re
import secrets
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from extractors.eutils.client import HISTORY_LIMIT, ArticleBatch, EutilsClient, EutilsError

MANIFEST_VERSION = 1
DEFAULT_BATCH_SIZE = 200
DEFAULT_CACHE_DIR = Path("medkg-data") / "cache"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_PMID = re.compile(r"^(?:PMID:?\s*)?(\d{1,9})$", re.IGNORECASE)

FetchOne = Callable[[int, int], ArticleBatch]


class CacheError(ValueError):
    """The cache cannot serve this request as it stands (made for another request, another batch size...)."""


@dataclass(slots=True)
class BatchRecord:
    start: int
    size: int  # records asked for; a batch asked for fewer than the current run needs is fetched again
    file: str  # relative to the cache directory
    pmids: list[str]


@dataclass(slots=True)
class Manifest:
    name: str
    identity: dict[str, Any]  # what was asked, independent of any WebEnv
    batch_size: int
    count: int = 0  # records matching the request at the last run
    total: int = 0  # records asked for at the last run (count, cut by --max and the history limit)
    expected_pmids: list[str] | None = None  # sorted PMIDs of the query's first ``total`` results, if known
    batches: dict[int, BatchRecord] = field(default_factory=dict)
    created: str = ""
    updated: str = ""
    version: int = MANIFEST_VERSION

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["batches"] = [asdict(b) for _, b in sorted(self.batches.items())]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        if data.get("version") != MANIFEST_VERSION:
            raise CacheError(f"unsupported manifest version {data.get('version')!r}")
        batches = {int(b["start"]): BatchRecord(**b) for b in data.get("batches", [])}
        return cls(**{**data, "batches": batches})

    @classmethod
    def load(cls, path: Path) -> Manifest | None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            return cls.from_json(json.loads(text))
        except (ValueError, TypeError, KeyError) as exc:
            raise CacheError(f"{path} is not a usable manifest ({exc}); remove it or use --restart") from exc

    def save(self, path: Path) -> None:
        self.updated = _now()
        self.created = self.created or self.updated
        atomic_write(path, _dumps(self.to_json()).encode("utf-8"))


@dataclass(slots=True)
class FetchSummary:
    """What one run did; ``to_json`` is what ``kg fetch --json`` prints."""

    name: str
    out_dir: Path
    manifest: Path
    query: str | None
    count: int
    total: int
    files: list[Path] = field(default_factory=list)
    fetched_batches: list[int] = field(default_factory=list)
    skipped_batches: list[int] = field(default_factory=list)
    pmids_fetched: int = 0  # citations received in this run
    pmids_cached: int = 0  # distinct PMIDs in the batches of this request
    missing_pmids: list[str] = field(default_factory=list)  # asked for but in no batch
    previous_count: int | None = None  # the count of the earlier run, when the results changed since
    warnings: list[str] = field(default_factory=list)

    @property
    def count_changed(self) -> bool:
        return self.previous_count is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "query": self.query,
            "count": self.count,
            "total": self.total,
            "out_dir": str(self.out_dir),
            "manifest": str(self.manifest),
            "files": [str(f) for f in self.files],
            "fetched_batches": self.fetched_batches,
            "skipped_batches": self.skipped_batches,
            "pmids_fetched": self.pmids_fetched,
            "pmids_cached": self.pmids_cached,
            "missing_pmids": self.missing_pmids,
            "count_changed": self.count_changed,
            "previous_count": self.previous_count,
            "warnings": self.warnings,
        }


class Fetcher:
    """Fetches a query's results or a PMID list into the cache directory, batch by batch, resumably.

    ``progress``: True/False shows/hides a tqdm bar on stderr, None shows it only on a terminal.
    ``restart`` discards an existing manifest of the same name (and the batch files it lists).
    """

    def __init__(
        self,
        client: EutilsClient,
        out_dir: Path,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        compress: bool = False,
        restart: bool = False,
        progress: bool | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        self.client = client
        self.out_dir = Path(out_dir)
        self.batch_size = batch_size
        self.compress = compress
        self.restart = restart
        self.progress = progress

    # -- requests ---------------------------------------------------------------------------------------

    def fetch_query(
        self,
        term: str,
        *,
        mindate: str | None = None,
        maxdate: str | None = None,
        datetype: str = "pdat",
        max_records: int | None = None,
        name: str | None = None,
    ) -> FetchSummary:
        """esearch ``term`` on the history server, then efetch its first ``max_records`` results."""
        identity = query_identity(term, mindate, maxdate, datetype)
        manifest, path = self._open(name or default_name(term, identity), identity)
        limit = min(max_records or HISTORY_LIMIT, HISTORY_LIMIT)
        search = self.client.esearch(term, mindate=mindate, maxdate=maxdate, datetype=datetype, retmax=limit)
        total = min(search.count, limit)
        summary = self._summary(manifest, path, query=term, count=search.count, total=total)
        summary.warnings.extend(search.warnings)
        if search.count > limit and (max_records is None or max_records > HISTORY_LIMIT):
            summary.warnings.append(
                f"the query matches {search.count} records but PubMed E-utilities return only the first "
                f"{HISTORY_LIMIT}; split it into smaller queries, e.g. by --mindate/--maxdate ranges"
            )
        expected = sorted(search.ids[:total], key=int) if len(search.ids) >= total else None
        self._note_changes(manifest, summary, expected)
        manifest.expected_pmids = expected
        if total and search.history is None:
            raise EutilsError("esearch returned no WebEnv/QueryKey, so its results cannot be fetched")
        history = search.history
        return self._run(manifest, path, summary, expected,
                         lambda start, size: self.client.efetch(start=start, size=size, history=history))

    def fetch_pmids(
        self, pmids: Iterable[str], *, max_records: int | None = None, name: str | None = None, label: str = "pmids"
    ) -> FetchSummary:
        """efetch a list of PMIDs (sorted and deduplicated: the sorted list is the request's identity)."""
        ordered = sorted({p.strip() for p in pmids if p.strip()}, key=int)
        identity = pmid_identity(ordered)
        manifest, path = self._open(name or default_name(label, identity), identity)
        total = min(len(ordered), max_records or len(ordered))
        summary = self._summary(manifest, path, query=None, count=len(ordered), total=total)
        wanted = ordered[:total]
        return self._run(manifest, path, summary, wanted,
                         lambda start, size: self.client.efetch(start=start, size=size,
                                                                ids=wanted[start : start + size]))

    # -- the cache --------------------------------------------------------------------------------------

    def _open(self, name: str, identity: dict[str, Any]) -> tuple[Manifest, Path]:
        if not NAME_PATTERN.match(name):
            raise CacheError(f"invalid cache name {name!r}: use letters, digits, '.', '_' and '-'")
        path = self.out_dir / f"{name}.manifest.json"
        old = Manifest.load(path)
        if old is not None and self.restart:
            self._discard(old)
            old = None
        if old is None:
            return Manifest(name=name, identity=identity, batch_size=self.batch_size), path
        if old.identity != identity:
            raise CacheError(f"{path} belongs to another request ({describe(old.identity)}); choose another "
                             "--name or --out, or --restart to replace it")
        if old.batch_size != self.batch_size:
            raise CacheError(f"{path} was fetched with --batch-size {old.batch_size}; resume with that batch "
                             "size, or --restart to fetch everything again")
        return old, path

    def _discard(self, manifest: Manifest) -> None:
        for record in manifest.batches.values():
            with contextlib.suppress(FileNotFoundError):
                (self.out_dir / record.file).unlink()

    def _summary(self, manifest: Manifest, path: Path, *, query: str | None, count: int, total: int) -> FetchSummary:
        return FetchSummary(name=manifest.name, out_dir=self.out_dir, manifest=path, query=query,
                            count=count, total=total)

    @staticmethod
    def _note_changes(manifest: Manifest, summary: FetchSummary, expected: list[str] | None) -> None:
        """Say so when a resumed query now has other results than when its first batches were fetched."""
        if not manifest.batches:
            return
        old, new = manifest.expected_pmids, expected
        changed = manifest.count != summary.count
        if not changed and old is not None and new is not None and manifest.total == summary.total:
            changed = old != new  # as many results as before, but not the same ones
        if not changed:
            return
        summary.previous_count = manifest.count
        detail = ""
        if old is not None and new is not None:
            added, gone = len(set(new) - set(old)), len(set(old) - set(new))
            detail = f" ({added} PMIDs new among the records asked for, {gone} no longer there)"
        summary.warnings.append(
            f"the result count changed from {manifest.count} to {summary.count} since this cache was started"
            f"{detail}; the batches already fetched are kept and the others are fetched at their offsets in "
            "the new results, so records can be missing or repeated: see missing_pmids, or use --restart"
        )

    def _complete(self, manifest: Manifest, start: int, size: int) -> bool:
        record = manifest.batches.get(start)
        return record is not None and record.size == size and (self.out_dir / record.file).is_file()

    def _run(
        self, manifest: Manifest, path: Path, summary: FetchSummary, expected: Sequence[str] | None,
        fetch_one: FetchOne,
    ) -> FetchSummary:
        total, step = summary.total, manifest.batch_size
        starts = list(range(0, total, step))
        todo = [s for s in starts if not self._complete(manifest, s, min(step, total - s))]
        summary.skipped_batches = sorted(set(starts) - set(todo))
        manifest.count, manifest.total = summary.count, total
        self.out_dir.mkdir(parents=True, exist_ok=True)
        manifest.save(path)
        done = sum(min(step, total - s) for s in summary.skipped_batches)
        disable = None if self.progress is None else not self.progress
        with tqdm(total=total, initial=done, unit="rec", desc=manifest.name, file=sys.stderr,
                  disable=disable, dynamic_ncols=True) as bar:
            for start in todo:
                size = min(step, total - start)
                try:
                    batch = fetch_one(start, size)
                except EutilsError as exc:
                    kept = len(starts) - len(todo) + len(summary.fetched_batches)
                    raise EutilsError(f"{exc}\n{kept} of {len(starts)} batches are in {path.parent}; run the "
                                      "same command again to fetch the rest") from exc
                self._store(manifest, path, batch, size)
                summary.fetched_batches.append(start)
                summary.pmids_fetched += len(batch.pmids)
                bar.update(size)
        return self._finish(manifest, summary, starts, expected)

    def _store(self, manifest: Manifest, path: Path, batch: ArticleBatch, size: int) -> None:
        name = f"{manifest.name}-{batch.start:06d}.xml" + (".gz" if self.compress else "")
        data = gzip.compress(batch.data, mtime=0) if self.compress else batch.data
        atomic_write(self.out_dir / name, data)
        old = manifest.batches.get(batch.start)
        if old is not None and old.file != name:
            with contextlib.suppress(FileNotFoundError):
                (self.out_dir / old.file).unlink()
        manifest.batches[batch.start] = BatchRecord(batch.start, size, name, list(batch.pmids))
        manifest.save(path)

    def _finish(
        self, manifest: Manifest, summary: FetchSummary, starts: list[int], expected: Sequence[str] | None
    ) -> FetchSummary:
        records = [manifest.batches[s] for s in starts]
        summary.files = [self.out_dir / r.file for r in records]
        cached = {pmid for r in records for pmid in r.pmids}
        summary.pmids_cached = len(cached)
        if expected is not None:
            summary.missing_pmids = sorted(set(expected) - cached, key=int)
            if summary.missing_pmids:
                summary.warnings.append(f"{len(summary.missing_pmids)} PMIDs asked for are in no batch "
                                        "(deleted or unknown to PubMed, or the results changed)")
        return summary


# -- helpers ------------------------------------------------------------------------------------------------


def read_pmid_file(path: str | os.PathLike[str]) -> list[str]:
    """PMIDs of a text file: one per line (``PMID:`` prefix allowed), ``#`` starts a comment, blank lines
    are ignored. Returns them in file order, duplicates included; anything else is a CacheError."""
    pmids = []
    with open(path, encoding="utf-8-sig") as handle:
        for lineno, line in enumerate(handle, 1):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            match = _PMID.match(text)
            if not match or int(match.group(1)) == 0:
                raise CacheError(f"{path}, line {lineno}: not a PMID: {text!r}")
            pmids.append(str(int(match.group(1))))
    return pmids


def query_identity(term: str, mindate: str | None, maxdate: str | None, datetype: str) -> dict[str, Any]:
    dated = bool(mindate or maxdate)
    return {"db": "pubmed", "query": term, "mindate": mindate, "maxdate": maxdate,
            "datetype": datetype if dated else None}


def pmid_identity(sorted_pmids: Sequence[str]) -> dict[str, Any]:
    digest = hashlib.sha256(",".join(sorted_pmids).encode("ascii")).hexdigest()
    return {"db": "pubmed", "pmids_sha256": digest, "pmid_count": len(sorted_pmids)}


def default_name(label: str, identity: dict[str, Any]) -> str:
    """A readable, collision-safe cache name: a slug of ``label`` and a hash of the request's identity."""
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode("utf-8")).hexdigest()[:8]
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:40].strip("-") or "fetch"
    return f"{slug}-{digest}"


def describe(identity: dict[str, Any]) -> str:
    if identity.get("query") is not None:
        dates = f" {identity.get('mindate') or ''}..{identity.get('maxdate') or ''}" if identity.get("datetype") else ""
        return f"query {identity['query']!r}{dates}"
    return f"a list of {identity.get('pmid_count')} PMIDs"


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # mode as the umask allows, unlike mkstemp
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _dumps(manifest: dict[str, Any]) -> str:
    """JSON with one line per field and per batch: readable, yet small for thousands of PMIDs."""
    lines = []
    for key, value in manifest.items():
        if key == "batches" and value:
            body = "[\n" + ",\n".join(f"  {json.dumps(b, ensure_ascii=False)}" for b in value) + "\n ]"
        else:
            body = json.dumps(value, ensure_ascii=False)
        lines.append(f" {json.dumps(key)}: {body}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
