"""Biolink KGX node and edge files (TSV or JSON Lines): export from, and import into, any store.

Export writes ``nodes.tsv``/``edges.tsv`` (or ``.jsonl``) with the KGX columns — nodes: ``id``,
``category`` (``biolink:Disease``), ``name``, ``synonym``; edges: ``id`` (a stable ``urn:uuid:``),
``subject``, ``predicate`` (``biolink:treats``), ``object``, ``knowledge_level``, ``agent_type``,
``primary_knowledge_source``, ``aggregator_knowledge_source`` (``infores:medkg`` on curated edges, which
medkg republishes), ``publications`` (``PMID:…``) — plus medkg's edge statistics as extra columns
(``n_pmids``, ``n_evidence``, ``best_score``, ``mean_score``, ``first_year``, ``last_year``,
``extractors``, ``knowledge_sources``, ``belief``). Multi-valued fields are ``|``-separated in TSV (so a ``|``
inside a synonym does not survive TSV; JSON Lines keeps lists as lists).

Import reads those files and reasonable third-party KGX:

* nodes → entities; the first ``category`` that medkg knows wins (``Drug`` over ``ChemicalEntity``),
  anything else becomes ``NamedThing``; ids that are not CURIEs are skipped and counted.
* edges → curated relations (no evidence) attributed to their ``primary_knowledge_source`` (and to every
  other curated source in a medkg ``knowledge_sources`` column); an edge that names no source is
  attributed to ``default_source`` (``infores:unknown``). Predicates outside :class:`Predicate` and
  ``negated`` edges are skipped and counted — medkg has no way to store either.
* text-mined edges (``infores:medkg`` as primary or supporting source) cannot come back as curated edges:
  the store counts ``infores:medkg`` only through evidence, and an edge without it vanishes. With
  ``text_mined="evidence"`` (default) each of their ``publications`` becomes one placeholder evidence
  item (extractor ``kgx-import``, empty sentence, offsets 0–0, score = ``best_score``), so the edge comes
  back text-mined with the same PMIDs, ``n_pmids``, ``best_score`` and knowledge sources, while
  ``n_evidence`` becomes ``n_pmids``, ``mean_score`` becomes ``best_score``, years survive only when
  ``first_year == last_year``, ``belief`` is recomputed from the placeholders (one sentence per PMID at
  ``best_score``), and sentences are lost. ``text_mined="skip"`` drops that support (and the
  edge, unless a curated source also asserts it).

``publications`` of curated edges are dropped on import: the store keeps PMIDs only as evidence. So are a
file's ``knowledge_level``, ``agent_type`` and ``aggregator_knowledge_source``: the store derives the first
two from the kind of support (curated: knowledge_assertion/manual_agent; text-mined only:
not_provided/text_mining_agent) and has no slot for the third.
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from kg.curie import normalize_curie
from kg.interop.source import DEFAULT_PAGE_SIZE, NodeRecord, edge_uuid, iter_graph
from kg.provenance import TEXT_MINED_SOURCE, aggregator_sources
from kg.schema import EDGE_PROPERTIES, Category, EdgeAggregate, Entity, Evidence, Kind, Predicate, Relation
from kg.store.base import GraphStore

FORMATS = ("tsv", "jsonl")
NODE_COLUMNS = ("id", "category", "name", "synonym")
_KGX_PROPERTIES = tuple((p.name, p.kgx, p.kind) for p in EDGE_PROPERTIES if p.kgx is not None)
_LEADING_COLUMNS = (
    "id", "subject", "predicate", "object", "knowledge_level", "agent_type", "primary_knowledge_source",
    "aggregator_knowledge_source", "publications",
)
"""KGX's own edge slots, first (the ones medkg fills)."""
EDGE_COLUMNS = (*_LEADING_COLUMNS, *(column for _, column, _ in _KGX_PROPERTIES if column not in _LEADING_COLUMNS))
"""The edge columns: KGX's slots, then medkg's other edge properties (:data:`kg.schema.EDGE_PROPERTIES`) under
their own names."""
MULTIVALUED = frozenset({
    "category", "synonym", "xref", "provided_by", "publications", "aggregator_knowledge_source",
    "knowledge_source", "supporting_data_source", "extractors", "knowledge_sources", "same_as",
})
"""KGX fields that hold lists ('|'-separated in TSV)."""

DEFAULT_SOURCE = "infores:unknown"
PLACEHOLDER_EXTRACTOR = "kgx-import"
TEXT_MINED_MODES = ("evidence", "skip")
BIOLINK = "biolink:"

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


# ---- export ------------------------------------------------------------------------------------------
def node_record(node: NodeRecord) -> dict[str, Any]:
    return {"id": node.id, "category": [BIOLINK + node.category], "name": node.name, "synonym": list(node.synonyms)}


def edge_record(edge: EdgeAggregate) -> dict[str, Any]:
    """One KGX edge, its fields in :data:`EDGE_COLUMNS` order."""
    values: dict[str, Any] = {
        "id": f"urn:uuid:{edge_uuid(edge)}",
        "subject": edge.subject,
        "predicate": BIOLINK + edge.predicate,
        "object": edge.object,
        "aggregator_knowledge_source": list(aggregator_sources(edge.primary_knowledge_source)),
    }
    for name, column, kind in _KGX_PROPERTIES:
        values[column] = _kgx_value(kind, getattr(edge, name))
    return {column: values[column] for column in EDGE_COLUMNS}


def _kgx_value(kind: Kind, value: Any) -> Any:
    if kind is Kind.PMIDS:
        return [f"PMID:{pmid}" for pmid in value]
    if kind is Kind.TEXTS:
        return list(value)
    return value


class _Writer:
    """One KGX file: TSV with a fixed header, or JSON Lines without empty values."""

    def __init__(self, path: Path, fmt: str, columns: tuple[str, ...]) -> None:
        self.path, self.fmt, self.columns = path, fmt, columns
        self._file: IO[str] = path.open("w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._file, delimiter="\t", lineterminator="\n") if fmt == "tsv" else None
        if self._csv is not None:
            self._csv.writerow(columns)

    def write(self, record: dict[str, Any]) -> None:
        if self._csv is not None:
            self._csv.writerow([_tsv_cell(record.get(c)) for c in self.columns])
        else:
            kept = {k: v for k, v in record.items() if v is not None and v != "" and v != []}
            self._file.write(json.dumps(kept, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self._file.close()


def _tsv_cell(value: Any) -> str:
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "|".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(slots=True)
class KgxExport:
    nodes_path: Path
    edges_path: Path
    nodes: int = 0
    edges: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"nodes_file": str(self.nodes_path), "edges_file": str(self.edges_path), "nodes": self.nodes,
                "edges": self.edges}


def export_kgx(store: GraphStore, out_dir: Path, fmt: str = "tsv", page_size: int = DEFAULT_PAGE_SIZE,
               min_belief: float = 0.0) -> KgxExport:
    """Write ``out_dir/nodes.<fmt>`` and ``out_dir/edges.<fmt>``, paging through the store (with ``min_belief``,
    only the edges asserted at that belief: :func:`kg.interop.source.iter_graph`)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown KGX format {fmt!r}; expected one of {', '.join(FORMATS)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = KgxExport(out_dir / f"nodes.{fmt}", out_dir / f"edges.{fmt}")
    nodes_out = _Writer(summary.nodes_path, fmt, NODE_COLUMNS)
    edges_out = _Writer(summary.edges_path, fmt, EDGE_COLUMNS)
    try:
        for nodes, edges in iter_graph(store, page_size, min_belief):
            for node in nodes:
                nodes_out.write(node_record(node))
            for edge in edges:
                edges_out.write(edge_record(edge))
            summary.nodes += len(nodes)
            summary.edges += len(edges)
    finally:
        nodes_out.close()
        edges_out.close()
    return summary


# ---- reading -----------------------------------------------------------------------------------------
def _open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return path.open("r", encoding="utf-8", newline="")


def read_kgx(path: Path) -> Iterator[dict[str, Any]]:
    """Records of a KGX TSV or JSON Lines file (by extension; ``.gz`` allowed), multi-valued fields as lists."""
    name = path.name.removesuffix(".gz")
    with _open_text(path) as stream:
        if name.endswith((".jsonl", ".json")):
            for line in stream:
                if line.strip():
                    record = json.loads(line)
                    for key in MULTIVALUED & record.keys():
                        if isinstance(record[key], str):
                            record[key] = [record[key]]
                    yield record
            return
        for row in csv.DictReader(stream, delimiter="\t"):
            yield {key: ([v for v in value.split("|") if v] if key in MULTIVALUED else value) if value else None
                   for key, value in row.items() if key is not None}


def _one(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _many(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v).strip() for v in (value if isinstance(value, list) else [value]) if str(v).strip()]


def _number(value: Any, kind: type) -> Any:
    try:
        return kind(float(value)) if kind is int else kind(value)
    except (TypeError, ValueError):
        return None


def _truthy(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("true", "1", "yes", "t")


def entity_from_kgx(record: dict[str, Any]) -> Entity:
    """An entity from a KGX node; raises ValueError for a missing or malformed id."""
    known = [c for c in (_category(v) for v in _many(record.get("category"))) if c is not None]
    category = Category.DRUG if Category.DRUG in known else next(iter(known), Category.NAMED_THING)
    return Entity(_one(record.get("id")) or "", category, _one(record.get("name")) or "",
                  tuple(dict.fromkeys(_many(record.get("synonym")))))


def _category(value: str) -> Category | None:
    name = value.removeprefix(BIOLINK)
    try:
        category = Category(name)
    except ValueError:
        return None
    return None if category is Category.NAMED_THING else category


def _pmid(publication: str) -> str | None:
    try:
        curie = normalize_curie(publication)
    except ValueError:
        return None
    prefix, _, local = curie.partition(":")
    return local if prefix == "PMID" and local.isdigit() else None


def relations_from_kgx(record: dict[str, Any], default_source: str = DEFAULT_SOURCE,
                       text_mined: str = "evidence") -> tuple[list[Relation], str | None]:
    """The relations that one KGX edge becomes, or ([], why it was skipped)."""
    subject, object_ = _one(record.get("subject")), _one(record.get("object"))
    raw_predicate = _one(record.get("predicate")) or ""
    if not subject or not object_:
        return [], "missing subject or object"
    try:
        predicate = Predicate(raw_predicate.removeprefix(BIOLINK))
    except ValueError:
        return [], f"predicate not in medkg: {raw_predicate or '(none)'}"
    if _truthy(record.get("negated")):
        return [], "negated edge"
    primary = _one(record.get("primary_knowledge_source")) or _one(record.get("knowledge_source")) or default_source
    sources = list(dict.fromkeys([primary, *_many(record.get("knowledge_sources"))]))
    relations = [Relation(subject, predicate, object_, [], primary_knowledge_source=s)
                 for s in sources if s != TEXT_MINED_SOURCE]
    if TEXT_MINED_SOURCE in sources and text_mined == "evidence":
        pmids = list(dict.fromkeys(p for p in map(_pmid, _many(record.get("publications"))) if p))
        score = _number(record.get("best_score"), float) or 0.0
        first, last = _number(record.get("first_year"), int), _number(record.get("last_year"), int)
        year = first if first is not None and first == last else None
        evidence = [Evidence(p, "", 0, 0, score, PLACEHOLDER_EXTRACTOR, "1", year=year) for p in pmids]
        if evidence:
            relations.append(Relation(subject, predicate, object_, evidence))
        elif not relations:
            return [], "text-mined edge without PMIDs"
    if not relations:
        return [], "text-mined edge (--text-mined skip)"
    return relations, None


# ---- import ------------------------------------------------------------------------------------------
@dataclass(slots=True)
class KgxImport:
    nodes_read: int = 0
    nodes_imported: int = 0
    edges_read: int = 0
    edges_imported: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {"nodes_read": self.nodes_read, "nodes_imported": self.nodes_imported,
                "edges_read": self.edges_read, "edges_imported": self.edges_imported,
                "skipped": dict(self.skipped.most_common())}


def import_kgx(store: GraphStore, nodes_path: Path | None, edges_path: Path | None, *,
               default_source: str = DEFAULT_SOURCE, text_mined: str = "evidence",
               batch_size: int = 10_000) -> KgxImport:
    """Read KGX nodes, then edges, into the store in batches; returns what was read, written and skipped."""
    if text_mined not in TEXT_MINED_MODES:
        raise ValueError(f"text_mined must be one of {', '.join(TEXT_MINED_MODES)}, not {text_mined!r}")
    summary = KgxImport()
    if nodes_path is not None:
        entities: list[Entity] = []
        for record in read_kgx(nodes_path):
            summary.nodes_read += 1
            try:
                entities.append(entity_from_kgx(record))
            except ValueError:
                summary.skipped["node id is not a CURIE"] += 1
                continue
            if len(entities) >= batch_size:
                summary.nodes_imported += store.upsert_entities(entities)
                entities = []
        if entities:
            summary.nodes_imported += store.upsert_entities(entities)
    if edges_path is not None:
        relations: list[Relation] = []
        for record in read_kgx(edges_path):
            summary.edges_read += 1
            try:
                found, reason = relations_from_kgx(record, default_source, text_mined)
            except ValueError:
                found, reason = [], "endpoint is not a CURIE"
            if reason:
                summary.skipped[reason] += 1
                continue
            summary.edges_imported += 1
            relations.extend(found)
            if len(relations) >= batch_size:
                store.upsert_relations(relations)
                relations = []
        if relations:
            store.upsert_relations(relations)
    store.flush()
    return summary
