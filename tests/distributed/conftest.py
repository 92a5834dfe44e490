"""A local Ray instance for the session (2 CPUs, no dashboard), a small mixed corpus, and a graph snapshot that
covers everything ingestion writes (publications, entities, mentions, edges, evidence)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kg.schema import EDGE_PROPERTIES
from kg.store.base import GraphStore

MODERN = Path("pubmed/pmparser_samples/pubmed26n1334.xml.gz")  # 30 citations and 6 DeleteCitation
BC5CDR = Path("corpora/bc5cdr/pubtator/CDR_TrainingSet.PubTator.txt")
BC5CDR_DOCS = 20


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[Any]:
    """Ray, started once for the session the way a user's machine runs it (ray.init, 2 CPUs); the engine uses
    the running instance. Its GCS address lets a subprocess join it with --address."""
    ray = pytest.importorskip("ray", reason="tests/distributed need Ray: pip install -e '.[dev]'")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield ray
    finally:
        ray.shutdown()


@pytest.fixture(scope="session")
def corpus(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """One PubMed XML file of the shared data and the first 20 documents of BC5CDR's training set."""
    source = shared_data / BC5CDR
    if not source.is_file() or not (shared_data / MODERN).is_file():
        pytest.skip(f"shared corpora not found under {shared_data} ({MODERN}, {BC5CDR})")
    records = source.read_text(encoding="utf-8").split("\n\n")[:BC5CDR_DOCS]
    small = tmp_path_factory.mktemp("corpus") / "bc5cdr-first20.PubTator"
    small.write_text("\n\n".join(records) + "\n\n", encoding="utf-8")
    return [shared_data / MODERN, small]


def snapshot(store: GraphStore) -> dict[str, Any]:
    """Everything ingestion writes, in a comparable form."""
    properties = ", ".join(f"r.{p.name} AS {p.name}" for p in EDGE_PROPERTIES if p.name != "predicate")
    edges = store.read_cypher(  # every property of the edge model (kg.schema.EDGE_PROPERTIES)
        f"MATCH (a:Entity)-[r]->(b:Entity) RETURN a.id AS s, r.predicate AS p, b.id AS o, {properties}, "
        "r.evidence_ids AS evidence ORDER BY s, p, o")
    for edge in edges:
        edge["evidence"] = sorted(edge["evidence"] or [])
    return {
        "stats": store.stats().as_dict(),
        "publications": store.read_cypher(
            "MATCH (p:Publication) RETURN p.pmid AS pmid, p.version AS v, p.content_hash AS h, "
            "p.pipeline_version AS pv, p.title AS title, p.journal AS journal, p.year AS year, p.doi AS doi "
            "ORDER BY pmid"),
        "entities": store.read_cypher(
            "MATCH (e:Entity) RETURN e.id AS id, e.category AS category, e.name AS name, e.synonyms AS synonyms "
            "ORDER BY id"),
        "mentions": store.read_cypher(
            "MATCH (p:Publication)-[m:mentions]->(e:Entity) RETURN p.pmid AS pmid, e.id AS eid, "
            "m.source AS source, m.count AS n, m.major AS major ORDER BY pmid, eid, source"),
        "edges": edges,
        "evidence": store.read_cypher(
            "MATCH (v:Evidence) RETURN v.id AS id, v.edge_key AS edge, v.pmid AS pmid, v.sentence AS sentence, "
            "v.start_offset AS s0, v.end_offset AS e0, v.score AS score, v.negated AS negated, "
            "v.speculative AS speculative, v.extractor AS extractor, v.extractor_version AS ev, v.year AS year "
            "ORDER BY id"),
    }
