"""The HTTP interface (``kg serve``): the query operations of the CLI as a FastAPI app, over a read-only store.

Endpoints (OpenAPI at ``/openapi.json``, browsable at ``/docs`` and ``/redoc``), all under ``/v1``:

* ``GET|POST /v1/symptoms`` — free-text symptoms or HPO CURIEs → ranked diseases (``rerank`` adds the LM rerank);
* ``GET|POST /v1/drugs-for-gene`` — a gene (CURIE, symbol, star allele) → drugs, with typed paths and evidence;
* ``POST /v1/patient`` — symptoms, history, current drugs, genotype → differential, treatments, risk flags;
* ``GET /v1/evidence`` — an edge's aggregate and supporting sentences, by ``edge_key`` or subject/predicate/object;
* ``POST /v1/cypher`` — read-only Cypher with parameters (values travel as parameters, never spliced into the
  text); writes are refused, a timeout and a row limit are enforced;
* ``GET /v1/health`` — whether the store answers, and its node/relationship counts;
* ``POST /v1/query`` — one-hop TRAPI 1.5 for Translator clients: a query graph of two nodes and one edge (Biolink
  categories and predicates) → ``knowledge_graph`` and ``results`` (:mod:`queries.trapi`).

The unversioned paths of earlier releases (``/symptoms``, ``/drugs-for-gene``, ``/patient``, ``/evidence``,
``/cypher``) answer exactly as their ``/v1`` path, with ``Deprecation: true`` and a ``Link: </v1/…>;
rel="successor-version"`` header, and are left out of the schema; ``/health`` stays as a liveness path.

Contract. Every 200 answer is typed by a model of :mod:`queries.answers` (the same models the CLI's ``--json``
uses) and carries ``meta``: the medkg version, the backend, the graph's version (a hash of its counts per label
and type, its last write where known, the pipeline versions recorded on its publications) and the models the
answer used (HPO release, reranker). PMIDs are CURIEs (``PMID:123``) and edges name their ends ``subject`` /
``object``. Ranked lists come a page at a time: ``offset`` and ``limit`` (at most 100; ``top`` is the deprecated
name of ``limit``), and ``page`` tells ``returned``, ``total`` (where known) and ``next_offset`` (null on the last
page). ``/v1/cypher`` rows hold no engine internals: nodes are ``{"labels", "properties"}``, relationships
``{"type", "properties"}``, paths ``{"nodes", "relationships"}``.

Errors are JSON objects ``{"error": <kind>, "detail": <message>, ...}``, declared as such in the schema: 400 for a
refused or invalid query (``query_too_large`` when it, its parameters or its answer exceed the server's bounds),
401 for a missing/wrong token (on every path, ``/docs`` and ``/openapi.json`` included), 413 for a body over 2 MiB
(both decided before the body is read, see :mod:`kg.api_gate`), 404 for an unknown edge (with ``edge_key``), 422
for malformed input (with ``problems``: each field and what is wrong with it), 503 when the store cannot be
reached, 504 when a query ran out of time. Text that the ranker does not recognise is not an error: the answer
lists it with its closest terms.

Browsers: CORS is off unless origins are given (``kg serve --cors-origin``); its middleware sits outside the gate,
so that a preflight (which carries no token) is answered. ``/docs`` and ``/redoc`` load Swagger UI and ReDoc from
``/docs-assets`` (the files of the fastapi-offline package): nothing is fetched from another host.

Warm-up: ``kg serve`` reads the ranking statistics and the graph version at start, in the background (and the
reranker's language model with ``--rerank-warm``); the language model is always loaded outside the store lock
(:meth:`StoreAccess.built`), so that the first ``rerank`` question holds up no other request.

Privacy: request bodies and query strings are never logged (``kg serve`` turns uvicorn's access log off and logs
method, path and status only), and nothing is written to the store.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import fastapi_offline
from fastapi import Depends, FastAPI, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from kg.api_gate import DEFAULT_MAX_BODY_BYTES, RequestGate
from kg.config import StoreConfig
from kg.schema import edge_key as make_edge_key
from kg.schema import split_edge_key
from kg.store import GraphStore, QueryTimeout, QueryTooLarge, StoreError, StoreUnavailable, WriteRefused, open_store
from kg.store.cypher_help import EXAMPLES, PORTABLE_RULES, with_hint
from kg.store.embedded_readers import store_version
from queries.answers import (
    API_VERSION,
    CypherAnswer,
    CypherExamplesAnswer,
    ErrorBody,
    EvidenceAnswer,
    GeneDrugsAnswer,
    GraphVersion,
    HealthAnswer,
    InvalidRequest,
    Meta,
    PatientAnswer,
    SymptomsAnswer,
    UnknownEdge,
    cypher_value,
    edge_summary,
    graph_version,
    medkg_version,
    page_of,
)
from queries.evidence_summary import MAX_EVIDENCE, summarize_edge
from queries.trapi import TrapiAnswer, TrapiQuery, UnsupportedQuery, one_hop_cypher, trapi_response

TOKEN_ENV = "MEDKG_API_TOKEN"
_BEARER = HTTPBearer(auto_error=False)
log = logging.getLogger("medkg.api")
MEDKG_VERSION = medkg_version()
RERANKER_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


@dataclass(slots=True)
class ApiSettings:
    token: str | None = None  # bearer token every request must carry (None: open)
    cypher_timeout_s: float = 5.0
    cypher_max_rows: int = 1000
    max_top: int = 100
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    cors_origins: tuple[str, ...] = ()  # origins a browser may call from (none: no CORS headers at all)


class StoreAccess:
    """The store behind the app: opened read-only on first use (and again after it went away), one query at a time
    on the embedded engine, and the per-store rankers (their statistics take seconds to build) kept for reuse.

    An embedded connection keeps the snapshot it opened, so every ``refresh_s`` at most the store's files are
    looked at (:func:`store_version`) and, when a writer has committed since, a fresh connection replaces the old
    one (and the rankers are rebuilt on it): answers see committed writes within ``refresh_s`` seconds."""

    def __init__(self, config: StoreConfig | None = None, store: GraphStore | None = None, *,
                 refresh_s: float = 5.0, graph_ttl_s: float = 60.0) -> None:
        if config is None and store is None:
            raise ValueError("give a store configuration or an open store")
        self.config = config
        self.refresh_s = refresh_s
        self._store = store
        self._owned = store is None
        self._lock = threading.RLock()
        self._embedded_lock = threading.RLock()
        self._cache: dict[str, Any] = {}
        self._build_locks: dict[str, threading.Lock] = {}
        self._readers: Any = None  # EmbeddedReaderPool, started on the first /cypher on an embedded store
        self._version: tuple[int, ...] = ()  # store_version() when the embedded store was opened
        self._checked_at = 0.0
        self._reopening = False
        self.graph_ttl_s = graph_ttl_s
        self._graph: GraphVersion | None = None  # Neo4j's graph version, and when it was read
        self._graph_at = 0.0
        self._graph_refreshing = False

    def read_cypher(self, cypher: str, params: dict[str, Any], *, timeout_s: float, max_rows: int) -> list[Any]:
        """User Cypher: on the embedded engine in killable reader processes (never behind the store lock)."""
        with self.use() as store:
            if store.backend != "embedded":
                return store.read_cypher(cypher, params, timeout_s=timeout_s, max_rows=max_rows)
            with self._lock:
                if self._readers is None:
                    from kg.store.embedded_readers import EmbeddedReaderPool, ReaderLimits

                    self._readers = EmbeddedReaderPool(store.location, ReaderLimits(timeout_s=timeout_s))
                readers = self._readers
        return readers.read_cypher(cypher, params, timeout_s=timeout_s, max_rows=max_rows)

    @contextmanager
    def use(self) -> Iterator[GraphStore]:
        self._refresh_if_stale()
        store = self._current()
        # The embedded engine gets one query at a time; the Neo4j driver is thread-safe.
        with self._embedded_lock if store.backend == "embedded" else contextlib.nullcontext():
            if store.backend == "embedded":
                store = self._current()  # a fresher snapshot may have replaced it while this request waited
            try:
                yield store
            except StoreUnavailable:
                self._drop()
                raise

    def _current(self) -> GraphStore:
        with self._lock:
            if self._store is None:
                assert self.config is not None
                version = self._embedded_version()
                self._store = open_store(self.config, read_only=True)  # StoreUnavailable → 503
                self._version, self._checked_at = version, time.monotonic()
                self._cache.clear()
            return self._store

    def _embedded_version(self) -> tuple[int, ...]:
        if self.config is None or self.config.backend != "embedded":
            return ()
        return store_version(self.config.db_path)

    def _refresh_if_stale(self) -> None:
        """Replace the embedded connection by a fresh one when a writer committed since it opened (looked at every
        ``refresh_s``). The new one is opened outside the lock, so requests go on being answered from the old
        snapshot meanwhile; the old one is closed once no request uses it."""
        with self._lock:
            if (not self._owned or self._store is None or self._store.backend != "embedded" or self._reopening
                    or time.monotonic() - self._checked_at < self.refresh_s):
                return
            self._checked_at = time.monotonic()
            version = self._embedded_version()
            if version == self._version:
                return
            self._reopening = True
        try:
            assert self.config is not None
            fresh = open_store(self.config, read_only=True)
        except StoreUnavailable as exc:  # e.g. a writer holds it right now: keep answering from the open snapshot
            log.info("store changed but could not be reopened yet (%s); answering from the open snapshot", exc)
            return
        finally:
            with self._lock:
                self._reopening = False
        with self._lock:
            old, self._store, self._version = self._store, fresh, version
            self._cache.clear()
        log.info("store changed on disk: reopened it read-only")
        if old is not None:
            with self._embedded_lock:
                old.close()

    def recent_health(self) -> dict[str, Any] | None:
        """:meth:`health`'s answer if it is at hand without waiting (counted on this snapshot, checked for changes
        less than ``refresh_s`` ago), else None."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            fresh = self._store is not None and time.monotonic() - self._checked_at < self.refresh_s
            return dict(self._cache["health"]) if fresh and "health" in self._cache else None
        finally:
            self._lock.release()

    def health(self) -> dict[str, Any]:
        """Whether the store answers, with its counts. On the embedded engine the counts are those of the open
        snapshot, counted once per snapshot: they change only when it is reopened, and /health then never waits
        behind the questions for the engine."""
        self._refresh_if_stale()
        with self._lock:
            if self._store is not None and "health" in self._cache:  # counted on the snapshot open now
                return dict(self._cache["health"])
        with self.use() as store:
            def count(store: GraphStore) -> dict[str, Any]:
                return {"status": "ok", "backend": store.backend, "location": store.location,
                        **self._stats(store), "meta": self.meta(store)}

            return dict(self.cached("health", count)) if store.backend == "embedded" else count(store)

    def meta(self, store: GraphStore | None = None, models: dict[str, str] | None = None) -> Meta:
        """The versions an answer carries: medkg's, the graph's (:meth:`graph`) and the given models'. With
        ``store`` (call inside :meth:`use`) the graph version is read if need be; without, the one at hand is
        used and the store is only waited for when there is none yet."""
        if store is None:
            with self._lock:
                store = self._store
                graph = self._cache.get("graph") if store is not None and store.backend == "embedded" \
                    else self._graph
            if graph is None or store is None:
                with self.use() as current:
                    return self.meta(current, models)
            backend = store.backend
        else:
            graph, backend = self.graph(store), store.backend
        return Meta(medkg_version=MEDKG_VERSION, backend=backend, graph=graph, models=dict(models or {}))

    def graph(self, store: GraphStore) -> GraphVersion:
        """The graph's version (counts hash, last write, pipelines); call inside :meth:`use`. On the embedded
        engine it is read once per snapshot; on Neo4j, which other clients may write to at any time, it is read
        again in the background when older than ``graph_ttl_s`` (answers meanwhile carry the previous one)."""
        if store.backend == "embedded":
            return self.cached("graph", lambda s: graph_version(s, stats=self._stats(s),
                                                                last_modified_ns=self._modified_ns(s)))
        with self._lock:
            graph = self._graph
            if graph is not None and time.monotonic() - self._graph_at >= self.graph_ttl_s \
                    and not self._graph_refreshing:
                self._graph_refreshing = True
                threading.Thread(target=self._refresh_graph, args=(store,), daemon=True,
                                 name="graph-version").start()
        if graph is None:
            graph = graph_version(store)
            with self._lock:
                self._graph, self._graph_at = graph, time.monotonic()
        return graph

    def _refresh_graph(self, store: GraphStore) -> None:
        try:
            graph = graph_version(store)
            with self._lock:
                self._graph, self._graph_at = graph, time.monotonic()
        except Exception:  # noqa: BLE001 - answers keep the previous version; the next stale one tries again
            log.info("could not read the graph version", exc_info=True)
        finally:
            with self._lock:
                self._graph_refreshing = False

    def _stats(self, store: GraphStore) -> dict[str, Any]:
        """Node and relationship counts (on the embedded engine once per snapshot)."""
        if store.backend == "embedded":
            return dict(self.cached("stats", lambda s: s.stats().as_dict()))
        return store.stats().as_dict()

    def _modified_ns(self, store: GraphStore) -> int | None:
        """When the embedded snapshot's files were last written (nanoseconds since the epoch)."""
        version = self._version if self._owned and self._version else store_version(store.location)
        return max(version[1::2], default=0) or None

    def built(self, name: str, build: Callable[[], Any]) -> Any:
        """A per-store object built once *without* holding the store or its locks (call outside :meth:`use`):
        for what takes long and reads nothing from the store, such as the reranker's language model (its first
        build took 103 s, and under the store lock every other request waited for it). Concurrent callers of one
        name wait for the one build; everyone else is answered meanwhile."""
        with self._lock:
            if name in self._cache:
                return self._cache[name]
            lock = self._build_locks.setdefault(name, threading.Lock())
        with lock:
            with self._lock:
                if name in self._cache:
                    return self._cache[name]
            value = build()
            with self._lock:
                self._cache[name] = value
            return value

    def cached(self, name: str, build: Callable[[GraphStore], Any]) -> Any:
        """A per-store object (ranker, reranker) built once; call inside :meth:`use`."""
        with self._lock:
            if name not in self._cache:
                assert self._store is not None
                self._cache[name] = build(self._store)
            return self._cache[name]

    def _drop(self) -> None:
        if self._owned and self._store is not None:
            try:
                self._store.close()
            except Exception:  # noqa: BLE001 - the store is already unreachable; reopen on the next request
                log.debug("closing an unreachable store failed", exc_info=True)
            self._store = None
            self._cache.clear()

    def close(self) -> None:
        with self._lock:
            if self._readers is not None:
                self._readers.close()
                self._readers = None
            if self._owned and self._store is not None:
                self._store.close()
                self._store = None


# ---- request bodies --------------------------------------------------------------------------------------
MAX_OFFSET = 5000
"""The deepest page start: a page is ranked with every answer before it (their paths and evidence are built too)."""
_DEPRECATED: dict[str, Any] = {"deprecated": True}
_TOP = "Deprecated: the same as limit."


class PageRequest(BaseModel):
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Answers to skip (the page's start).")
    limit: int | None = Field(None, ge=1, le=100, description="Answers on the page (default 10).")
    top: int | None = Field(None, ge=1, le=100, description=_TOP, json_schema_extra=_DEPRECATED)

    def page_limit(self) -> int:
        if self.limit is not None and self.top is not None and self.limit != self.top:
            raise ApiError(422, "invalid_request", f"limit ({self.limit}) and its deprecated name top ({self.top}) "
                                                   "differ: give limit only")
        return self.limit or self.top or 10


class SymptomsRequest(PageRequest):
    text: str = Field(min_length=1, max_length=5000, examples=["fever, productive cough, pleuritic chest pain"],
                      description='Free text ("fever, productive cough, no rash") or CURIEs '
                                  '("HP:0001945, -HP:0000988").')
    rerank: bool = Field(False, description="Rerank the graph candidates with the language model.")


class GeneDrugsRequest(PageRequest):
    gene: str = Field(min_length=1, max_length=200, examples=["CYP2D6"],
                      description="A gene CURIE (NCBIGene:1565), symbol (EGFR) or star allele (CYP2D6*10).")
    evidence: int = Field(2, ge=0, le=5, description="Supporting sentences per text-mined edge.")


class PatientRequest(BaseModel):
    symptoms: str = Field("", max_length=5000, examples=["fever, productive cough, no rash"])
    history: str = Field("", max_length=5000, description="Known conditions, comma-separated.", examples=["asthma"])
    drugs: str = Field("", max_length=5000, description="Current drugs, comma-separated.", examples=["codeine"])
    genotype: str = Field("", max_length=1000, description="Star alleles, comma-separated.", examples=["CYP2D6*10"])
    top: int = Field(10, ge=1, le=100, description="Diagnoses to list.")
    top_diseases: int = Field(3, ge=0, le=20, description="Best diagnoses to suggest treatments for.")
    treatments: int = Field(5, ge=1, le=50, description="Treatments per diagnosis.")


class CypherRequest(BaseModel):
    query: str = Field(min_length=1, max_length=20_000,
                       examples=["MATCH (d:Entity)-[r:has_phenotype]->(p:Entity) WHERE p.id = $id "
                                 "RETURN d.id AS disease, d.name AS name LIMIT 5"])
    parameters: dict[str, Any] = Field(default_factory=dict, examples=[{"id": "HP:0001945"}],
                                       description="Values for $names in the query.")
    max_rows: int | None = Field(None, ge=1, description="At most this many rows (capped by the server's limit).")


class ApiError(Exception):
    """An answer other than 200, with the JSON body ``{"error": error, "detail": detail, **extra}``."""

    def __init__(self, status: int, error: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.error, self.detail, self.extra = status, error, detail, extra


def _error(status: int, error: str, detail: str, **extra: Any) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": error, "detail": detail, **extra})


_ERRORS: dict[int, tuple[type[BaseModel], str]] = {
    400: (ErrorBody, "The query was refused or failed: write_refused (it writes), query_error (the store rejected "
                     "it), query_too_large (it, its parameters or its answer exceed the server's bounds)."),
    401: (ErrorBody, "unauthorized: no or a wrong bearer token (only when the server has one, MEDKG_API_TOKEN)."),
    404: (UnknownEdge, "unknown_edge: the store has no such edge."),
    413: (ErrorBody, "body_too_large: the request body is over the server's limit (2 MiB by default)."),
    422: (InvalidRequest, "invalid_request: malformed input; each invalid field is listed under problems."),
    503: (ErrorBody, "store_unavailable: the store cannot be reached."),
    504: (ErrorBody, "query_timeout: the query ran longer than the server allows and was stopped."),
}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route: the error bodies it may answer, as they really are."""
    return {code: {"model": _ERRORS[code][0], "description": _ERRORS[code][1]} for code in codes}


def _alias_of(successor: str) -> Any:
    """A dependency of an old, unversioned path: its answers say so (RFC 9745's Deprecation header)."""
    def mark(response: Response) -> None:
        response.headers["Deprecation"] = "true"
        response.headers["Link"] = f'<{successor}>; rel="successor-version"'

    return Depends(mark)


DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
"""Swagger UI and ReDoc (swagger-ui-bundle.js, swagger-ui.css, redoc.standalone.js, favicon.png), from the
fastapi-offline package: ``/docs`` and ``/redoc`` load nothing from another host."""


# ---- the app ---------------------------------------------------------------------------------------------
def create_app(access: StoreAccess, settings: ApiSettings | None = None) -> FastAPI:
    """The FastAPI app over ``access`` (see the module docstring for the endpoints)."""
    settings = settings or ApiSettings()

    # The token and the body-size limit are checked by RequestGate before any body is read; the bearer scheme
    # here only declares the security scheme in the OpenAPI document.
    app = FastAPI(title="medkg", version=MEDKG_VERSION, dependencies=[Depends(_BEARER)],
                  docs_url=None, redoc_url=None,
                  description="Questions to the medkg knowledge graph, with evidence. Read-only. Every answer "
                              "carries `meta`: the medkg, graph and model versions it was made with. The "
                              "unversioned paths of earlier releases (/symptoms, …) still answer, as deprecated "
                              "aliases of /v1/….")
    app.add_middleware(RequestGate, token=settings.token, max_body_bytes=settings.max_body_bytes, token_env=TOKEN_ENV)
    if settings.cors_origins:  # outside the gate: a browser's preflight carries no token
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"], max_age=600)
    app.state.access = access
    _answer_errors(app)
    route = _Router(app)
    _service_routes(route, access)
    _question_routes(route, access, settings)
    _graph_routes(app, route, access, settings)
    _documentation_routes(app)
    return app


def _answer_errors(app: FastAPI) -> None:
    """Every failure as the API's error body (:class:`queries.answers.ErrorBody`), with its status."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.error, exc.detail, **exc.extra)

    @app.exception_handler(StoreUnavailable)
    async def _unavailable(_: Request, exc: StoreUnavailable) -> JSONResponse:
        return _error(503, "store_unavailable", str(exc))

    @app.exception_handler(WriteRefused)
    async def _refused(_: Request, exc: WriteRefused) -> JSONResponse:
        return _error(400, "write_refused", str(exc))

    @app.exception_handler(QueryTooLarge)
    async def _too_large(_: Request, exc: QueryTooLarge) -> JSONResponse:
        return _error(400, "query_too_large", str(exc))

    @app.exception_handler(QueryTimeout)
    async def _timeout(_: Request, exc: QueryTimeout) -> JSONResponse:
        return _error(504, "query_timeout", str(exc))

    @app.exception_handler(StoreError)
    async def _store_error(_: Request, exc: StoreError) -> JSONResponse:
        return _error(400, "query_error", with_hint(str(exc)))  # with the portable way, for the common mistakes

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [{"where": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]} for e in exc.errors()]
        return _error(422, "invalid_request", "; ".join(f"{p['where']}: {p['problem']}" for p in problems),
                      problems=problems)


class _Router:
    """Adds an endpoint at ``/v1{path}`` and at ``path``, as an alias left out of the schema (the unversioned
    paths of earlier releases)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def __call__(self, path: str, methods: list[str], endpoint: Callable[..., Any], model: type[BaseModel],
                 errors: tuple[int, ...], tags: list[str | Enum], *, deprecate_alias: bool = True) -> None:
        common: dict[str, Any] = {"methods": methods, "response_model": model, "responses": _errors(*errors)}
        self.app.add_api_route(f"/{API_VERSION}{path}", endpoint, tags=tags, **common)
        alias = [_alias_of(f"/{API_VERSION}{path}")] if deprecate_alias else []
        self.app.add_api_route(path, endpoint, include_in_schema=False, dependencies=alias, **common)


_QUESTION_ERRORS = (400, 401, 413, 422, 503)


def _service_routes(route: _Router, access: StoreAccess) -> None:
    """/v1/health."""

    async def health() -> dict[str, Any]:
        """Whether the store answers, with its node and relationship counts."""
        # Answered on the event loop when the counts of the open snapshot are at hand: no thread, no engine.
        at_hand = access.recent_health()
        return at_hand if at_hand is not None else await run_in_threadpool(access.health)

    route("/health", ["GET"], health, HealthAnswer, (401, 503), ["service"], deprecate_alias=False)


def _question_routes(route: _Router, access: StoreAccess, settings: ApiSettings) -> None:
    """Symptoms → diseases, gene → drugs and patient profiles."""
    def run_symptoms(body: SymptomsRequest) -> dict[str, Any]:
        from queries.symptoms import SymptomRanker

        limit = min(body.page_limit(), settings.max_top)
        reranker = None
        if body.rerank:  # the language model is loaded outside the store lock: other requests go on meanwhile
            with access.use():
                ranker = access.cached("symptoms", SymptomRanker)
            reranker = access.built("symptoms_rerank", lambda: _reranker(ranker))
        with access.use() as store:
            ranker = access.cached("symptoms", SymptomRanker)
            answer = ranker.search(body.text, top=body.offset + limit + 1, reranker=reranker)  # +1: is there more?
            models = {"hpo": ranker.ontology.version} if ranker.ontology.version else {}
            if reranker is not None:
                models["reranker"] = RERANKER_MODEL
            meta = access.meta(store, models)
        answer["answers"], page = page_of(answer["answers"], body.offset, limit)
        return {**answer, "page": page, "meta": meta}

    def symptoms_post(body: SymptomsRequest) -> dict[str, Any]:
        """Symptoms → ranked diseases, with matched/missing symptoms, score parts and evidence.

        Symptoms that match no phenotype are listed under ``unrecognized`` with their closest terms."""
        return run_symptoms(body)

    def symptoms_get(text: Annotated[str, Query(min_length=1, max_length=5000)],
                     offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
                     limit: Annotated[int | None, Query(ge=1, le=100)] = None,
                     top: Annotated[int | None, Query(ge=1, le=100, description=_TOP, deprecated=True)] = None,
                     rerank: bool = False) -> dict[str, Any]:
        """Same as POST /v1/symptoms (prefer POST for patient data: URLs end up in proxies' logs)."""
        return run_symptoms(SymptomsRequest(text=text, offset=offset, limit=limit, top=top, rerank=rerank))

    route("/symptoms", ["POST"], symptoms_post, SymptomsAnswer, _QUESTION_ERRORS, ["questions"])
    route("/symptoms", ["GET"], symptoms_get, SymptomsAnswer, _QUESTION_ERRORS, ["questions"])

    # ---- gene → drugs
    def run_gene_drugs(body: GeneDrugsRequest) -> dict[str, Any]:
        from queries.gene_drugs import GeneDrugFinder, GeneDrugParams

        limit = min(body.page_limit(), settings.max_top)
        with access.use() as store:
            finder = access.cached(f"gene_drugs:{body.evidence}", lambda store: GeneDrugFinder(
                store, GeneDrugParams(evidence_per_edge=body.evidence)))
            answer = finder.search(body.gene, top=body.offset + limit).as_dict()
            meta = access.meta(store)
        answer["answers"], page = page_of(answer["answers"], body.offset, limit, total=answer["n_drugs"])
        return {**answer, "page": page, "meta": meta}

    def drugs_for_gene_post(body: GeneDrugsRequest) -> dict[str, Any]:
        """A gene → drugs whose action or risk it changes: typed, scored paths with their evidence, a page at a
        time (``offset``, ``limit``; ``n_drugs`` counts them all).

        A gene the store does not know is answered under ``unrecognized`` with the closest gene names."""
        return run_gene_drugs(body)

    def drugs_for_gene_get(gene: Annotated[str, Query(min_length=1, max_length=200)],
                           offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
                           limit: Annotated[int | None, Query(ge=1, le=100)] = None,
                           top: Annotated[int | None, Query(ge=1, le=100, description=_TOP, deprecated=True)] = None,
                           evidence: Annotated[int, Query(ge=0, le=5)] = 2) -> dict[str, Any]:
        """Same as POST /v1/drugs-for-gene."""
        return run_gene_drugs(GeneDrugsRequest(gene=gene, offset=offset, limit=limit, top=top, evidence=evidence))

    route("/drugs-for-gene", ["POST"], drugs_for_gene_post, GeneDrugsAnswer, _QUESTION_ERRORS, ["questions"])
    route("/drugs-for-gene", ["GET"], drugs_for_gene_get, GeneDrugsAnswer, _QUESTION_ERRORS, ["questions"])

    # ---- the same answers as HTML pages (kg.view: ranked answers, highlighted sentences, a graph of the paths)
    def symptoms_view(text: Annotated[str, Query(min_length=1, max_length=5000)],
                      limit: Annotated[int | None, Query(ge=1, le=100)] = None, rerank: bool = False) -> HTMLResponse:
        """GET /v1/symptoms as a page for a browser (as `kg query symptoms --html` writes it)."""
        from kg.view import symptoms_page

        answer = run_symptoms(SymptomsRequest(text=text, limit=limit, rerank=rerank))
        return HTMLResponse(symptoms_page(SymptomsAnswer.model_validate(answer).model_dump(mode="json")))

    def drugs_for_gene_view(gene: Annotated[str, Query(min_length=1, max_length=200)],
                            limit: Annotated[int | None, Query(ge=1, le=100)] = None,
                            evidence: Annotated[int, Query(ge=0, le=5)] = 2) -> HTMLResponse:
        """GET /v1/drugs-for-gene as a page for a browser (as `kg query drugs-for-gene --html` writes it)."""
        from kg.view import gene_drugs_page

        answer = run_gene_drugs(GeneDrugsRequest(gene=gene, limit=limit, evidence=evidence))
        return HTMLResponse(gene_drugs_page(GeneDrugsAnswer.model_validate(answer).model_dump(mode="json")))

    for path, endpoint in (("symptoms", symptoms_view), ("drugs-for-gene", drugs_for_gene_view)):
        route.app.add_api_route(f"/{API_VERSION}/view/{path}", endpoint, methods=["GET"], tags=["views"],
                                response_class=HTMLResponse, responses=_errors(*_QUESTION_ERRORS))

    # ---- patient
    def patient(body: PatientRequest) -> dict[str, Any]:
        """A patient profile → differential diagnosis, candidate treatments and risk flags (adverse effects,
        interactions with current drugs, pharmacogenomic warnings). POST only: nothing of it is logged or stored."""
        from queries.gene_drugs import GeneDrugFinder, GeneDrugParams
        from queries.patient import PatientAnalyzer, PatientProfile
        from queries.symptoms import SymptomRanker

        if not any((body.symptoms.strip(), body.history.strip(), body.drugs.strip(), body.genotype.strip())):
            raise ApiError(422, "invalid_request", "give at least one of symptoms, history, drugs, genotype")
        profile = PatientProfile.from_text(body.symptoms, body.history, body.drugs, body.genotype)
        with access.use() as store:
            ranker = access.cached("symptoms", SymptomRanker)
            finder = access.cached("gene_drugs:2", lambda store: GeneDrugFinder(store, GeneDrugParams()))
            analyzer = access.cached("patient", lambda store: PatientAnalyzer(store, ranker, finder))
            report = analyzer.analyze(profile, top=body.top, top_diseases=body.top_diseases,
                                      treatments_per_disease=body.treatments).as_dict()
            meta = access.meta(store, {"hpo": ranker.ontology.version} if ranker.ontology.version else {})
        return {**report, "meta": meta}

    route("/patient", ["POST"], patient, PatientAnswer, _QUESTION_ERRORS, ["questions"])


def _graph_routes(app: FastAPI, route: _Router, access: StoreAccess, settings: ApiSettings) -> None:
    """An edge's evidence, read-only Cypher and one-hop TRAPI."""
    def evidence(edge_key: str | None = None, subject: str | None = None, predicate: str | None = None,
                 object: str | None = None,  # noqa: A002 - the API's field name
                 offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
                 limit: Annotated[int, Query(ge=1, le=500)] = 20) -> dict[str, Any]:
        """An edge's aggregate, a summary of its evidence (papers, years, strongest sentences, agreement and
        contradiction, each statement with its PMIDs) and its supporting sentences, best first, a page at a time:
        ``edge_key=SUBJECT|predicate|OBJECT`` or ``subject``, ``predicate`` and ``object``."""
        if edge_key:
            try:
                subject, predicate, object = split_edge_key(edge_key)
            except ValueError:
                raise ApiError(422, "invalid_request", f"edge_key must look like SUBJECT|predicate|OBJECT, "
                                                       f"got {edge_key!r}") from None
        if not (subject and predicate and object):
            raise ApiError(422, "invalid_request", "give edge_key, or subject, predicate and object")
        key = make_edge_key(subject, predicate, object)
        with access.use() as store:
            edges = store.query("edge_summary", subject=subject, predicate=predicate, object=object)
            if not edges:
                raise ApiError(404, "unknown_edge", f"no {predicate!r} edge from {subject} to {object} in the store",
                               edge_key=key)
            # one read of the sentences serves the page and the summary (which weighs the first MAX_EVIDENCE)
            sentences = store.query("edge_evidence", subject=subject, predicate=predicate, object=object,
                                    limit=max(offset + limit + 1, MAX_EVIDENCE))
            digest = summarize_edge(store, subject, predicate, object, edge=edges[0], rows=sentences)
            meta = access.meta(store)
        shown, page = page_of(sentences, offset, limit)
        return {"edge_key": key, "edge": edge_summary(edges[0]), "summary": digest,
                "evidence": shown, "page": page, "meta": meta}

    route("/evidence", ["GET"], evidence, EvidenceAnswer, (400, 401, 404, 422, 503), ["questions"])

    # ---- Cypher
    def cypher(body: CypherRequest) -> dict[str, Any]:
        """Read-only Cypher with parameters; writes are refused (400), slow queries stopped (504), rows capped.

        Nodes come back as ``{"labels", "properties"}``, relationships as ``{"type", "properties"}``, paths as
        ``{"nodes", "relationships"}``: no engine ids or offsets."""
        limit = min(body.max_rows or settings.cypher_max_rows, settings.cypher_max_rows)
        started = time.perf_counter()
        rows = access.read_cypher(body.query, body.parameters, timeout_s=settings.cypher_timeout_s, max_rows=limit)
        truncated = len(rows) > limit
        rows = rows[:limit]
        return {"columns": list(rows[0]) if rows else [], "rows": [cypher_value(r) for r in rows],
                "truncated": truncated, "max_rows": limit,
                "elapsed_ms": round((time.perf_counter() - started) * 1000, 1), "meta": access.meta()}

    route("/cypher", ["POST"], cypher, CypherAnswer, (400, 401, 413, 422, 503, 504), ["cypher"])

    def cypher_examples() -> dict[str, Any]:
        """The portable-Cypher rules and named read-only example queries (as `kg cypher --examples` lists them)."""
        return {"rules": list(PORTABLE_RULES), "examples": [e.as_dict() for e in EXAMPLES], "meta": access.meta()}

    route("/cypher/examples", ["GET"], cypher_examples, CypherExamplesAnswer, (401, 503), ["cypher"],
          deprecate_alias=False)

    # ---- TRAPI
    def trapi_query(body: TrapiQuery) -> dict[str, Any]:
        """One-hop TRAPI 1.5 (Translator): a query graph of two nodes (one pinned by ``ids``) and one edge, with
        Biolink categories and predicates → the matching edges as ``knowledge_graph`` and scored ``results``.

        Read as /v1/cypher is (same timeout, at most ``--cypher-max-rows`` edges). A query graph of another shape
        is answered 400 ``unsupported_query``."""
        try:
            cypher_text, params, subject, object_, edge = one_hop_cypher(body.message.query_graph,
                                                                         settings.cypher_max_rows)
        except UnsupportedQuery as exc:
            raise ApiError(400, "unsupported_query", str(exc)) from None
        rows = access.read_cypher(cypher_text, params, timeout_s=settings.cypher_timeout_s,
                                  max_rows=settings.cypher_max_rows)
        response = trapi_response(body.message.query_graph, rows, subject, object_, edge, settings.cypher_max_rows)
        return {**response.model_dump(), "meta": access.meta()}

    app.add_api_route(f"/{API_VERSION}/query", trapi_query, methods=["POST"], response_model=TrapiAnswer,
                      responses=_errors(400, 401, 413, 422, 503, 504), tags=["TRAPI"])


def _documentation_routes(app: FastAPI) -> None:
    """Swagger UI and ReDoc, served from this process (no CDN)."""
    app.mount("/docs-assets", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(openapi_url=f"{root}/openapi.json", title="medkg API",
                                   swagger_js_url=f"{root}/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url=f"{root}/docs-assets/swagger-ui.css",
                                   swagger_favicon_url=f"{root}/docs-assets/favicon.png",
                                   swagger_ui_parameters={"validatorUrl": None})  # no badge from another host

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(openapi_url=f"{root}/openapi.json", title="medkg API",
                              redoc_js_url=f"{root}/docs-assets/redoc.standalone.js",
                              redoc_favicon_url=f"{root}/docs-assets/favicon.png", with_google_fonts=False)


def _reranker(ranker: Any) -> Any:
    from queries.rerank import SymptomReranker

    reranker = SymptomReranker(ranker)
    reranker.warm()
    return reranker
