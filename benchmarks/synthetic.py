"""A seeded synthetic biomedical knowledge graph for store benchmarks.

Entities are spread over five Biolink categories with realistic CURIE shapes::

    Disease            MESH:D000123      12 %
    PhenotypicFeature  HP:0001234        18 %
    Gene               NCBIGene:5678     45 %
    Drug               DRUGBANK:DB01234  10 %
    ChemicalEntity     MESH:C012345      15 %

Edges are typed predicates between plausible categories, each carrying exactly one ``Evidence``
(PMID, sentence, offsets, score, year)::

    Disease  -has_phenotype->                  PhenotypicFeature   40 %
    Gene     -gene_associated_with_condition-> Disease             20 %
    Drug     -treats->                         Disease             10 %
    Drug|Chemical -affects->                   Gene                18 %
    Drug|Chemical -physically_interacts_with-> Gene                12 %

Endpoints are drawn from Zipf-like weights (exponent per role, ranks shuffled so hubs are not the
lowest ids): a few phenotypes are shared by thousands of diseases, most by a handful — the
heavy-tailed degree distribution of real HPO annotations. Every (subject, predicate, object) is
unique, so ``n_edges`` is the number of edges the store ends up with. The graph is a pure function
of (n_nodes, n_edges, seed): the triples are generated up front as small integers; ``Entity`` and
``Relation`` objects are built lazily, batch by batch, so that a 1M-edge graph does not need
gigabytes of Python objects.

Usage::

    python -m benchmarks.synthetic --nodes 100000 --edges 1000000 --seed 42        # summary
    python -m benchmarks.synthetic --nodes 1000 --edges 5000 --jsonl kg.jsonl      # dump
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import time
from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from kg.schema import Category, Entity, Evidence, Predicate, Relation

CATEGORY_SHARES: tuple[tuple[Category, float], ...] = (
    (Category.DISEASE, 0.12),
    (Category.PHENOTYPE, 0.18),
    (Category.GENE, 0.45),
    (Category.DRUG, 0.10),
    (Category.CHEMICAL, 0.15),
)


@dataclass(frozen=True, slots=True)
class EdgeType:
    predicate: Predicate
    subjects: tuple[Category, ...]
    objects: tuple[Category, ...]
    share: float
    subject_skew: float  # Zipf exponent of the subject weights (0 = uniform)
    object_skew: float
    templates: tuple[str, ...]


EDGE_TYPES: tuple[EdgeType, ...] = (
    EdgeType(Predicate.HAS_PHENOTYPE, (Category.DISEASE,), (Category.PHENOTYPE,), 0.40, 0.5, 0.9, (
        "Patients with {s} frequently present with {o}.",
        "{o} was observed in {n} of the {m} cases of {s} we reviewed.",
        "A characteristic feature of {s} is {o}.",
    )),
    EdgeType(Predicate.GENE_ASSOCIATED_WITH_CONDITION, (Category.GENE,), (Category.DISEASE,), 0.20, 0.7, 0.7, (
        "Variants in {s} were associated with {o} in a cohort of {m} patients.",
        "Loss-of-function mutations of {s} cause an early-onset form of {o}.",
        "Expression of {s} was significantly altered in {o} tissue (n = {n}).",
    )),
    EdgeType(Predicate.TREATS, (Category.DRUG,), (Category.DISEASE,), 0.10, 0.6, 0.7, (
        "{s} improved outcomes in patients with {o} in a randomized trial of {m} subjects.",
        "Treatment with {s} induced remission of {o} in {n} patients.",
        "{s} is approved for the treatment of {o}.",
    )),
    EdgeType(Predicate.AFFECTS, (Category.DRUG, Category.CHEMICAL), (Category.GENE,), 0.18, 0.6, 0.8, (
        "{s} increased the expression of {o} in HepG2 cells.",
        "Exposure to {s} reduced {o} activity by {n} %.",
        "{s} modulates {o} signalling in vitro.",
    )),
    EdgeType(Predicate.PHYSICALLY_INTERACTS_WITH, (Category.DRUG, Category.CHEMICAL), (Category.GENE,), 0.12,
             0.5, 0.8, (
                 "{s} binds {o} with a Kd of {n} nM.",
                 "Crystal structures show {s} in the active site of {o}.",
                 "{s} is a competitive inhibitor of {o}.",
             )),
)

_NAME_PARTS: dict[Category, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Category.DISEASE: (("Chronic", "Acute", "Familial", "Juvenile", "Hereditary", "Idiopathic", "Congenital",
                        "Autoimmune", "Progressive", "Atypical"),
                       ("nephropathy", "cardiomyopathy", "encephalopathy", "dermatitis", "hepatitis", "neuropathy",
                        "myopathy", "arthritis", "leukemia", "carcinoma", "anemia", "syndrome")),
    Category.PHENOTYPE: (("Abnormal", "Increased", "Decreased", "Recurrent", "Severe", "Mild", "Progressive",
                          "Intermittent"),
                         ("fever", "cough", "muscle tone", "serum creatinine", "heart rate", "bone density",
                          "visual acuity", "weight gain", "seizures", "fatigue", "skin pigmentation", "reflexes")),
    Category.GENE: (("CYP", "SLC", "ABC", "KCN", "ZNF", "TNF", "IL", "HLA-", "COL", "MYH"),
                    ("1A", "2B", "3C", "4D", "5E", "6F", "7", "8", "9", "10")),
    Category.DRUG: (("ami", "bena", "cefo", "dexa", "flu", "lami", "meto", "nifa", "ola", "rosu"),
                    ("zepam", "mab", "tinib", "prazole", "statin", "olol", "vudine", "mycin", "sartan", "parib")),
    Category.CHEMICAL: (("methyl", "ethyl", "chloro", "fluoro", "benzo", "nitro", "hydroxy", "amino"),
                        ("phenol", "acetate", "pyrene", "toluene", "benzene", "dioxin", "arsenite", "sulfate")),
}

MAX_ENTITY_ROUNDS = 200


def zipf_cum_weights(n: int, exponent: float, rng: random.Random) -> list[float]:
    """Cumulative Zipf weights (rank ``k`` gets ``k**-exponent``) over ``n`` items in a shuffled order."""
    weights = [(k + 1) ** -exponent for k in range(n)]
    rng.shuffle(weights)
    return list(itertools.accumulate(weights))


class SyntheticKG:
    """A deterministic synthetic KG; see the module docstring for its shape."""

    def __init__(self, n_nodes: int = 100_000, n_edges: int = 1_000_000, seed: int = 42) -> None:
        if n_nodes < 50:
            raise ValueError("n_nodes must be at least 50")
        self.n_nodes, self.n_edges, self.seed = n_nodes, n_edges, seed
        rng = random.Random(seed)
        self._ids: dict[Category, list[str]] = {}
        self._names: dict[Category, list[str]] = {}
        remaining = n_nodes
        for i, (category, share) in enumerate(CATEGORY_SHARES):
            count = remaining if i == len(CATEGORY_SHARES) - 1 else round(n_nodes * share)
            remaining -= count
            self._ids[category] = self._make_ids(category, count, rng)
            self._names[category] = self._make_names(category, count, rng)
        self._check_capacity()
        # Triples as parallel integer arrays: edge type index, subject (category, index), object index.
        self._etype = array("b")
        self._subj_cat = array("b")
        self._subj = array("i")
        self._obj = array("i")
        self._pmid = array("i")
        self._score = array("f")
        self._year = array("h")
        self._variant = array("b")
        self._generate_edges(rng)

    # ---- entities ----------------------------------------------------------------------------------
    @staticmethod
    def _make_ids(category: Category, count: int, rng: random.Random) -> list[str]:
        width = max(len(str(count * 10)), 5)
        numbers = sorted(rng.sample(range(1, 10 ** width), count))
        if category is Category.DISEASE:
            return [f"MESH:D{n:0{max(width, 6)}d}" for n in numbers]
        if category is Category.PHENOTYPE:
            return [f"HP:{n:0{max(width, 7)}d}" for n in numbers]
        if category is Category.GENE:
            return [f"NCBIGene:{n}" for n in numbers]
        if category is Category.DRUG:
            return [f"DRUGBANK:DB{n:0{width}d}" for n in numbers]
        return [f"MESH:C{n:0{max(width, 6)}d}" for n in numbers]

    @staticmethod
    def _make_names(category: Category, count: int, rng: random.Random) -> list[str]:
        first, second = _NAME_PARTS[category]
        names = []
        for i in range(count):
            a, b = rng.choice(first), rng.choice(second)
            if category is Category.GENE:
                names.append(f"{a}{b}{i % 97 or ''}")
            elif category in (Category.DRUG, Category.CHEMICAL):
                names.append(f"{a}{b}".capitalize() + (f"-{i}" if i >= len(first) * len(second) else ""))
            else:
                names.append(f"{a} {b} type {i}")
        return names

    def ids(self, category: Category) -> list[str]:
        return self._ids[category]

    def entities(self) -> list[Entity]:
        out = []
        for category, _ in CATEGORY_SHARES:
            out.extend(Entity(i, category, n) for i, n in zip(self._ids[category], self._names[category], strict=True))
        return out

    def entity_batches(self, batch_size: int) -> Iterator[list[Entity]]:
        entities = self.entities()
        for start in range(0, len(entities), batch_size):
            yield entities[start:start + batch_size]

    # ---- edges -------------------------------------------------------------------------------------
    def _check_capacity(self) -> None:
        for et in EDGE_TYPES:
            pairs = sum(len(self._ids[c]) for c in et.subjects) * sum(len(self._ids[c]) for c in et.objects)
            if self.n_edges * et.share > 0.5 * pairs:
                raise ValueError(f"{self.n_edges} edges do not fit {self.n_nodes} nodes: too dense for "
                                 f"{et.predicate} ({pairs} possible pairs)")

    def _generate_edges(self, rng: random.Random) -> None:
        remaining = self.n_edges
        for t, et in enumerate(EDGE_TYPES):
            want = remaining if t == len(EDGE_TYPES) - 1 else round(self.n_edges * et.share)
            remaining -= want
            subjects = [(ci, k) for ci, c in enumerate(_CATEGORY_INDEX) if c in et.subjects
                        for k in range(len(self._ids[c]))]
            subj_w = zipf_cum_weights(len(subjects), et.subject_skew, rng)
            obj_cat = et.objects[0]
            obj_w = zipf_cum_weights(len(self._ids[obj_cat]), et.object_skew, rng)
            obj_range = range(len(self._ids[obj_cat]))
            seen: set[tuple[int, int]] = set()
            while len(seen) < want:
                k = min(want - len(seen), 200_000) * 11 // 10 + 16
                for s, o in zip(rng.choices(range(len(subjects)), cum_weights=subj_w, k=k),
                                rng.choices(obj_range, cum_weights=obj_w, k=k), strict=True):
                    if (s, o) in seen:
                        continue
                    seen.add((s, o))
                    ci, si = subjects[s]
                    self._etype.append(t)
                    self._subj_cat.append(ci)
                    self._subj.append(si)
                    self._obj.append(o)
                    if len(seen) == want:
                        break
        # Shuffle the edge order (so every batch mixes predicates, as an ingest would) with one permutation.
        order = list(range(self.n_edges))
        rng.shuffle(order)
        for name in ("_etype", "_subj_cat", "_subj", "_obj"):
            old = getattr(self, name)
            setattr(self, name, array(old.typecode, (old[i] for i in order)))
        self._pmid.extend(rng.randrange(1_000_000, 39_000_000) for _ in range(self.n_edges))
        self._score.extend(round(rng.uniform(0.5, 1.0), 3) for _ in range(self.n_edges))
        self._year.extend(rng.randrange(1975, 2025) for _ in range(self.n_edges))
        self._variant.extend(rng.randrange(3) for _ in range(self.n_edges))

    def triple(self, i: int) -> tuple[str, str, str]:
        et = EDGE_TYPES[self._etype[i]]
        return (self._ids[_CATEGORY_INDEX[self._subj_cat[i]]][self._subj[i]], et.predicate.value,
                self._ids[et.objects[0]][self._obj[i]])

    def relation(self, i: int) -> Relation:
        et = EDGE_TYPES[self._etype[i]]
        s_cat, o_cat = _CATEGORY_INDEX[self._subj_cat[i]], et.objects[0]
        s, o = self._subj[i], self._obj[i]
        sentence = et.templates[self._variant[i]].format(
            s=self._names[s_cat][s], o=self._names[o_cat][o], n=(i % 89) + 2, m=(i % 997) + 100)
        sentence = sentence[0].upper() + sentence[1:]
        start = 120 + (i % 7) * 53
        evidence = Evidence(pmid=str(self._pmid[i]), sentence=sentence, start=start, end=start + len(sentence),
                            score=round(self._score[i], 3), extractor="synthetic-re", extractor_version="1.0",
                            year=self._year[i])
        return Relation(self._ids[s_cat][s], et.predicate, self._ids[o_cat][o], [evidence])

    def relations(self, start: int = 0, stop: int | None = None) -> list[Relation]:
        return [self.relation(i) for i in range(start, self.n_edges if stop is None else min(stop, self.n_edges))]

    def relation_batches(self, batch_size: int, start: int = 0) -> Iterator[list[Relation]]:
        for first in range(start, self.n_edges, batch_size):
            yield self.relations(first, first + batch_size)

    # ---- summaries ---------------------------------------------------------------------------------
    def predicate_counts(self) -> dict[str, int]:
        counts = Counter(self._etype)
        return {EDGE_TYPES[t].predicate.value: n for t, n in sorted(counts.items())}

    def object_degrees(self, predicate: Predicate) -> Counter[int]:
        t = next(i for i, et in enumerate(EDGE_TYPES) if et.predicate == predicate)
        return Counter(o for e, o in zip(self._etype, self._obj, strict=True) if e == t)

    def phenotypes_with_diseases(self) -> list[str]:
        ids = self._ids[Category.PHENOTYPE]
        return [ids[k] for k in sorted(self.object_degrees(Predicate.HAS_PHENOTYPE))]

    def genes_with_diseases(self) -> list[str]:
        t = next(i for i, et in enumerate(EDGE_TYPES) if et.predicate == Predicate.GENE_ASSOCIATED_WITH_CONDITION)
        ids = self._ids[Category.GENE]
        return [ids[k] for k in sorted({s for e, s in zip(self._etype, self._subj, strict=True) if e == t})]

    def summary(self) -> dict[str, object]:
        degrees = sorted(self.object_degrees(Predicate.HAS_PHENOTYPE).values(), reverse=True)
        n_pheno = len(self._ids[Category.PHENOTYPE])
        return {
            "nodes": self.n_nodes, "edges": self.n_edges, "seed": self.seed,
            "entities": {str(c): len(self._ids[c]) for c, _ in CATEGORY_SHARES},
            "edges_by_predicate": self.predicate_counts(),
            "phenotype_in_degree": {
                "max": degrees[0] if degrees else 0,
                "p50": degrees[len(degrees) // 2] if degrees else 0,
                "p99": degrees[len(degrees) // 100] if degrees else 0,
                "phenotypes_without_diseases": n_pheno - len(degrees),
            },
        }


_CATEGORY_INDEX: tuple[Category, ...] = tuple(c for c, _ in CATEGORY_SHARES)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--jsonl", help="write entities and relations as JSON lines to this file")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    kg = SyntheticKG(args.nodes, args.edges, args.seed)
    summary = kg.summary()
    summary["generate_s"] = round(time.perf_counter() - t0, 2)
    print(json.dumps(summary, indent=1))
    if args.jsonl:
        with open(args.jsonl, "w") as out:
            for e in kg.entities():
                out.write(json.dumps({"type": "entity", "id": e.id, "category": str(e.category), "name": e.name})
                          + "\n")
            for batch in kg.relation_batches(10_000):
                for r in batch:
                    ev = r.evidence[0]
                    out.write(json.dumps({
                        "type": "relation", "subject": r.subject, "predicate": str(r.predicate), "object": r.object,
                        "evidence": {"pmid": ev.pmid, "sentence": ev.sentence, "start": ev.start, "end": ev.end,
                                     "score": ev.score, "year": ev.year},
                    }) + "\n")
        print(f"wrote {args.jsonl}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
