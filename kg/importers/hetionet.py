"""Import Hetionet's disease–gene associations (``DaG``), so that gene → disease ← drug paths exist in the graph.

``kb/hetionet/compiled_sources/DaG-association.tsv`` (Hetionet v1.0: 12,623 associations of 137 diseases with human
genes, compiled from DISEASES, DisGeNET and the GWAS Catalog) becomes ``gene -gene_associated_with_condition->
disease`` with ``primary_knowledge_source: infores:hetionet``. Genes are ``NCBIGene`` ids named by their symbols;
diseases get the node that ``kg import drugcentral`` gives their DOID (the single MeSH descriptor the Disease
Ontology maps it to, else the DOID), so that these edges meet DrugCentral's ``treats`` edges. Rows without a DOID
or a gene id are skipped and reported with their line. Re-running the import changes nothing.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kg.crosswalk import DO_XREFS, DiseaseCrosswalk
from kg.importers.curated import Progress, batched, changed_entities, store_delta, write_curated
from kg.schema import Category, Entity, Predicate
from kg.store.base import GraphStore
from kg.tsv import note_problem

HETIONET_SOURCE = "infores:hetionet"
DAG_ASSOCIATIONS = Path("kb/hetionet/compiled_sources/DaG-association.tsv")


@dataclass(slots=True)
class HetionetSummary:
    associations: int = 0
    genes: int = 0
    diseases: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    store_delta: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_disease_genes(data: Path) -> tuple[dict[str, Entity], set[tuple[str, str]], Counter[str], list[str]]:
    """(entities, gene–disease pairs, skip reasons, problems with file:line) from the DaG association table."""
    path = Path(data) / DAG_ASSOCIATIONS
    if not path.is_file():
        raise FileNotFoundError(f"no {DAG_ASSOCIATIONS.name} in {path.parent}; pass the shared data folder "
                                "(--data or KG_SHARED_DATA)")
    diseases = DiseaseCrosswalk.read(Path(data) / DO_XREFS)
    entities: dict[str, Entity] = {}
    pairs: set[tuple[str, str]] = set()
    skipped: Counter[str] = Counter()
    problems: list[str] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh, delimiter="\t"), start=2):
            doid, gene_id = (row.get("doid_id") or "").strip(), (row.get("entrez_gene_id") or "").strip()
            if not doid.startswith("DOID:") or not gene_id.isdigit():
                skipped["row without DOID or NCBI Gene id"] += 1
                note_problem(problems, f"{path.name}:{line}: no DOID or NCBI Gene id")
                continue
            gene, disease = f"NCBIGene:{gene_id}", diseases.node(doid)
            entities.setdefault(gene, Entity(gene, Category.GENE, (row.get("gene_symbol") or "").strip()))
            entities.setdefault(disease, Entity(disease, Category.DISEASE, (row.get("doid_name") or "").strip()))
            pairs.add((gene, disease))
    return entities, pairs, skipped, problems


def import_hetionet(store: GraphStore, data: Path, *, batch_size: int = 20_000,
                    progress: Progress | None = None) -> HetionetSummary:
    """Write Hetionet's gene–disease associations into ``store`` (idempotent; stored names are kept)."""
    started = time.perf_counter()
    entities, pairs, skipped, problems = read_disease_genes(data)
    before = store.stats().as_dict()
    ordered = sorted(entities.values(), key=lambda e: e.id)
    stored = {row["id"] for row in store.query("entities_by_id", ids=[e.id for e in ordered])}
    batched(store.upsert_entities, changed_entities(store, [e for e in ordered if e.id not in stored]), batch_size,
            "entities", progress)
    write_curated(store, Predicate.GENE_ASSOCIATED_WITH_CONDITION, sorted(pairs), HETIONET_SOURCE, batch_size,
                  progress)
    store.flush()
    counts = Counter(e.category for e in ordered)
    return HetionetSummary(len(pairs), counts[Category.GENE], counts[Category.DISEASE], dict(skipped), problems,
                           round(time.perf_counter() - started, 2), store_delta(before, store.stats().as_dict()))
