"""Import PharmGKB clinical annotations as curated drug–gene pharmacogenomic associations.

``kb/pharmgkb/clinical_annotations.tsv`` says that variants of a gene change how patients respond to drugs (dosage,
efficacy, toxicity, metabolism), with a level of evidence (1A strongest … 4). Each row with a kept level becomes
``drug -associated_with-> gene`` for every gene × drug of the row (``primary_knowledge_source: infores:pharmgkb``),
which is what the patient profile's pharmacogenomic warnings and ``kg query drugs-for-gene`` read.

Identifiers meet those of the other importers: a drug whose DrugBank, MeSH or ChEBI cross-reference (from
``kb/pharmgkb/drugs.tsv``) DrugCentral knows gets DrugCentral's node (``kb/drugcentral/identifiers.tsv``, when
present), else its MeSH id, else DrugBank, else ChEBI, else ``PHARMGKB.DRUG:PA…``; a combination row
(``ivacaftor / lumacaftor``) without its own cross-references links each component; a gene is ``NCBIGene`` by its
symbol in Hetionet's gene table (genes outside it, such as mitochondrial rRNA genes, are skipped and counted).

Guidelines: ``kb/pharmgkb/guidelineAnnotations.json/`` (one file per guideline annotation) says which drug–gene
pairs a CPIC or DPWG guideline covers. Each such pair gets the same ``drug -associated_with-> gene`` edge with the
guideline body as a further knowledge source (``infores:cpic``, ``infores:dpwg``; a pair without a clinical
annotation gets the edge from the guideline alone), which is how ``kg query drugs-for-gene`` puts guideline drugs
first. Other bodies (CPNDS, RNPGx, …) are not imported.

What the graph cannot hold is left out: the variant or star allele of each annotation, the level of evidence and
the phenotype category (edges have no such properties). So a warning is per gene, not per allele.

The evaluation of gene → drug rankings uses these very annotations (levels 1A/1B) as its gold standard, so
``kg evaluate gene-drugs`` ignores ``infores:pharmgkb`` support by default.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kg.crosswalk import HETIONET_NODES, PHARMGKB_DIR, drug_crosswalk, drug_xrefs, gene_ids
from kg.importers.curated import Progress, batched, changed_entities, store_delta, write_curated
from kg.schema import Category, Entity, Predicate
from kg.store.base import GraphStore
from kg.tsv import read_tsv
from queries.gene_drug_evaluation import GUIDELINE_BODIES, read_guidelines

PHARMGKB_SOURCE = "infores:pharmgkb"
DEFAULT_LEVELS = ("1A", "1B", "2A", "2B", "3")
_PREFERENCE = ("MESH", "DRUGBANK", "CHEBI")


def drug_curie(row: dict[str, str], crosswalk: dict[str, str] | None = None) -> str:
    """The drug's node: DrugCentral's node for any of its cross-references, else MeSH, DrugBank, ChEBI, PharmGKB."""
    xrefs = drug_xrefs(row)
    for prefix in _PREFERENCE:
        for curie in sorted(xrefs.get(prefix, ())):
            if crosswalk and curie in crosswalk:
                return crosswalk[curie]
    for prefix in _PREFERENCE:
        if xrefs.get(prefix):
            return sorted(xrefs[prefix])[0]
    return f"PHARMGKB.DRUG:{row['PharmGKB Accession Id']}"


@dataclass(slots=True)
class PharmGkbSummary:
    levels: list[str]
    annotations: int = 0
    drugs: int = 0
    genes: int = 0
    associations: int = 0
    guideline_pairs: dict[str, int] = field(default_factory=dict)  # knowledge source -> drug–gene pairs
    skipped: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    store_delta: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_pharmgkb(data: Path, levels: Collection[str] = DEFAULT_LEVELS, genes: Collection[str] | None = None
                  ) -> tuple[dict[str, Entity], set[tuple[str, str]], Counter[str], int]:
    """(entities, drug–gene pairs, skip reasons, annotations used) from the clinical annotations."""
    folder = Path(data) / PHARMGKB_DIR
    if not (folder / "clinical_annotations.tsv").is_file():
        raise FileNotFoundError(f"no clinical_annotations.tsv in {folder}; pass the shared data folder "
                                "(--data or KG_SHARED_DATA)")
    drugs = {row["Name"].lower(): row for row in read_tsv(folder / "drugs.tsv")}
    symbols = gene_ids(Path(data) / HETIONET_NODES)
    crosswalk = drug_crosswalk(data)
    wanted_genes = {g.upper() for g in genes} if genes is not None else None
    entities: dict[str, Entity] = {}
    pairs: set[tuple[str, str]] = set()
    skipped: Counter[str] = Counter()
    used = 0
    for row in read_tsv(folder / "clinical_annotations.tsv"):
        if row["Level of Evidence"] not in levels:
            continue
        row_genes = [g.strip() for g in row["Gene"].split(";") if g.strip()]
        if wanted_genes is not None and not wanted_genes & {g.upper() for g in row_genes}:
            continue
        used += 1
        drug_ids = []
        for name in (d.strip() for d in row["Drug(s)"].split(";") if d.strip()):
            record = drugs.get(name.lower())
            if record is not None and (drug_xrefs(record) or " / " not in name):
                drug_ids.append((drug_curie(record, crosswalk), record["Name"]))
                continue
            for part in name.split(" / ") if " / " in name else [name]:
                component = drugs.get(part.strip().lower())
                if component is None:
                    skipped["drug not in drugs.tsv"] += 1
                    continue
                drug_ids.append((drug_curie(component, crosswalk), component["Name"]))
        if not row_genes:
            skipped["annotation without gene"] += 1
        for symbol in row_genes:
            gene = symbols.get(symbol)
            if gene is None:
                skipped["gene symbol not in the gene table"] += 1
                continue
            entities.setdefault(gene, Entity(gene, Category.GENE, symbol))
            for drug, name in drug_ids:
                entities.setdefault(drug, Entity(drug, Category.DRUG, name))
                pairs.add((drug, gene))
    return entities, pairs, skipped, used


def read_guideline_pairs(data: Path, genes: Collection[str] | None = None
                         ) -> tuple[dict[str, Entity], dict[str, set[tuple[str, str]]], Counter[str]]:
    """(entities, knowledge source → drug–gene pairs with a CPIC/DPWG guideline, skip reasons)."""
    folder = Path(data) / PHARMGKB_DIR
    drugs = {row["Name"].lower(): row for row in read_tsv(folder / "drugs.tsv")}
    symbols = gene_ids(Path(data) / HETIONET_NODES)
    crosswalk = drug_crosswalk(data)
    wanted_genes = {g.upper() for g in genes} if genes is not None else None
    entities: dict[str, Entity] = {}
    pairs: dict[str, set[tuple[str, str]]] = {source: set() for source in GUIDELINE_BODIES.values()}
    skipped: Counter[str] = Counter()
    for symbol, by_drug in read_guidelines(data).items():
        if wanted_genes is not None and symbol.upper() not in wanted_genes:
            continue
        gene = symbols.get(symbol)
        if gene is None:
            skipped["guideline gene not in the gene table"] += len(by_drug)
            continue
        for name, bodies in by_drug.items():
            record = drugs.get(name.lower())
            if record is None:
                skipped["guideline drug not in drugs.tsv"] += 1
                continue
            drug = drug_curie(record, crosswalk)
            entities.setdefault(gene, Entity(gene, Category.GENE, symbol))
            entities.setdefault(drug, Entity(drug, Category.DRUG, record["Name"]))
            for body in bodies:
                pairs[GUIDELINE_BODIES[body]].add((drug, gene))
    return entities, pairs, skipped


def import_pharmgkb(store: GraphStore, data: Path, *, levels: Collection[str] = DEFAULT_LEVELS,
                    genes: Collection[str] | None = None, guidelines: bool = True, batch_size: int = 20_000,
                    progress: Progress | None = None) -> PharmGkbSummary:
    """Write PharmGKB drug–gene associations into ``store`` (idempotent), with the CPIC/DPWG guideline pairs as
    further knowledge sources when ``guidelines``."""
    started = time.perf_counter()
    entities, pairs, skipped, used = read_pharmgkb(data, levels, genes)
    guideline_pairs: dict[str, set[tuple[str, str]]] = {}
    if guidelines:
        more, guideline_pairs, skipped_guidelines = read_guideline_pairs(data, genes)
        for key, entity in more.items():
            entities.setdefault(key, entity)
        skipped.update(skipped_guidelines)
    before = store.stats().as_dict()
    ordered = sorted(entities.values(), key=lambda e: e.id)
    # Keep names and categories that other sources gave the same nodes (DrugCentral's INN, say).
    stored = {row["id"] for row in store.query("entities_by_id", ids=[e.id for e in ordered])}
    batched(store.upsert_entities, changed_entities(store, [e for e in ordered if e.id not in stored]), batch_size,
            "entities", progress)
    write_curated(store, Predicate.ASSOCIATED_WITH, sorted(pairs), PHARMGKB_SOURCE, batch_size, progress)
    for source, source_pairs in sorted(guideline_pairs.items()):
        write_curated(store, Predicate.ASSOCIATED_WITH, sorted(source_pairs), source, batch_size, progress)
    store.flush()
    counts = Counter(e.category for e in ordered)
    return PharmGkbSummary(sorted(levels), used, counts[Category.DRUG], counts[Category.GENE], len(pairs),
                           {s: len(p) for s, p in sorted(guideline_pairs.items())}, dict(skipped),
                           round(time.perf_counter() - started, 2),
                           store_delta(before, store.stats().as_dict()))
