"""``kg fetch``: download PubMed XML through NCBI E-utilities into a resumable cache directory, or NCBI's bulk
baseline and update files (``--baseline``, ``--updates``)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click
from tqdm import tqdm

from extractors.eutils import (
    DEFAULT_BASE_URL,
    DEFAULT_BATCH_SIZE,
    DEFAULT_CACHE_DIR,
    MAX_BATCH_SIZE,
    CacheError,
    EutilsClient,
    EutilsError,
    Fetcher,
    FetchSummary,
    RetryPolicy,
    read_pmid_file,
)
from extractors.eutils.bulk import BASELINE, DEFAULT_BULK_DIR, DEFAULT_BULK_URL, UPDATES, BulkDownloader, BulkError
from extractors.eutils.client import DEFAULT_ATTEMPTS, DEFAULT_TIMEOUT
from kg.commands.common import echo_json, json_option

_DATE = re.compile(r"^\d{4}(/(0[1-9]|1[0-2])(/(0[1-9]|[12]\d|3[01]))?)?$")
OPEN_MINDATE, OPEN_MAXDATE = "1800", "3000"  # NCBI needs both bounds; these stand for "no bound"


def _check_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not _DATE.match(value):
        raise click.BadParameter("expected YYYY, YYYY/MM or YYYY/MM/DD")
    return value


@click.command()
@click.option("--query", "-q", help="PubMed query, e.g. 'CYP2D6 AND codeine'.")
@click.option("--baseline", is_flag=True, help="Download NCBI's annual baseline files (pubmedYYnNNNN.xml.gz, ~1,300).")
@click.option("--updates", is_flag=True, help="Download NCBI's daily update files (after the baseline's).")
@click.option("--max-files", type=click.IntRange(min=1), help="--baseline/--updates: at most N files (in order).")
@click.option("--bulk-url", envvar="NCBI_PUBMED_URL", default=DEFAULT_BULK_URL, show_default=True,
              help="--baseline/--updates: the folder holding baseline/ and updatefiles/ [env NCBI_PUBMED_URL].")
@click.option("--pmids", "pmid_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="File of PMIDs to fetch: one per line, '#' comments and blank lines ignored.")
@click.option("--mindate", callback=_check_date, help="Earliest date (YYYY[/MM[/DD]]), with --query.")
@click.option("--maxdate", callback=_check_date, help="Latest date (YYYY[/MM[/DD]]), with --query.")
@click.option("--datetype", type=click.Choice(["pdat", "edat", "mdat"]), default="pdat", show_default=True,
              help="Date that --mindate/--maxdate apply to: publication, Entrez or modification date.")
@click.option("--max", "max_records", type=click.IntRange(min=1), help="Fetch at most N records.")
@click.option("--batch-size", type=click.IntRange(1, MAX_BATCH_SIZE), default=DEFAULT_BATCH_SIZE,
              show_default=True, help="Records per efetch request (and per cache file).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=f"Cache directory [default: {DEFAULT_CACHE_DIR}; {DEFAULT_BULK_DIR} with --baseline/--updates].")
@click.option("--name", help="Prefix of the cache files [default: from the query or PMID file, plus a hash].")
@click.option("--gzip", "compress", is_flag=True, help="Write the batches gzip-compressed (.xml.gz).")
@click.option("--restart", is_flag=True, help="Discard what is cached for this request and fetch it all again.")
@click.option("--base-url", envvar="NCBI_EUTILS_URL", default=DEFAULT_BASE_URL, show_default=True,
              help="E-utilities base URL [env NCBI_EUTILS_URL].")
@click.option("--attempts", type=click.IntRange(1, 50), default=DEFAULT_ATTEMPTS, show_default=True,
              help="Attempts per request before giving up.")
@click.option("--timeout", type=click.FloatRange(min=1), default=DEFAULT_TIMEOUT, show_default=True,
              help="Seconds to wait for one response.")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr [default: on a terminal].")
@json_option
def fetch(query: str | None, baseline: bool, updates: bool, max_files: int | None, bulk_url: str,
          pmid_file: Path | None, mindate: str | None, maxdate: str | None, datetype: str,
          max_records: int | None, batch_size: int, out_dir: Path | None, name: str | None, compress: bool,
          restart: bool, base_url: str, attempts: int, timeout: float, progress: bool | None, as_json: bool) -> None:
    """Download PubMed XML through NCBI E-utilities (esearch + efetch) into a resumable cache.

    \b
    kg fetch --query "CYP2D6 AND codeine" --mindate 2015 --max 1000
    kg fetch --pmids pmids.txt --gzip
    kg fetch --baseline --updates --out medkg-data/pubmed

    Re-running the same command fetches only the batches still missing. NCBI_API_KEY raises the rate
    limit from 3 to 10 requests/s; NCBI_EMAIL is sent as the contact address.

    --baseline and --updates download NCBI's bulk files with their published MD5 checksums: a file is kept
    only once its checksum matched, a partial one is resumed (HTTP Range) by the next run, complete ones are
    skipped. `kg ingest OUT` then reads them in order (baseline, then updates).
    """
    if baseline or updates:
        if query is not None or pmid_file is not None:
            raise click.UsageError("--baseline/--updates download whole files: not with --query or --pmids")
        _fetch_bulk([f for f, wanted in ((BASELINE, baseline), (UPDATES, updates)) if wanted], max_files,
                    out_dir or DEFAULT_BULK_DIR, bulk_url, attempts, timeout, as_json)
        return
    if max_files is not None:
        raise click.UsageError("--max-files applies to --baseline/--updates")
    if (query is None) == (pmid_file is None):
        raise click.UsageError("give either --query or --pmids (or --baseline/--updates)")
    if pmid_file is not None and (mindate or maxdate):
        raise click.UsageError("--mindate/--maxdate apply to --query only")
    client = EutilsClient.from_env(base_url, retry=RetryPolicy(attempts=attempts), timeout=timeout,
                                   on_retry=_note)
    fetcher = Fetcher(client, out_dir or DEFAULT_CACHE_DIR, batch_size=batch_size, compress=compress, restart=restart,
                      progress=progress)
    try:
        if query is not None:
            summary = fetcher.fetch_query(
                query, datetype=datetype, max_records=max_records, name=name,
                mindate=mindate or (OPEN_MINDATE if maxdate else None),
                maxdate=maxdate or (OPEN_MAXDATE if mindate else None),
            )
        else:
            assert pmid_file is not None
            pmids = read_pmid_file(pmid_file)
            summary = fetcher.fetch_pmids(pmids, max_records=max_records, name=name, label=pmid_file.stem)
    except (EutilsError, CacheError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    for warning in summary.warnings:
        click.echo(f"warning: {warning}", err=True)
    if as_json:
        echo_json(summary.to_json())
    else:
        _echo_summary(summary)


def _fetch_bulk(folders: list[str], max_files: int | None, out_dir: Path, base_url: str, attempts: int,
                timeout: float, as_json: bool) -> None:
    def done(name: str, size: int) -> None:
        if not as_json:
            _note(f"{name}: {size:,} bytes, MD5 checked")

    try:
        with BulkDownloader(out_dir, base_url=base_url, retry=RetryPolicy(attempts=attempts), timeout=timeout,
                            on_retry=_note, on_file=done) as downloader:
            summary = downloader.fetch(folders, max_files=max_files)
    except (BulkError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        echo_json({"out_dir": str(out_dir), "folders": folders, **summary.as_dict()})
    else:
        click.echo(f"{len(summary.listed)} files in {', '.join(folders)}: {len(summary.downloaded)} downloaded "
                   f"({summary.bytes:,} bytes, {len(summary.resumed)} resumed), {len(summary.skipped)} already "
                   f"complete, in {out_dir}")


def _note(message: str) -> None:
    tqdm.write(message, file=sys.stderr)


def _echo_summary(summary: FetchSummary) -> None:
    what = f"query {summary.query!r}: {summary.count} records" if summary.query else f"{summary.count} PMIDs"
    click.echo(f"{what}, {summary.total} asked for")
    click.echo(f"fetched {len(summary.fetched_batches)} batches ({summary.pmids_fetched} citations), "
               f"{len(summary.skipped_batches)} already cached")
    click.echo(f"{len(summary.files)} files with {summary.pmids_cached} PMIDs in {summary.out_dir} "
               f"(manifest {summary.manifest.name})")
    if summary.missing_pmids:
        shown = ", ".join(summary.missing_pmids[:10]) + (", …" if len(summary.missing_pmids) > 10 else "")
        click.echo(f"missing: {shown}")
