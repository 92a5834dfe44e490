"""Embedded backend on LadybugDB (the maintained continuation of Kùzu): no server to install.

Write path, designed around what is fast *and durable* in this engine. Measured here: row-wise
``MERGE`` of relationships runs at ~20–600 rows/s; ``COPY`` from Arrow is fastest (1M relationships
in ~8 s) but is not replayed from the write-ahead log — after ``kill -9`` before a checkpoint the
copied rows are lost and a later replay can crash the process — while ``LOAD FROM $arrow … CREATE``
is logged like any other statement and still creates ~27k relationships/s. So:

* every batch is staged as an Arrow table and passed as a query parameter;
* rows whose key is new are created with ``LOAD FROM $staged [MATCH endpoints] CREATE``; only rows
  that already exist are updated, through ``LOAD FROM $staged MATCH … SET`` (relationships: deleted and
  created again in one transaction, ~3x faster than ``SET`` here);
* which keys exist is known from per-table key sets, read once with a columnar scan and then kept
  up to date by this (single) writer;
* automatic checkpoints are off while writing; :meth:`flush`/:meth:`close` checkpoint once.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import ladybug
import pyarrow as pa
import pyarrow.compute as pc

from kg.schema import Category, Entity, Kind, Predicate, PublicationMention, PublicationRecord, edge_key, split_edge_key
from kg.store.base import (
    EVIDENCE_IDS,
    STORED_EDGE_PROPERTIES,
    Columns,
    GraphStore,
    Row,
    StoredEdge,
    StoreStats,
    entity_rows,
)
from kg.store.errors import QueryTimeout, StoreError, StoreUnavailable

_KIND_COLUMNS: dict[Kind, tuple[str, pa.DataType]] = {
    Kind.TEXT: ("STRING", pa.string()),
    Kind.TEXTS: ("STRING[]", pa.list_(pa.string())),
    Kind.PMIDS: ("STRING[]", pa.list_(pa.string())),
    Kind.COUNT: ("INT64", pa.int64()),
    Kind.SCORE: ("DOUBLE", pa.float64()),
    Kind.PROBABILITY: ("DOUBLE", pa.float64()),
    Kind.YEAR: ("INT64", pa.int64()),
}
"""The LadybugDB column type and Arrow type of each kind of edge property."""
_EDGE_PROPERTIES = tuple((p.name, *_KIND_COLUMNS[p.kind]) for p in STORED_EDGE_PROPERTIES)
_EVIDENCE_PROPERTIES = (
    ("id", "STRING", pa.string()),
    ("edge_key", "STRING", pa.string()),
    ("subject", "STRING", pa.string()),
    ("predicate", "STRING", pa.string()),
    ("object", "STRING", pa.string()),
    ("pmid", "STRING", pa.string()),
    ("sentence", "STRING", pa.string()),
    ("start_offset", "INT64", pa.int64()),
    ("end_offset", "INT64", pa.int64()),
    ("score", "DOUBLE", pa.float64()),
    ("negated", "BOOLEAN", pa.bool_()),
    ("speculative", "BOOLEAN", pa.bool_()),
    ("extractor", "STRING", pa.string()),
    ("extractor_version", "STRING", pa.string()),
    ("year", "INT64", pa.int64()),
)
_PUBLICATION_PROPERTIES = (
    ("pmid", "STRING", pa.string()),
    ("version", "INT64", pa.int64()),
    ("title", "STRING", pa.string()),
    ("journal", "STRING", pa.string()),
    ("year", "INT64", pa.int64()),
    ("doi", "STRING", pa.string()),
    ("content_hash", "STRING", pa.string()),
    ("pipeline_version", "STRING", pa.string()),
)
_ENTITY_PROPERTIES = (
    ("id", "STRING", pa.string()),
    ("category", "STRING", pa.string()),
    ("name", "STRING", pa.string()),
    ("synonyms", "STRING[]", pa.list_(pa.string())),
)
_MENTION_PROPERTIES = (("source", "STRING", pa.string()), ("count", "INT64", pa.int64()),
                       ("major", "BOOLEAN", pa.bool_()))


def _columns(props: Sequence[tuple[str, str, Any]]) -> str:
    return ", ".join(f"{name} {kind}" for name, kind, _ in props)


def _ddl() -> list[str]:
    statements = [
        f"CREATE NODE TABLE IF NOT EXISTS Entity({_columns(_ENTITY_PROPERTIES)}, PRIMARY KEY (id))",
        f"CREATE NODE TABLE IF NOT EXISTS Publication({_columns(_PUBLICATION_PROPERTIES)}, PRIMARY KEY (pmid))",
        f"CREATE NODE TABLE IF NOT EXISTS Evidence({_columns(_EVIDENCE_PROPERTIES)}, PRIMARY KEY (id))",
        f"CREATE REL TABLE IF NOT EXISTS mentions(FROM Publication TO Entity, {_columns(_MENTION_PROPERTIES)})",
    ]
    statements += [
        f"CREATE REL TABLE IF NOT EXISTS {p.value}(FROM Entity TO Entity, {_columns(_EDGE_PROPERTIES)})"
        for p in Predicate
    ]
    return statements


def _table(rows: Sequence[Row], props: Sequence[tuple[str, str, Any]], prefix: Sequence[tuple[str, Any]] = ()
           ) -> pa.Table:
    """Rows as an Arrow table; converted as one struct array (in C++, ~2x faster than column by column)."""
    fields = [(name, kind) for name, kind in prefix] + [(name, arrow) for name, _, arrow in props]
    return pa.Table.from_struct_array(pa.array(rows, type=pa.struct(fields)))


_KEY = {"Entity": "id", "Publication": "pmid"}
_ENDPOINTS = (("src", pa.string()), ("dst", pa.string()))
_EVIDENCE_SCHEMA = pa.schema([(name, arrow) for name, _, arrow in _EVIDENCE_PROPERTIES])
_EDGE_SCHEMA = pa.schema([*_ENDPOINTS, *((name, arrow) for name, _, arrow in _EDGE_PROPERTIES)])


def _evidence_table(evidence: Columns) -> pa.Table:
    return pa.Table.from_pydict(evidence.data, schema=_EVIDENCE_SCHEMA)


def _edge_table(edges: Columns) -> pa.Table:
    """Edges with ``subject``/``object`` as the endpoints ``src``/``dst`` (the first two columns of a rel table)."""
    return pa.Table.from_pydict({"src": edges["subject"], "dst": edges["object"], **edges.data}, schema=_EDGE_SCHEMA)


def _create_nodes(label: str, props: Sequence[tuple[str, str, Any]]) -> str:
    assignments = ", ".join(f"{name}: {name}" for name, _, _ in props)
    return f"LOAD FROM $staged CREATE (:{label} {{{assignments}}})"


def _create_rels(rel_type: str, source: str, target: str, props: Sequence[tuple[str, str, Any]]) -> str:
    """Endpoints are matched in two MATCH clauses: one comma-joined pattern is planned as a cross product."""
    assignments = ", ".join(f"{name}: {name}" for name, _, _ in props)
    return (f"LOAD FROM $staged MATCH (a:{source} {{{_KEY[source]}: src}}) MATCH (b:{target} {{{_KEY[target]}: dst}}) "
            f"CREATE (a)-[:{rel_type} {{{assignments}}}]->(b)")


class _Staged:
    """Relations and evidence written inside :meth:`EmbeddedStore.bulk_load`, not in the database yet.

    Kept as Arrow tables, batch by batch (a dict per row takes several times the memory). An edge written
    again inside the block gets a new row; the one it replaces is dropped when the tables are copied.
    """

    def __init__(self) -> None:
        self.evidence: list[pa.Table] = []
        self.evidence_ids: set[str] = set()
        self.edges: dict[str, list[pa.Table]] = defaultdict(list)  # by predicate
        self.edge_rows: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)  # (subject, object) -> row
        self.replaced: dict[str, list[int]] = defaultdict(list)
        self.n_edges: dict[str, int] = defaultdict(int)

    def add_evidence(self, evidence: Columns) -> None:
        evidence = evidence.without("id", self.evidence_ids)
        if len(evidence):
            self.evidence.append(_evidence_table(evidence))
            self.evidence_ids.update(evidence["id"])

    def evidence_of(self, evidence_ids: Sequence[str]) -> dict[str, list[Row]]:
        found: dict[str, list[Row]] = defaultdict(list)
        wanted = pa.array(evidence_ids, type=pa.string())
        for table in self.evidence:
            for row in table.filter(pc.is_in(table["id"], value_set=wanted)).to_pylist():
                found[row["edge_key"]].append(row)
        return found

    def edge(self, predicate: str, subject: str, object_: str) -> Row | None:
        n = self.edge_rows[predicate].get((subject, object_))
        if n is None:
            return None
        for table in self.edges[predicate]:
            if n < table.num_rows:
                return table.slice(n, 1).to_pylist()[0]
            n -= table.num_rows
        raise AssertionError("staged edge row out of range")

    def add_edges(self, predicate: str, edges: Columns) -> None:
        rows_of, replaced, start = self.edge_rows[predicate], self.replaced[predicate], self.n_edges[predicate]
        for i, pair in enumerate(zip(edges["subject"], edges["object"], strict=True), start):
            previous = rows_of.get(pair)
            if previous is not None:
                replaced.append(previous)
            rows_of[pair] = i
        self.edges[predicate].append(_edge_table(edges))
        self.n_edges[predicate] += len(edges)

    def edge_table(self, predicate: str) -> pa.Table:
        table = pa.concat_tables(self.edges[predicate])
        if self.replaced[predicate]:
            keep = [True] * table.num_rows
            for n in self.replaced[predicate]:
                keep[n] = False
            table = table.filter(pa.array(keep))
        return table


def _mention_key(pmid: str, entity_id: str, source: str) -> int:
    """A mention's key as the writer remembers it: its hash (this process's), a fifth of the memory of the key
    tuple, 4-5 of them per abstract. A collision only sends a new mention down the update path (delete, then
    create), which writes the same."""
    return hash((pmid, entity_id, source))


def _rows(result: ladybug.QueryResult) -> list[list[Any]]:
    """A result's rows as lists (the engine's default; it answers dicts only when asked to)."""
    return cast(list[list[Any]], result.get_all())


class EmbeddedStore(GraphStore):
    backend = "embedded"

    def __init__(self, path: str | Path, *, read_only: bool = False, buffer_pool_bytes: int = 0,
                 threads: int = 0) -> None:
        self.location = str(path)
        self.read_only = read_only
        target = Path(path)
        if not read_only:
            target.parent.mkdir(parents=True, exist_ok=True)
        elif not target.exists():
            raise StoreUnavailable(f"no embedded graph at {target}: run `kg ingest` (or `kg demo`) first, "
                                   "or point --db at an existing one")
        self._buffer_pool_bytes, self._threads = buffer_pool_bytes, threads
        self._closed = True  # until the engine is open
        self._open_engine()
        self._keys: dict[str, set[Any]] = {}
        self._dirty = False
        self._staged: _Staged | None = None
        if not read_only:
            self.ensure_schema()
            self._add_edge_columns()
            self._add_evidence_ids()
            if self.migrate():
                self.flush()
        elif self._lacks_evidence_ids():
            self.close()
            raise StoreUnavailable(
                f"the embedded graph at {target} was written by an older medkg (its edges lack evidence_ids, the "
                f"indexed path to their sentences): run `kg init --db {target}` once to upgrade it")
        elif lacking := self._lacking_edge_columns():
            self.close()
            raise StoreUnavailable(
                f"the embedded graph at {target} was written by an older medkg (its edges lack "
                f"{', '.join(lacking)}, which every query reads): run `kg init --db {target}` once to upgrade it")

    # ---- lifecycle -------------------------------------------------------------------------------
    def close(self) -> None:
        if self._closed:
            return
        self._checkpoint()
        self._conn.close()
        self._db.close()
        self._closed = True

    def flush(self) -> None:
        """Store what is staged and checkpoint; then reopen the engine, which gives back the memory it keeps for
        every write transaction since it opened (measured: 1-2 kB per stored tiny record in 500-document batches,
        never released while open; 200k records grew an ingest by gigabytes): cheap right after a checkpoint."""
        if self._checkpoint():
            self._conn.close()
            self._db.close()
            self._open_engine()

    def _checkpoint(self) -> bool:
        """Store what is staged and fold the write-ahead log into the database; whether there was anything to."""
        self._store_staged()
        if not self._dirty or self.read_only:
            return False
        self._conn.execute("CHECKPOINT")
        self._dirty = False
        return True

    def _open_engine(self) -> None:
        try:
            self._db = ladybug.Database(self.location, read_only=self.read_only,
                                        buffer_pool_size=self._buffer_pool_bytes, max_num_threads=self._threads)
            self._conn = ladybug.Connection(self._db)
            self._closed = False
        except RuntimeError as exc:
            raise StoreUnavailable(
                f"cannot open the embedded graph at {self.location}: {exc}. If another `kg` process is writing "
                "it, wait for it to finish (readers may open it with read-only commands)."
            ) from exc
        if not self.read_only:
            self._conn.execute("CALL auto_checkpoint=false")

    def ensure_schema(self) -> None:
        for statement in _ddl():
            self._conn.execute(statement)

    # ---- upgrades of stores written by an older medkg ------------------------------------------------------
    def _columns_of(self, table: str) -> set[str]:
        return set(self._column_order(table))

    def _column_order(self, table: str) -> list[str]:
        """A table's properties in column order: the order ``COPY`` fills them in (by position, not by name)."""
        return [row[1] for row in sorted(_rows(self._one(f"CALL table_info('{table}') RETURN *")))]

    def _has_column(self, table: str, column: str) -> bool:
        return column in self._columns_of(table)

    def _add_edge_columns(self) -> None:
        """Add the edge properties that a relationship table lacks (NULL on its edges, read as the property's
        ``missing`` value until :meth:`migrate` fills them in): a store written before a property existed."""
        for p in Predicate:
            present = self._columns_of(p.value)
            for name, kind, _ in _EDGE_PROPERTIES:
                if name not in present:
                    self._execute(f"ALTER TABLE {p.value} ADD {name} {kind}")

    def _lacking_edge_columns(self) -> list[str]:
        """The edge properties that a relationship table has no column for (a read-only open cannot add them, and a
        query that names one fails to bind): a store that no writable open has upgraded since they came."""
        tables = {row[1] for row in _rows(self._one("CALL show_tables() RETURN *"))}
        lacking: dict[str, None] = {}
        for p in Predicate:
            if p.value in tables:
                present = self._columns_of(p.value)
                lacking.update((name, None) for name, _, _ in _EDGE_PROPERTIES if name not in present)
        return list(lacking)

    def _lacks_evidence_ids(self) -> bool:
        """Whether this store predates evidence_ids: a table lacks the column, or its first edge has none."""
        tables = {row[1] for row in _rows(self._one("CALL show_tables() RETURN *"))}
        for p in Predicate:
            if p.value not in tables:
                continue
            if not self._has_column(p.value, "evidence_ids"):
                return True
            first = _rows(self._one(f"MATCH ()-[r:{p.value}]->() RETURN r.evidence_ids IS NULL LIMIT 1"))
            if first and first[0][0]:
                return True
        return False

    def _add_evidence_ids(self) -> None:
        """Give every edge the ids of its Evidence nodes (stores written before edges carried them).

        Per relationship table with edges without them (the column itself is added by :meth:`_add_edge_columns`):
        all its edges are rewritten with their evidence ids in one transaction (delete + create, as updates are), so
        a crash leaves all edges of the table upgraded or none, and the next writable open finishes the job.
        """
        pending = []
        for p in Predicate:
            if self._one(f"MATCH ()-[r:{p.value}]->() WHERE r.evidence_ids IS NULL RETURN 1 LIMIT 1").has_next():
                pending.append(p.value)
        if not pending:
            return
        evidence = self._one("MATCH (ev:Evidence) RETURN ev.edge_key, ev.id").get_as_arrow()
        ids_by_key: dict[str, list[str]] = defaultdict(list)
        for key, evidence_id in zip(evidence.column(0).to_pylist(), evidence.column(1).to_pylist(), strict=True):
            ids_by_key[key].append(evidence_id)
        columns = ", ".join(f"r.{name} AS {name}" for name, _, _ in _EDGE_PROPERTIES if name != EVIDENCE_IDS.name)
        for table in pending:
            edges = self._one(
                f"MATCH (a:Entity)-[r:{table}]->(b:Entity) RETURN a.id AS src, b.id AS dst, {columns}").get_as_arrow()
            keys = zip(edges["src"].to_pylist(), edges["dst"].to_pylist(), strict=True)
            ids = pa.array([sorted(ids_by_key.get(edge_key(s, table, o), ())) for s, o in keys],
                           pa.list_(pa.string()))
            self._transaction([(f"MATCH ()-[r:{table}]->() DELETE r", {}),
                               (_create_rels(table, "Entity", "Entity", _EDGE_PROPERTIES),
                                {"staged": edges.append_column(EVIDENCE_IDS.name, ids)})])
        self.flush()

    @contextlib.contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Stage relations and evidence in memory, ``COPY`` them into their empty tables at the end, checkpoint.

        Only when no relation or evidence is stored yet (else, and when nested, the block changes nothing).
        Entities, publications and mentions are written as usual. Anything that reads or deletes inside
        the block (a query, ``stats``, ``delete_publications``) first stores what was staged and ends the
        bulk mode, so it always sees every write.
        """
        if self.read_only or self._staged is not None or not self._no_relations():
            yield
            return
        self._staged = _Staged()
        try:
            yield
        finally:
            self._store_staged()

    def _no_relations(self) -> bool:
        return not self._key_set("Evidence") and not any(self._key_set(p.value) for p in Predicate)

    def _store_staged(self) -> None:
        """Copy what :meth:`bulk_load` staged into its (still empty) tables, then checkpoint at once.

        ``COPY`` is not replayed from the write-ahead log, so it is only durable after the checkpoint.
        """
        staged = self._staged
        if staged is None:
            return
        self._staged = None  # if a COPY fails, the error is raised once, not again by a later flush/close
        if staged.evidence:
            self._execute("COPY Evidence FROM $staged", {"staged": pa.concat_tables(staged.evidence)})
        for predicate in staged.edges:
            table = Predicate(predicate).value
            # In the table's own column order: a property added to an older store's table (ALTER TABLE … ADD) is
            # its last column, wherever the edge model declares it.
            self._execute(f"COPY {table} FROM $staged",
                          {"staged": staged.edge_table(predicate).select(["src", "dst", *self._column_order(table)])})
        self._conn.execute("CHECKPOINT")
        self._dirty = False
        self._key_set("Evidence").update(staged.evidence_ids)
        for predicate, rows in staged.edge_rows.items():
            self._key_set(predicate).update(rows)

    def clear(self) -> None:
        for table in ("Evidence", "Publication", "Entity"):
            self._execute(f"MATCH (n:{table}) DETACH DELETE n")
        self._keys.clear()
        if self._staged is not None:
            self._staged = _Staged()

    # ---- reads -----------------------------------------------------------------------------------
    def _one(self, cypher: str, params: dict[str, Any] | None = None) -> ladybug.QueryResult:
        """The result of one statement (the engine answers a list of results only for several)."""
        result = self._conn.execute(cypher, params or {})
        assert not isinstance(result, list), "one statement at a time"
        return result

    def _execute(self, cypher: str, params: dict[str, Any] | None = None) -> ladybug.QueryResult:
        try:
            result = self._one(cypher, params)
        except RuntimeError as exc:
            raise StoreError(f"embedded store ({self.location}): {exc}") from exc
        self._dirty = True
        return result

    def _read(self, cypher: str, params: dict[str, Any]) -> list[Row]:
        self._store_staged()
        try:
            result = self._one(cypher, params)
        except RuntimeError as exc:
            raise StoreError(f"embedded store ({self.location}): {exc}") from exc
        columns = result.get_column_names()
        return [dict(zip(columns, values, strict=True)) for values in _rows(result)]

    def _read_bounded(self, cypher: str, params: dict[str, Any], timeout_s: float | None,
                      max_rows: int | None) -> list[Row]:
        if timeout_s is not None:
            self._conn.set_query_timeout(max(1, int(timeout_s * 1000)))
        try:
            result = self._one(cypher, params)
            columns = result.get_column_names()
            rows: list[Row] = []
            while result.has_next() and (max_rows is None or len(rows) <= max_rows):
                rows.append(dict(zip(columns, cast(list[Any], result.get_next()), strict=True)))
            return rows
        except RuntimeError as exc:
            if timeout_s is not None and ("interrupt" in str(exc).lower() or "timeout" in str(exc).lower()):
                raise QueryTimeout(f"embedded store: the query ran longer than {timeout_s:g} s and was stopped; "
                                   "narrow it (WHERE on ids, LIMIT) or ask for fewer rows") from exc
            raise StoreError(f"embedded store ({self.location}): {exc}") from exc
        finally:
            if timeout_s is not None:
                self._conn.set_query_timeout(0)

    def stats(self) -> StoreStats:
        stats = StoreStats()
        for row in self._read("MATCH (e:Entity) RETURN e.category AS category, count(*) AS n", {}):
            stats.nodes[f"Entity:{row['category']}"] = row["n"]
        for label in ("Entity", "Publication", "Evidence"):
            stats.nodes[label] = self._read(f"MATCH (n:{label}) RETURN count(*) AS n", {})[0]["n"]
        for rel in ["mentions", *(p.value for p in Predicate)]:
            n = self._read(f"MATCH ()-[r:{rel}]->() RETURN count(*) AS n", {})[0]["n"]
            if n:
                stats.relationships[rel] = n
        return stats

    # ---- key sets --------------------------------------------------------------------------------
    def _key_set(self, name: str) -> set[Any]:
        """Existing keys of one table, scanned once and then maintained by this writer."""
        if name not in self._keys:
            if name == "Entity":
                cypher = "MATCH (n:Entity) RETURN n.id"
            elif name == "Publication":
                cypher = "MATCH (n:Publication) RETURN n.pmid"
            elif name == "Evidence":
                cypher = "MATCH (n:Evidence) RETURN n.id"
            elif name == "mentions":
                cypher = "MATCH (p:Publication)-[m:mentions]->(e:Entity) RETURN p.pmid, e.id, m.source"
            else:
                cypher = f"MATCH (a:Entity)-[r:{Predicate(name).value}]->(b:Entity) RETURN a.id, b.id"
            table = self._one(cypher).get_as_arrow()
            columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
            if name == "mentions":
                self._keys[name] = {_mention_key(*key) for key in zip(*columns, strict=True)}
            else:
                self._keys[name] = set(columns[0]) if len(columns) == 1 else set(zip(*columns, strict=True))
        return self._keys[name]

    # ---- node writes -----------------------------------------------------------------------------
    def upsert_publications(self, publications: Sequence[PublicationRecord]) -> int:
        rows = list({p.pmid: {
            "pmid": p.pmid, "version": p.version, "title": p.title, "journal": p.journal, "year": p.year,
            "doi": p.doi, "content_hash": p.content_hash, "pipeline_version": p.pipeline_version,
        } for p in publications}.values())
        known = self._key_set("Publication")
        new = [r for r in rows if r["pmid"] not in known]
        old = [r for r in rows if r["pmid"] in known]
        if new:
            self._execute(_create_nodes("Publication", _PUBLICATION_PROPERTIES),
                          {"staged": _table(new, _PUBLICATION_PROPERTIES)})
            known.update(r["pmid"] for r in new)
        if old:
            assignments = ", ".join(f"p.{name} = {name}" for name, _, _ in _PUBLICATION_PROPERTIES[1:])
            self._execute(f"LOAD FROM $staged MATCH (p:Publication {{pmid: pmid}}) SET {assignments}",
                          {"staged": _table(old, _PUBLICATION_PROPERTIES)})
        return len(rows)

    def upsert_entities(self, entities: Sequence[Entity]) -> int:
        rows = entity_rows(entities)
        known = self._key_set("Entity")
        new = [r for r in rows if r["id"] not in known]
        old = [r for r in rows if r["id"] in known]
        if new:
            self._execute(_create_nodes("Entity", _ENTITY_PROPERTIES), {"staged": _table(new, _ENTITY_PROPERTIES)})
            known.update(r["id"] for r in new)
        if old:
            self._execute(
                "LOAD FROM $staged MATCH (e:Entity {id: id}) "
                "SET e.category = CASE WHEN category = $placeholder THEN e.category ELSE category END, "
                "e.name = CASE WHEN name = '' THEN e.name ELSE name END, "
                "e.synonyms = CASE WHEN size(synonyms) = 0 THEN e.synonyms ELSE synonyms END",
                {"staged": _table(old, _ENTITY_PROPERTIES), "placeholder": Category.NAMED_THING.value},
            )
        return len(rows)

    def _existing_entity_ids(self, ids: set[str]) -> set[str]:
        return ids & self._key_set("Entity")

    def upsert_mentions(self, mentions: Sequence[PublicationMention]) -> int:
        rows = list({(m.pmid, m.entity_id, str(m.source)): {
            "src": m.pmid, "dst": m.entity_id, "source": str(m.source), "count": m.count, "major": m.major,
        } for m in mentions}.values())
        self._ensure_entities({str(r["dst"]) for r in rows})
        known = self._key_set("mentions")
        keys = [_mention_key(str(r["src"]), str(r["dst"]), str(r["source"])) for r in rows]
        new = [r for r, key in zip(rows, keys, strict=True) if key not in known]
        old = [r for r, key in zip(rows, keys, strict=True) if key in known]
        if new:
            self._execute(_create_rels("mentions", "Publication", "Entity", _MENTION_PROPERTIES),
                          {"staged": _table(new, _MENTION_PROPERTIES, _ENDPOINTS)})
            known.update(keys)
        if old:
            # Deleted and created again in one transaction, like the predicate edges: ``MATCH … SET`` on many
            # relationships corrupted other relationship tables at the next checkpoint (ladybug 0.22).
            params = {"staged": _table(old, _MENTION_PROPERTIES, _ENDPOINTS)}
            self._transaction([
                ("LOAD FROM $staged MATCH (p:Publication {pmid: src})-[m:mentions]->(e:Entity {id: dst}) "
                 "WHERE m.source = source DELETE m", params),
                (_create_rels("mentions", "Publication", "Entity", _MENTION_PROPERTIES), params),
            ])
        return len(rows)

    # ---- relation primitives ---------------------------------------------------------------------
    def _write_evidence(self, evidence: Columns) -> None:
        if self._staged is not None:
            self._staged.add_evidence(evidence)
            return
        known = self._key_set("Evidence")
        new = evidence.without("id", known)
        if len(new):
            self._execute(_create_nodes("Evidence", _EVIDENCE_PROPERTIES), {"staged": _evidence_table(new)})
            known.update(new["id"])

    def _fetch_evidence(self, evidence_ids: list[str]) -> dict[str, list[Row]]:
        found: dict[str, list[Row]] = defaultdict(list)
        if not evidence_ids:
            return found
        if self._staged is not None:
            return self._staged.evidence_of(evidence_ids)
        # UNWIND + MATCH of nodes alone is a primary-key lookup per id (a filter on edge_key scanned every Evidence
        # node: ~0.9 s per batch on a 1M-edge store).
        names = ", ".join(f"ev.{name} AS {name}" for name, _, _ in _EVIDENCE_PROPERTIES)
        for row in self._read(f"UNWIND $ids AS i MATCH (ev:Evidence {{id: i}}) RETURN {names}",
                              {"ids": sorted(set(evidence_ids))}):
            found[row["edge_key"]].append(row)
        return found

    def _fetch_edges(self, keys: list[str]) -> dict[str, StoredEdge]:
        if self._staged is not None:
            found_staged: dict[str, StoredEdge] = {}
            for key in keys:
                subject, predicate, object_ = split_edge_key(key)
                row = self._staged.edge(predicate, subject, object_)
                if row is not None:
                    found_staged[key] = StoredEdge(key, tuple(row["knowledge_sources"]), tuple(row["evidence_ids"]))
            return found_staged
        by_predicate: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for key in keys:
            subject, predicate, object_ = split_edge_key(key)
            if (subject, object_) in self._key_set(predicate):
                by_predicate[predicate].append((subject, object_))
        found: dict[str, StoredEdge] = {}
        for predicate, pairs in by_predicate.items():
            staged = pa.table({"sid": [s for s, _ in pairs], "oid": [o for _, o in pairs]})
            rows = self._read(
                f"LOAD FROM $staged MATCH (a:Entity {{id: sid}})-[r:{predicate}]->(b:Entity {{id: oid}}) "
                "RETURN a.id AS subject, b.id AS object, r.knowledge_sources AS sources, r.evidence_ids AS ids",
                {"staged": staged},
            )
            for row in rows:
                key = edge_key(row["subject"], predicate, row["object"])
                found[key] = StoredEdge(key, tuple(row["sources"] or ()), tuple(row["ids"] or ()))
        return found

    def _write_edges(self, edges: Mapping[str, Columns], *, new: bool) -> None:
        for predicate, group in edges.items():
            if self._staged is not None:
                self._staged.add_edges(predicate, group)
                continue
            table = Predicate(predicate).value
            params = {"staged": _edge_table(group)}
            create = _create_rels(table, "Entity", "Entity", _EDGE_PROPERTIES)
            if new:
                self._execute(create, params)
            else:
                # Every property is overwritten, and ``MATCH … SET`` of a relationship is ~3x slower here than
                # deleting it and creating it again (measured: 8k edges, 4.0 s vs 1.4 s). One transaction
                # keeps the swap atomic, also across a crash.
                self._transaction([
                    (f"LOAD FROM $staged MATCH (a:Entity {{id: src}})-[r:{table}]->(b:Entity {{id: dst}}) DELETE r",
                     params),
                    (create, params),
                ])
            self._key_set(predicate).update(zip(group["subject"], group["object"], strict=True))

    def _transaction(self, statements: Sequence[tuple[str, dict[str, Any]]]) -> None:
        self._execute("BEGIN TRANSACTION")
        try:
            for cypher, params in statements:
                self._execute(cypher, params)
        except BaseException:
            with contextlib.suppress(RuntimeError):  # the failed statement may have ended the transaction
                self._conn.execute("ROLLBACK")
            raise
        self._execute("COMMIT")

    def _delete_edges(self, keys: list[str]) -> None:
        self._store_staged()
        by_predicate: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for key in keys:
            subject, predicate, object_ = split_edge_key(key)
            by_predicate[predicate].append((subject, object_))
        for predicate, pairs in by_predicate.items():
            staged = pa.table({"sid": [s for s, _ in pairs], "oid": [o for _, o in pairs]})
            self._execute(
                f"LOAD FROM $staged MATCH (a:Entity {{id: sid}})-[r:{Predicate(predicate).value}]->"
                "(b:Entity {id: oid}) DELETE r",
                {"staged": staged},
            )
            self._key_set(predicate).difference_update(pairs)

    def _delete_evidence(self, evidence_ids: list[str]) -> None:
        self._store_staged()
        if evidence_ids:  # UNWIND + MATCH of nodes alone: a primary-key lookup per id
            self._execute("UNWIND $ids AS i MATCH (ev:Evidence {id: i}) DELETE ev", {"ids": sorted(set(evidence_ids))})
            self._key_set("Evidence").difference_update(evidence_ids)

    def _delete_evidence_of(self, pmids: list[str]) -> None:
        rows = self._read("MATCH (ev:Evidence) WHERE ev.pmid IN $pmids RETURN ev.id AS id", {"pmids": pmids})
        if rows:
            self._execute("MATCH (ev:Evidence) WHERE ev.pmid IN $pmids DELETE ev", {"pmids": pmids})
            self._key_set("Evidence").difference_update(r["id"] for r in rows)

    def _delete_publication_nodes(self, pmids: list[str]) -> None:
        if "mentions" in self._keys:
            links = self._one("UNWIND $pmids AS id MATCH (p:Publication)-[m:mentions]->(e:Entity) WHERE p.pmid = id "
                              "RETURN p.pmid, e.id, m.source", {"pmids": pmids})
            self._keys["mentions"].difference_update(_mention_key(*link) for link in _rows(links))
        self._execute("MATCH (p:Publication) WHERE p.pmid IN $pmids DETACH DELETE p", {"pmids": pmids})
        self._key_set("Publication").difference_update(pmids)

