"""Neo4j backend through the official driver: named constraints, ``UNWIND $rows … MERGE`` batches, no APOC.

Every write goes through ``Driver.execute_query``, i.e. a managed transaction that the driver retries
on transient errors. Entities carry the label ``Entity`` (the constrained key, used by all shared read
queries) plus their Biolink category as a second label for people browsing the graph.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import neo4j
from neo4j.exceptions import AuthError, ClientError, ConfigurationError, Neo4jError, ServiceUnavailable

from kg.schema import (
    EDGE_KEY_SEPARATOR,
    Category,
    Entity,
    Predicate,
    PublicationMention,
    PublicationRecord,
    edge_key,
    split_edge_key,
)
from kg.store.base import (
    EVIDENCE_FIELDS,
    STORED_EDGE_PROPERTIES,
    Columns,
    GraphStore,
    Row,
    StoredEdge,
    StoreStats,
    entity_rows,
)
from kg.store.errors import QueryTimeout, StoreError, StoreUnavailable, WriteRefused

BATCH_SIZE = 20_000
"""Rows per ``UNWIND`` statement (and at most per transaction when one call writes several statements)."""

SCHEMA_STATEMENTS = (
    "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT publication_pmid IF NOT EXISTS FOR (n:Publication) REQUIRE n.pmid IS UNIQUE",
    "CREATE CONSTRAINT evidence_id IF NOT EXISTS FOR (n:Evidence) REQUIRE n.id IS UNIQUE",
    "CREATE INDEX evidence_edge_key IF NOT EXISTS FOR (n:Evidence) ON (n.edge_key)",
    "CREATE INDEX evidence_pmid IF NOT EXISTS FOR (n:Evidence) ON (n.pmid)",
    "CREATE INDEX entity_category IF NOT EXISTS FOR (n:Entity) ON (n.category)",
)
"""Constraints and indexes of a medkg graph in Neo4j (run when a store opens, and after a bulk import)."""
_CATEGORY_LABELS = tuple(c.value for c in Category)
_EDGE_PROPERTY_NAMES = tuple(p.name for p in STORED_EDGE_PROPERTIES)


def _batches(rows: Sequence[Row], size: int = BATCH_SIZE) -> Iterator[Sequence[Row]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _edge_pairs(keys: Sequence[str]) -> dict[str, tuple[list[str], list[str]]]:
    """Edge keys grouped by predicate, as (subjects, objects) columns."""
    by_predicate: dict[str, tuple[list[str], list[str]]] = {}
    for key in keys:
        subject, predicate, object_ = split_edge_key(key)
        subjects, objects = by_predicate.setdefault(predicate, ([], []))
        subjects.append(subject)
        objects.append(object_)
    return by_predicate


class _BulkKeys:
    """Edge keys and evidence ids written inside :meth:`Neo4jStore.bulk_load`: the only ones that can exist."""

    def __init__(self) -> None:
        self.edges: set[str] = set()
        self.evidence: set[str] = set()


class Neo4jStore(GraphStore):
    backend = "neo4j"

    def __init__(self, uri: str, user: str | None = None, password: str | None = None,
                 database: str | None = None, *, read_only: bool = False) -> None:
        self.location = uri
        self.read_only = read_only
        self.database = database or None
        auth = (user, password or "") if user else None
        try:
            self._driver = neo4j.GraphDatabase.driver(uri, auth=auth)
            self._driver.verify_connectivity()
        except AuthError as exc:
            raise StoreUnavailable(
                f"Neo4j at {uri} refused the credentials for user {user!r}: check --neo4j-user/--neo4j-password "
                "(or NEO4J_USER/NEO4J_PASSWORD)"
            ) from exc
        except ConfigurationError as exc:  # a URI or option the driver does not take
            raise StoreUnavailable(f"cannot use the Neo4j URI {uri!r}: {exc} (check --neo4j / NEO4J_URI)") from exc
        except (ServiceUnavailable, OSError, ValueError, Neo4jError) as exc:
            raise StoreUnavailable(
                f"cannot reach Neo4j at {uri}: {exc}. Check that the server is running "
                "(`docker compose up -d neo4j`) and that --neo4j / NEO4J_URI points at its Bolt port"
            ) from exc
        self._bulk: _BulkKeys | None = None
        if not read_only:  # a read-only opener (kg serve, queries) must not need write rights
            self.ensure_schema()
            self._add_evidence_ids()
            self.migrate()
        elif self._read("MATCH (:Entity)-[r]->(:Entity) RETURN r.evidence_ids IS NULL AS old LIMIT 1", {}
                        ) == [{"old": True}]:
            self.close()
            raise StoreUnavailable(
                f"the Neo4j graph at {uri} was written by an older medkg (its edges lack evidence_ids, the path "
                "to their sentences that both stores share): run `kg init` with the same --neo4j once to upgrade it")

    # ---- lifecycle -------------------------------------------------------------------------------
    def close(self) -> None:
        self._driver.close()

    def ensure_schema(self) -> None:
        for statement in SCHEMA_STATEMENTS:
            self._write(statement)

    def _add_evidence_ids(self) -> None:
        """Give edges written before edges carried them the ids of their Evidence nodes (idempotent; in batches,
        so an interrupted upgrade is finished by the next writable open)."""
        with self._driver.session(database=self.database) as session:
            session.run(
                "MATCH (a:Entity)-[r]->(b:Entity) WHERE r.evidence_ids IS NULL "
                "CALL { WITH a, r, b OPTIONAL MATCH (ev:Evidence) "
                f"WHERE ev.edge_key = a.id + '{EDGE_KEY_SEPARATOR}' + r.predicate + '{EDGE_KEY_SEPARATOR}' + b.id "
                "WITH r, ev ORDER BY ev.id WITH r, collect(ev.id) AS ids SET r.evidence_ids = ids } "
                "IN TRANSACTIONS OF 10000 ROWS").consume()

    @contextlib.contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Writes go to the database as usual, but the store remembers what it wrote inside the block.

        Started on a database without relations or evidence, only those edges and evidence ids can exist:
        evidence is created without the ``MERGE`` lookup, and a batch whose edges were not written earlier
        in the block skips the query for existing edges. A re-run after a crash finds a non-empty database
        and takes the usual path, so idempotency is unchanged.
        """
        if self._bulk is not None or self._read("MATCH (n:Evidence) RETURN n.id AS id LIMIT 1", {}) or \
                self._read("MATCH (:Entity)-[r]->(:Entity) RETURN type(r) AS t LIMIT 1", {}):
            yield
            return
        self._bulk = _BulkKeys()
        try:
            yield
        finally:
            self._bulk = None

    def clear(self) -> None:
        if self._bulk is not None:
            self._bulk = _BulkKeys()
        with self._driver.session(database=self.database) as session:
            session.run("MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()

    # ---- plumbing --------------------------------------------------------------------------------
    def _write(self, cypher: str, **params: Any) -> list[neo4j.Record]:
        try:
            records, _, _ = self._driver.execute_query(
                cypher, params, database_=self.database, routing_=neo4j.RoutingControl.WRITE
            )
        except ServiceUnavailable as exc:
            raise StoreUnavailable(f"lost the connection to Neo4j at {self.location}: {exc}") from exc
        except Neo4jError as exc:
            raise StoreError(f"Neo4j at {self.location}: {exc}") from exc
        return records

    def _write_many(self, statements: Sequence[tuple[str, dict[str, Any], int]]) -> None:
        """Run ``(cypher, params, n_rows)`` statements, several per managed transaction (up to BATCH_SIZE rows).

        Fewer transactions mean fewer commits (each one a log flush) and fewer round trips; a transaction is
        retried by the driver on transient errors, like ``execute_query``.
        """
        def work(tx: neo4j.ManagedTransaction, group: Sequence[tuple[str, dict[str, Any], int]]) -> None:
            for cypher, params, _ in group:
                tx.run(cypher, params).consume()

        groups: list[list[tuple[str, dict[str, Any], int]]] = []
        rows_in_group = BATCH_SIZE
        for statement in statements:
            if rows_in_group + statement[2] > BATCH_SIZE:
                groups.append([])
                rows_in_group = 0
            groups[-1].append(statement)
            rows_in_group += statement[2]
        try:
            # The bookmark manager of execute_query: later reads see these writes, as after _write().
            with self._driver.session(database=self.database,
                                      bookmark_manager=self._driver.execute_query_bookmark_manager) as session:
                for group in groups:
                    session.execute_write(work, group)
        except ServiceUnavailable as exc:
            raise StoreUnavailable(f"lost the connection to Neo4j at {self.location}: {exc}") from exc
        except Neo4jError as exc:
            raise StoreError(f"Neo4j at {self.location}: {exc}") from exc

    def _read(self, cypher: str, params: dict[str, Any]) -> list[Row]:
        try:
            records, _, keys = self._driver.execute_query(
                cypher, params, database_=self.database, routing_=neo4j.RoutingControl.READ
            )
        except ServiceUnavailable as exc:
            raise StoreUnavailable(f"lost the connection to Neo4j at {self.location}: {exc}") from exc
        except Neo4jError as exc:
            raise StoreError(f"Neo4j at {self.location}: {exc}") from exc
        return [dict(zip(keys, record.values(), strict=True)) for record in records]

    def read_cypher(self, cypher: str, params: dict[str, Any] | None = None, *, timeout_s: float | None = None,
                    max_rows: int | None = None) -> list[Row]:
        """Besides the shared lexical check, ask the server's planner whether the query writes."""
        from kg.store.readonly import check_parameters, check_read_only

        check_read_only(cypher)
        check_parameters(params)
        try:
            _, summary, _ = self._driver.execute_query(
                f"EXPLAIN {cypher}", params or {}, database_=self.database, routing_=neo4j.RoutingControl.READ
            )
        except ServiceUnavailable as exc:
            raise StoreUnavailable(f"lost the connection to Neo4j at {self.location}: {exc}") from exc
        except ClientError as exc:
            raise StoreError(f"Neo4j rejected the query: {exc.message}") from exc
        if summary.query_type not in ("r", None):
            raise WriteRefused(f"refused: Neo4j plans this query as type {summary.query_type!r}, not read-only")
        if timeout_s is None and max_rows is None:
            return self._read(cypher, params or {})
        return self._read_bounded(cypher, params or {}, timeout_s, max_rows)

    def _read_bounded(self, cypher: str, params: dict[str, Any], timeout_s: float | None,
                      max_rows: int | None) -> list[Row]:
        """A read transaction (the server refuses writes in it) with a server-side timeout; rows fetched lazily."""
        def work(tx: neo4j.ManagedTransaction) -> list[Row]:
            result = tx.run(cypher, params)
            keys = result.keys()
            rows = []
            for record in result:
                rows.append(dict(zip(keys, record.values(), strict=True)))
                if max_rows is not None and len(rows) > max_rows:
                    break
            return rows

        work = neo4j.unit_of_work(timeout=timeout_s)(work)
        try:
            with self._driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
                return session.execute_read(work)
        except ServiceUnavailable as exc:
            raise StoreUnavailable(f"lost the connection to Neo4j at {self.location}: {exc}") from exc
        except Neo4jError as exc:
            if "TransactionTimedOut" in (exc.code or "") or "Terminated" in (exc.code or ""):
                raise QueryTimeout(f"Neo4j stopped the query after {timeout_s:g} s; narrow it (WHERE on ids, "
                                   "LIMIT) or ask for fewer rows") from exc
            raise StoreError(f"Neo4j at {self.location}: {exc.message or exc}") from exc

    def stats(self) -> StoreStats:
        stats = StoreStats()
        for row in self._read("MATCH (e:Entity) RETURN e.category AS category, count(*) AS n", {}):
            stats.nodes[f"Entity:{row['category']}"] = row["n"]
        for label in ("Entity", "Publication", "Evidence"):
            stats.nodes[label] = self._read(f"MATCH (n:{label}) RETURN count(*) AS n", {})[0]["n"]
        for row in self._read("MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n", {}):
            stats.relationships[row["t"]] = row["n"]
        return stats

    # ---- node writes -----------------------------------------------------------------------------
    def upsert_publications(self, publications: Sequence[PublicationRecord]) -> int:
        rows = list({p.pmid: {
            "pmid": p.pmid, "version": p.version, "title": p.title, "journal": p.journal, "year": p.year,
            "doi": p.doi, "content_hash": p.content_hash, "pipeline_version": p.pipeline_version,
        } for p in publications}.values())
        for batch in _batches(rows):
            self._write("UNWIND $rows AS r MERGE (p:Publication {pmid: r.pmid}) SET p += r", rows=batch)
        return len(rows)

    def upsert_entities(self, entities: Sequence[Entity]) -> int:
        rows = entity_rows(entities)
        by_category: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            by_category[row["category"]].append(row)
        placeholder = Category.NAMED_THING.value
        for category, group in by_category.items():
            label = Category(category).value  # validated: labels cannot be parameters
            if category == placeholder:
                cypher = ("UNWIND $rows AS r MERGE (e:Entity {id: r.id}) "
                          "ON CREATE SET e.category = r.category, e.name = r.name, e.synonyms = r.synonyms, "
                          f"e:{label}")
            else:
                stale = ":".join(c for c in _CATEGORY_LABELS if c != label)
                cypher = ("UNWIND $rows AS r MERGE (e:Entity {id: r.id}) "
                          "SET e.category = r.category, "
                          "e.name = CASE WHEN r.name = '' THEN coalesce(e.name, '') ELSE r.name END, "
                          "e.synonyms = CASE WHEN size(r.synonyms) = 0 THEN coalesce(e.synonyms, []) "
                          f"ELSE r.synonyms END, e:{label} REMOVE e:{stale}")
            for batch in _batches(group):
                self._write(cypher, rows=batch)
        return len(rows)

    def _existing_entity_ids(self, ids: set[str]) -> set[str]:
        # Usually all exist: return only the missing ones, as one list, rather than a record per entity.
        rows = self._read("UNWIND $ids AS id OPTIONAL MATCH (e:Entity {id: id}) WITH id, e WHERE e IS NULL "
                          "RETURN collect(id) AS missing", {"ids": sorted(ids)})
        return ids.difference(rows[0]["missing"]) if rows else set(ids)

    def upsert_mentions(self, mentions: Sequence[PublicationMention]) -> int:
        rows = list({(m.pmid, m.entity_id, str(m.source)): {
            "pmid": m.pmid, "entity_id": m.entity_id, "source": str(m.source), "count": m.count,
            "major": m.major,
        } for m in mentions}.values())
        self._ensure_entities({str(r["entity_id"]) for r in rows})
        for batch in _batches(rows):
            self._write(
                "UNWIND $rows AS r MATCH (p:Publication {pmid: r.pmid}) MATCH (e:Entity {id: r.entity_id}) "
                "MERGE (p)-[m:mentions {source: r.source}]->(e) SET m.count = r.count, m.major = r.major",
                rows=batch,
            )
        return len(rows)

    # ---- relation primitives ---------------------------------------------------------------------
    def _write_evidence(self, evidence: Columns) -> None:
        # Parameters are one list per property: the driver packs each key once instead of once per row (~2x less
        # client CPU); statements read them back with ``UNWIND range(0, size($id) - 1) AS i ... $name[i]``.
        assignments = ", ".join(f"ev.{name} = ${name}[i]" for name in EVIDENCE_FIELDS[1:])
        cypher = f"UNWIND range(0, size($id) - 1) AS i MERGE (ev:Evidence {{id: $id[i]}}) ON CREATE SET {assignments}"
        if self._bulk is not None:
            evidence = evidence.without("id", self._bulk.evidence)
            properties = ", ".join(f"{name}: ${name}[i]" for name in EVIDENCE_FIELDS)
            cypher = f"UNWIND range(0, size($id) - 1) AS i CREATE (:Evidence {{{properties}}})"
        self._write_many([(cypher, batch.data, len(batch)) for batch in evidence.slices(BATCH_SIZE)])
        if self._bulk is not None:
            self._bulk.evidence.update(evidence["id"])

    def _fetch_evidence(self, evidence_ids: list[str]) -> dict[str, list[Row]]:
        found: dict[str, list[Row]] = defaultdict(list)
        projection = ", ".join(f"ev.{name} AS {name}" for name in EVIDENCE_FIELDS)
        for start in range(0, len(evidence_ids), BATCH_SIZE):
            for row in self._read(f"MATCH (ev:Evidence) WHERE ev.id IN $ids RETURN {projection}",
                                  {"ids": evidence_ids[start:start + BATCH_SIZE]}):
                found[row["edge_key"]].append(row)
        return found

    def _fetch_edges(self, keys: list[str]) -> dict[str, StoredEdge]:
        found: dict[str, StoredEdge] = {}
        if self._bulk is not None:
            keys = [k for k in keys if k in self._bulk.edges]
        for predicate, (subjects, objects) in _edge_pairs(keys).items():
            rel_type = Predicate(predicate).value  # validated: types cannot be parameters
            for start in range(0, len(subjects), BATCH_SIZE):
                # Both endpoints by index, then Expand(Into), which walks the smaller side; without the hints the
                # planner may expand every has_phenotype edge of the subject (measured: 90 rows read per key).
                rows = self._read(
                    "UNWIND range(0, size($s) - 1) AS i "
                    "MATCH (a:Entity {id: $s[i]}) USING INDEX a:Entity(id) "
                    "MATCH (b:Entity {id: $o[i]}) USING INDEX b:Entity(id) "
                    f"MATCH (a)-[x:{rel_type}]->(b) "
                    "RETURN $s[i] AS s, $o[i] AS o, x.knowledge_sources AS sources, x.evidence_ids AS ids",
                    {"s": subjects[start:start + BATCH_SIZE], "o": objects[start:start + BATCH_SIZE]},
                )
                for row in rows:
                    key = edge_key(row["s"], predicate, row["o"])
                    found[key] = StoredEdge(key, tuple(row["sources"] or ()), tuple(row["ids"] or ()))
        return found

    def _write_edges(self, edges: Mapping[str, Columns], *, new: bool) -> None:
        properties = ", ".join(f"{name}: ${name}[i]" for name in _EDGE_PROPERTY_NAMES)
        statements = []
        for predicate, group in edges.items():
            rel_type = Predicate(predicate).value  # validated: types cannot be parameters
            # New edges get their properties in the CREATE pattern: measured ~20 % less server CPU than SET x = map.
            write = (f"CREATE (a)-[x:{rel_type} {{{properties}}}]->(b)" if new
                     else f"MERGE (a)-[x:{rel_type}]->(b) SET x = {{{properties}}}")
            cypher = ("UNWIND range(0, size($s) - 1) AS i MATCH (a:Entity {id: $s[i]}) MATCH (b:Entity {id: $o[i]}) "
                      + write)
            for batch in group.slices(BATCH_SIZE):
                params = {"s": batch["subject"], "o": batch["object"],
                          **{name: batch[name] for name in _EDGE_PROPERTY_NAMES}}
                statements.append((cypher, params, len(batch)))
        self._write_many(statements)
        if self._bulk is not None:
            for predicate, group in edges.items():
                pairs = zip(group["subject"], group["object"], strict=True)
                self._bulk.edges.update(edge_key(s, predicate, o) for s, o in pairs)

    def _delete_edges(self, keys: list[str]) -> None:
        self._bulk = None  # what was written in a bulk load may be gone now: back to the usual path
        wanted = [dict(zip(("s", "p", "o"), split_edge_key(k), strict=True)) for k in keys]
        for batch in _batches(wanted):
            self._write(
                "UNWIND $rows AS r MATCH (a:Entity {id: r.s})-[x]->(b:Entity {id: r.o}) WHERE x.predicate = r.p "
                "DELETE x",
                rows=list(batch),
            )

    def _delete_evidence(self, evidence_ids: list[str]) -> None:
        self._bulk = None
        ids = sorted(set(evidence_ids))
        for start in range(0, len(ids), BATCH_SIZE):
            self._write("UNWIND $ids AS i MATCH (ev:Evidence {id: i}) DETACH DELETE ev",
                        ids=ids[start:start + BATCH_SIZE])

    def _delete_evidence_of(self, pmids: list[str]) -> None:
        self._bulk = None
        self._write("MATCH (ev:Evidence) WHERE ev.pmid IN $pmids DETACH DELETE ev", pmids=pmids)

    def _delete_publication_nodes(self, pmids: list[str]) -> None:
        self._write("MATCH (p:Publication) WHERE p.pmid IN $pmids DETACH DELETE p", pmids=pmids)
