"""``kg serve``: the HTTP interface (FastAPI on uvicorn) over a read-only store."""

from __future__ import annotations

import logging
import os
import re
import threading

import click

from kg.commands.common import store_options
from kg.config import StoreConfig


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on (0.0.0.0: all).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--cypher-timeout", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
              help="Seconds a /cypher query may run.")
@click.option("--cypher-max-rows", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Rows a /cypher answer may hold (more are cut, and the answer says so).")
@click.option("--refresh-every", type=click.FloatRange(min=0), default=5.0, show_default=True,
              help="Seconds between looks for writes committed to an embedded store since it was opened; answers "
                   "see them within this delay.")
@click.option("--warm/--no-warm", default=True, show_default=True,
              help="Read the symptom-ranking statistics (and the LM with --rerank-warm) at start, not on the first "
                   "question.")
@click.option("--rerank-warm", is_flag=True,
              help="Also load the language model and embed the phenotype names at start.")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN",
              help="Let browser pages from ORIGIN (e.g. https://app.example.org; '*' for any) call the API; "
                   "repeatable. Off by default: no CORS headers are sent.")
@store_options
def serve(host: str, port: int, cypher_timeout: float, cypher_max_rows: int, refresh_every: float, warm: bool,
          rerank_warm: bool, cors_origins: tuple[str, ...], store_config: StoreConfig) -> None:
    """Serve the graph over HTTP: /v1/symptoms, /v1/drugs-for-gene, /v1/patient, /v1/evidence, /v1/cypher,
    /v1/health (OpenAPI docs at /docs and /redoc, served from this process: they work offline).

    The store is opened read-only. Set MEDKG_API_TOKEN to require 'Authorization: Bearer <token>' on every
    request. Request bodies and query strings are never logged (they may describe patients).
    """
    import uvicorn

    from kg.api import TOKEN_ENV, ApiSettings, StoreAccess, create_app

    token = os.environ.get(TOKEN_ENV)
    if token is not None and not token.strip():
        raise click.UsageError(f"{TOKEN_ENV} is set but empty: set it to a secret token, or unset it to serve "
                               "without authentication")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    access = StoreAccess(store_config, refresh_s=refresh_every)
    for origin in cors_origins:
        if origin != "*" and not re.fullmatch(r"https?://[^/\s]+", origin):
            raise click.BadParameter(f"{origin!r} is not an origin: give scheme://host[:port] (no path), or '*'",
                                     param_hint="--cors-origin")
    settings = ApiSettings(token=token or None, cypher_timeout_s=cypher_timeout,
                           cypher_max_rows=cypher_max_rows, cors_origins=tuple(dict.fromkeys(cors_origins)))
    app = create_app(access, settings)
    if warm:
        threading.Thread(target=_warm, args=(access, rerank_warm), daemon=True, name="warm").start()
    click.echo(f"medkg API on http://{host}:{port} (docs: /docs) over {store_config.describe()}"
               + ("; bearer token required" if settings.token else "")
               + (f"; CORS for {', '.join(settings.cors_origins)}" if settings.cors_origins else ""))
    try:
        uvicorn.run(app, host=host, port=port, access_log=False, log_level="info")
    finally:
        access.close()


def _warm(access: object, rerank: bool) -> None:
    """Build the per-store ranker (and reranker) before the first question; failures surface on that question."""
    from kg.api import StoreAccess, _reranker
    from kg.store import StoreError
    from queries.symptoms import SymptomRanker

    assert isinstance(access, StoreAccess)
    log = logging.getLogger("medkg.api")
    try:
        with access.use() as store:
            access.meta(store)  # the graph version every answer carries
            ranker = access.cached("symptoms", SymptomRanker)
            if ranker.stats.n_diseases:
                ranker.lexicon.nearest("fever")  # builds the fuzzy-match index
        if rerank:  # outside the store lock: questions are answered while the language model loads
            access.built("symptoms_rerank", lambda: _reranker(ranker))
        log.info("ready: %d diseases with phenotypes", ranker.stats.n_diseases)
    except StoreError as exc:
        log.warning("could not warm up: %s", exc)
