"""Import DrugCentral's curated drug targets and indications (the 2016 tables in ``kb/drugcentral``).

What is written, all as curated knowledge (``primary_knowledge_source: infores:drugcentral``, no text evidence):

* each drug of a kept row as ``Drug``, named by its INN (``DRUG_NAME``);
* ``drug_target.tsv`` → one drug → gene edge per gene symbol of the target (multi-component targets list several),
  typed by the action (``ACTION_TYPES``): inhibitors, antagonists, blockers… ``decreases_activity_of``; agonists,
  activators, openers, positive modulators… ``increases_activity_of``; antibody binding and substrates
  ``physically_interacts_with``; unspecific modulators and "other" ``affects``;
* ``drug_indication.tsv`` → ``treats`` from the drug to the indication (``Disease``).

Identifiers are chosen so that curated and text-mined edges meet on the same nodes (the crosswalks of
:mod:`kg.crosswalk`): medkg's NER normalises chemicals and diseases to MeSH, so

* a drug is ``MESH:D…`` (its MeSH descriptor in ``identifiers.tsv``), else ``MESH:C…`` (supplementary concept),
  else ``DRUGBANK:DB…``, else ``CHEBI:…``, else ``DrugCentral:<DRUG_ID>``;
* a gene is ``NCBIGene:<id>`` by its HGNC symbol in Hetionet's gene nodes (``kb/hetionet/hetionet-v1.0-nodes.tsv``,
  the NCBI Gene ids of 20,945 human genes), else ``UniProtKB:<accession>`` from the same row;
* an indication is ``MESH:D…`` when the Disease Ontology maps its DOID (or, without one, its UMLS CUI's single
  DOID) to exactly one MeSH descriptor (``kb/disease_ontology/DOreports/allXREFinDO.tsv``), else the ``DOID``,
  else ``UMLS:<CUI>``. The drug is also said to treat the OMIM and Orphanet diseases that the Disease Ontology
  gives for that DOID (at most ``kg.crosswalk.MAX_CROSSWALK``; more means a group of diseases), so that diseases
  ranked from HPO annotations (OMIM/ORPHA ids) reach their treatments; such nodes keep the names HPO gave them.

The files are read from the shared data folder given as ``data`` (the root holding ``kb/``); the Hetionet and
Disease Ontology tables are optional (without them genes fall back to UniProt and diseases to DOID/UMLS). Rows
that cannot be used (too few columns, no drug id, no gene and no UniProt accession, no disease id) are skipped
and reported with file and line; the rest of the file is imported. Re-running the import changes nothing.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kg.crosswalk import (
    DO_XREFS,
    DRUGCENTRAL_DIR,
    HETIONET_NODES,
    DiseaseCrosswalk,
    drug_curies,
    drugcentral_root,
    gene_ids,
)
from kg.importers.curated import Progress, batched, changed_entities, store_delta, write_curated
from kg.schema import Category, Entity, Predicate
from kg.store.base import GraphStore
from kg.tsv import data_rows, note_problem

DRUGCENTRAL_SOURCE = "infores:drugcentral"

ACTION_TYPES: dict[str, Predicate] = {
    **{a: Predicate.DECREASES_ACTIVITY_OF for a in (
        "INHIBITOR", "ANTAGONIST", "BLOCKER", "INVERSE AGONIST", "ALLOSTERIC ANTAGONIST",
        "NEGATIVE ALLOSTERIC MODULATOR")},
    **{a: Predicate.INCREASES_ACTIVITY_OF for a in (
        "AGONIST", "PARTIAL AGONIST", "ACTIVATOR", "OPENER", "POSITIVE ALLOSTERIC MODULATOR", "POSITIVE MODULATOR",
        "RELEASING AGENT")},
    **{a: Predicate.PHYSICALLY_INTERACTS_WITH for a in ("ANTIBODY BINDING", "SUBSTRATE")},
    **{a: Predicate.AFFECTS for a in ("MODULATOR", "OTHER", "")},
}
"""DrugCentral ``ACTION_TYPE`` → Biolink predicate (an unlisted action type is imported as ``affects``)."""


@dataclass(slots=True)
class DrugCentralSummary:
    drugs: int = 0
    genes: int = 0
    diseases: int = 0
    target_edges: dict[str, int] = field(default_factory=dict)
    treats: int = 0
    treats_via_crosswalk: int = 0
    genes_by_uniprot: int = 0
    drugs_by_drugcentral_id: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    store_delta: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class DrugCentralTables:
    """What the import writes, read from the files (kept apart from writing so that it can be inspected)."""

    entities: dict[str, Entity] = field(default_factory=dict)
    targets: dict[Predicate, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))
    treats: set[tuple[str, str]] = field(default_factory=set)
    crosswalk_entities: dict[str, Entity] = field(default_factory=dict)  # OMIM/ORPHA nodes (names kept if stored)
    skipped: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


def read_drugcentral(data: Path, *, drugs: Collection[str] | None = None, genes: Collection[str] | None = None,
                     targets: bool = True, indications: bool = True) -> DrugCentralTables:
    """Parse the tables; ``drugs`` (INN names, case-insensitive) and ``genes`` (symbols) keep a slice."""
    root = drugcentral_root(data)
    folder = root / DRUGCENTRAL_DIR
    out = DrugCentralTables()
    drug_ids = drug_curies(folder / "identifiers.tsv", out.problems)
    symbols = gene_ids(root / HETIONET_NODES)
    diseases = DiseaseCrosswalk.read(root / DO_XREFS)
    wanted_drugs = {d.lower() for d in drugs} if drugs is not None else None
    wanted_genes = {g.upper() for g in genes} if genes is not None else None

    def drug(drug_id: str, name: str) -> str:
        curie = drug_ids.get(drug_id) or f"DrugCentral:{drug_id}"
        out.entities.setdefault(curie, Entity(curie, Category.DRUG, name))
        return curie

    if targets:
        for line, row in data_rows(folder / "drug_target.tsv", 9, out.problems):
            drug_id, _, name, _, _, uniprot, symbol_field, _, action = row[:9]
            if wanted_drugs is not None and name.lower() not in wanted_drugs:
                continue
            symbols_here = [s for s in symbol_field.split("|") if s]
            accessions = [a for a in uniprot.split("|") if a]
            if wanted_genes is not None and not wanted_genes & {s.upper() for s in symbols_here}:
                continue
            if not drug_id or not (symbols_here or accessions):
                out.skipped["target without drug id or gene"] += 1
                note_problem(out.problems, f"drug_target.tsv:{line}: no drug id or no gene/UniProt accession")
                continue
            predicate = ACTION_TYPES.get(action.upper(), Predicate.AFFECTS)
            subject = drug(drug_id, name)
            pairs = list(zip(symbols_here, accessions, strict=False)) if len(symbols_here) == len(accessions) \
                else [(s, "") for s in symbols_here] or [("", a) for a in accessions]
            for symbol, accession in pairs:
                gene = symbols.get(symbol) or (f"UniProtKB:{accession}" if accession else "")
                if not gene:
                    out.skipped["gene symbol without NCBI Gene id or UniProt accession"] += 1
                    continue
                out.entities.setdefault(gene, Entity(gene, Category.GENE, symbol or accession))
                out.targets[predicate].add((subject, gene))

    if indications:
        for line, row in data_rows(folder / "drug_indication.tsv", 5, out.problems):
            drug_id, name, indication, cui, _ = row[:5]
            doid = row[5] if len(row) > 5 else ""
            if wanted_drugs is not None and name.lower() not in wanted_drugs:
                continue
            doid = doid or diseases.doid_of_cui.get(cui, "")
            disease = diseases.node(doid) or (f"UMLS:{cui}" if cui else "")
            if not drug_id or not disease:
                out.skipped["indication without drug id or disease id"] += 1
                note_problem(out.problems, f"drug_indication.tsv:{line}: no drug id or no DOID/UMLS id")
                continue
            out.entities.setdefault(disease, Entity(disease, Category.DISEASE, indication))
            subject = drug(drug_id, name)
            out.treats.add((subject, disease))
            for rare in diseases.rare.get(doid, ()):
                out.crosswalk_entities.setdefault(rare, Entity(rare, Category.DISEASE, diseases.labels[doid]))
                out.treats.add((subject, rare))
    return out


def import_drugcentral(
    store: GraphStore,
    data: Path,
    *,
    drugs: Collection[str] | None = None,
    genes: Collection[str] | None = None,
    targets: bool = True,
    indications: bool = True,
    batch_size: int = 20_000,
    progress: Progress | None = None,
) -> DrugCentralSummary:
    """Write DrugCentral drugs, drug–target edges and indications into ``store`` (idempotent)."""
    started = time.perf_counter()
    tables = read_drugcentral(data, drugs=drugs, genes=genes, targets=targets, indications=indications)
    before = store.stats().as_dict()
    entities = sorted(tables.entities.values(), key=lambda e: e.id)
    extra = sorted((e for i, e in tables.crosswalk_entities.items() if i not in tables.entities), key=lambda e: e.id)
    stored = {row["id"] for row in store.query("entities_by_id", ids=[e.id for e in extra])} if extra else set()
    entities += [e for e in extra if e.id not in stored]  # HPO's names of OMIM/Orphanet diseases stay
    batched(store.upsert_entities, changed_entities(store, entities), batch_size, "entities", progress)
    for predicate in sorted(tables.targets):
        write_curated(store, predicate, sorted(tables.targets[predicate]), DRUGCENTRAL_SOURCE, batch_size, progress)
    write_curated(store, Predicate.TREATS, sorted(tables.treats), DRUGCENTRAL_SOURCE, batch_size, progress)
    store.flush()
    by_category = Counter(e.category for e in entities)
    return DrugCentralSummary(
        drugs=by_category[Category.DRUG], genes=by_category[Category.GENE], diseases=by_category[Category.DISEASE],
        target_edges={p.value: len(pairs) for p, pairs in sorted(tables.targets.items())},
        treats=len(tables.treats), treats_via_crosswalk=sum(1 for _, d in tables.treats
                                                            if d in tables.crosswalk_entities),
        genes_by_uniprot=sum(1 for e in entities if e.id.startswith("UniProtKB:")),
        drugs_by_drugcentral_id=sum(1 for e in entities if e.id.startswith("DrugCentral:")),
        skipped=dict(tables.skipped), problems=tables.problems,
        seconds=round(time.perf_counter() - started, 2),
        store_delta=store_delta(before, store.stats().as_dict()),
    )
