"""NCBI E-utilities: a rate-limited, retrying client (:mod:`.client`) and a resumable cache of PubMed XML
batches (:mod:`.cache`) behind ``kg fetch``."""

from extractors.eutils.cache import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_CACHE_DIR,
    BatchRecord,
    CacheError,
    Fetcher,
    FetchSummary,
    Manifest,
    read_pmid_file,
)
from extractors.eutils.client import (
    DEFAULT_BASE_URL,
    HISTORY_LIMIT,
    MAX_BATCH_SIZE,
    ArticleBatch,
    BadResponse,
    EutilsClient,
    EutilsError,
    History,
    RateLimiter,
    RetryPolicy,
    SearchResult,
    parse_article_set,
    parse_esearch,
)

__all__ = [
    "DEFAULT_BASE_URL", "DEFAULT_BATCH_SIZE", "DEFAULT_CACHE_DIR", "HISTORY_LIMIT", "MAX_BATCH_SIZE",
    "ArticleBatch", "BadResponse", "BatchRecord", "CacheError", "EutilsClient", "EutilsError", "FetchSummary",
    "Fetcher", "History", "Manifest", "RateLimiter", "RetryPolicy", "SearchResult", "parse_article_set",
    "parse_esearch", "read_pmid_file",
]
