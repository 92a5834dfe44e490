"""Gene → drug ranking against PharmGKB clinical annotations: recall@k and MRR per gene.

Gold standard
    ``kb/pharmgkb/clinical_annotations.tsv`` rows with the chosen levels of evidence (default 1A and 1B): each
    gene of the row (``IFNL3;IFNL4`` names two) gets each drug of the row (``Drug(s)`` is ``;``-separated). A
    combination (``ivacaftor / lumacaftor``) is one gold drug whose components each count as a match.

Matching drugs across vocabularies
    The graph's drugs carry MeSH, DrugBank or ChEBI CURIEs and INN names; PharmGKB names drugs by its own names.
    ``kb/pharmgkb/drugs.tsv`` gives each PharmGKB drug its generic names and cross-references: ``DrugBank:``,
    ``ChEBI:`` (in *Cross-references*) and ``MeSH:`` (in *External Vocabulary*). A ranked drug matches a gold drug
    when its CURIE is one of those cross-references (``DRUGBANK:DB…``, ``CHEBI:…``, ``MESH:…``) or its name or a
    synonym, lower-cased with runs of non-alphanumerics as one space, equals the gold name, a component of a
    combination, or one of their generic names.

Metrics
    Each gene with gold drugs is one query: the gene symbol is resolved like user input (``GeneDrugFinder``) and all
    its linked drugs are ranked. Ties are broken pessimistically: among drugs with equal scores, those matching no
    gold drug come first. recall@k = gold drugs matched within the first k / gold drugs of the gene; the reciprocal
    rank is 1 / position of the first matching drug (0 when none). Reported: mean over genes (macro) of both,
    micro recall@k over all gene–drug pairs, recall over the whole ranking (the ceiling the graph allows), and how
    many genes are not in the graph (they count as misses). There is no sampling: the numbers are deterministic.
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kg.crosswalk import PHARMGKB_DIR, drug_xrefs
from kg.tsv import quoted_list, read_tsv
from queries.gene_drugs import GeneDrugFinder

DEFAULT_LEVELS = ("1A", "1B")
GUIDELINE_FOLDER = "guidelineAnnotations.json"  # a folder of one JSON file per guideline annotation
GUIDELINE_BODIES = {"CPIC": "infores:cpic", "DPWG": "infores:dpwg"}
PGX_GENES = ("CYP2D6", "CYP2C19", "CYP2C9", "TPMT", "DPYD", "HLA-B", "SLCO1B1", "UGT1A1", "VKORC1")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def norm_name(text: str) -> str:
    return _NON_ALNUM.sub(" ", text.lower()).strip()


@dataclass(slots=True)
class GoldDrug:
    name: str
    names: set[str] = field(default_factory=set)  # normalised names of the drug/components and generic names
    xrefs: set[str] = field(default_factory=set)  # CURIEs (DRUGBANK, CHEBI, MESH)

    def matches(self, curie: str, names: Collection[str]) -> bool:
        return curie in self.xrefs or any(norm_name(n) in self.names for n in names if n)


def read_drug_vocabulary(path: Path) -> dict[str, tuple[set[str], set[str]]]:
    """PharmGKB drug name (normalised) → (normalised generic names, CURIE cross-references)."""
    vocabulary: dict[str, tuple[set[str], set[str]]] = {}
    for row in read_tsv(path):
        names = {norm_name(row["Name"])} | {norm_name(n) for n in quoted_list(row.get("Generic Names", ""))}
        xrefs = {curie for curies in drug_xrefs(row).values() for curie in curies}
        vocabulary[norm_name(row["Name"])] = ({n for n in names if n}, xrefs)
    return vocabulary


def read_gold(data: Path, levels: Collection[str] = DEFAULT_LEVELS) -> dict[str, list[GoldDrug]]:
    """Gene symbol → gold drugs (sorted by name) from the PharmGKB clinical annotations of the given levels."""
    folder = Path(data) / PHARMGKB_DIR
    if not (folder / "clinical_annotations.tsv").is_file():
        raise FileNotFoundError(f"no PharmGKB clinical_annotations.tsv in {folder}; pass the shared data folder")
    vocabulary = read_drug_vocabulary(folder / "drugs.tsv")
    pairs: dict[str, set[str]] = defaultdict(set)
    for row in read_tsv(folder / "clinical_annotations.tsv"):
        if row["Level of Evidence"] not in levels:
            continue
        for gene in (g.strip() for g in row["Gene"].split(";")):
            for drug in (d.strip() for d in row["Drug(s)"].split(";")):
                if gene and drug:
                    pairs[gene].add(drug)
    gold = {}
    for gene, drugs in sorted(pairs.items()):
        entries = []
        for drug in sorted(drugs):
            entry = GoldDrug(drug)
            for part in [drug, *drug.split(" / ")]:
                names, xrefs = vocabulary.get(norm_name(part), ({norm_name(part)}, set()))
                entry.names |= names | {norm_name(part)}
                entry.xrefs |= xrefs
            entries.append(entry)
        gold[gene] = entries
    return gold


def read_guidelines(data: Path) -> dict[str, dict[str, set[str]]]:
    """Gene symbol → PharmGKB drug name → the bodies (``CPIC``, ``DPWG``) with a guideline for the pair, from
    ``kb/pharmgkb/guidelineAnnotations.json/*.json`` (each guideline's ``relatedGenes`` × ``relatedChemicals``).
    Other bodies (CPNDS, RNPGx, …) are left out; an empty dict when the folder is missing."""
    folder = Path(data) / PHARMGKB_DIR / GUIDELINE_FOLDER
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        guideline = json.loads(path.read_text(encoding="utf-8")).get("guideline", {})
        body = guideline.get("source", "")
        if body not in GUIDELINE_BODIES:
            continue
        for gene in guideline.get("relatedGenes") or []:
            for chemical in guideline.get("relatedChemicals") or []:
                if gene.get("symbol") and chemical.get("name"):
                    out[gene["symbol"]][chemical["name"]].add(body)
    return {gene: dict(drugs) for gene, drugs in sorted(out.items())}


def gold_entries(names: Collection[str], vocabulary: dict[str, tuple[set[str], set[str]]]) -> list[GoldDrug]:
    """GoldDrug entries (names and cross-references from ``drugs.tsv``) for PharmGKB drug names."""
    entries = []
    for drug in sorted(names):
        entry = GoldDrug(drug)
        for part in [drug, *drug.split(" / ")]:
            known, xrefs = vocabulary.get(norm_name(part), ({norm_name(part)}, set()))
            entry.names |= known | {norm_name(part)}
            entry.xrefs |= xrefs
        entries.append(entry)
    return entries


@dataclass(slots=True)
class GuidelineGene:
    gene: str
    n_guideline: int  # drugs with a CPIC or DPWG guideline for the gene
    n_cpic: int
    top: list[str]  # the first min(10, n_guideline) answers, by name
    top_are_guideline: bool  # every one of them has a CPIC/DPWG guideline for the gene
    cpic_ranks: dict[str, int | None]  # CPIC guideline drug -> 1-based rank (None: not ranked)
    cpic_in_top25: bool
    dpwg_ranks: dict[str, int | None]  # DPWG-only guideline drugs

    @property
    def passed(self) -> bool:
        return self.top_are_guideline and self.cpic_in_top25


def check_guidelines(finder: GeneDrugFinder, data: Path, genes: Collection[str] = PGX_GENES
                     ) -> dict[str, Any]:
    """Where each gene's CPIC/DPWG guideline drugs rank in ``drugs-for-gene`` (as the user sees it: rank order,
    not re-sorted). The bar: the first min(10, n) answers are guideline drugs of the gene and every CPIC guideline
    drug is in the top 25."""
    guidelines = read_guidelines(data)
    vocabulary = read_drug_vocabulary(Path(data) / PHARMGKB_DIR / "drugs.tsv")
    results = []
    for gene in genes:
        drugs = guidelines.get(gene, {})
        entries = gold_entries(drugs, vocabulary)
        _, resolved, _ = finder.resolve(gene, suggest=False)
        ranked = finder.rank(resolved.id, top=1_000_000)[1] if resolved else []
        ranks: dict[str, int | None] = {e.name: None for e in entries}
        guideline_at = []
        for position, answer in enumerate(ranked, start=1):
            hit = [e for e in entries if e.matches(answer.drug_id, [answer.drug_name])]
            guideline_at.append(bool(hit))
            for e in hit:
                if ranks[e.name] is None:
                    ranks[e.name] = position
        n_top = min(10, len(entries))
        cpic = {d: ranks[d] for d in sorted(drugs) if "CPIC" in drugs[d]}
        results.append(GuidelineGene(
            gene, len(entries), len(cpic), [a.drug_name for a in ranked[:n_top]],
            len(ranked) >= n_top and all(guideline_at[:n_top]), cpic,
            all(r is not None and r <= 25 for r in cpic.values()),
            {d: ranks[d] for d in sorted(drugs) if "CPIC" not in drugs[d]}))
    return {"genes": [{**asdict(r), "passed": r.passed} for r in results],
            "passed": sum(r.passed for r in results), "n_genes": len(results)}


@dataclass(slots=True)
class GeneResult:
    gene: str
    gene_id: str | None
    n_gold: int
    n_ranked: int
    found_at: dict[str, int | None]  # gold drug -> 1-based position of its first match (None: not ranked)
    reciprocal_rank: float
    recall_at_k: float
    recall_all: float


@dataclass(slots=True)
class GeneDrugEvaluation:
    levels: list[str]
    k: int
    n_genes: int
    n_pairs: int
    genes_not_in_graph: list[str]
    metrics: dict[str, float]
    seconds: float
    genes: list[GeneResult]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate_gene_drugs(finder: GeneDrugFinder, gold: dict[str, list[GoldDrug]], k: int = 10,
                        levels: Collection[str] = DEFAULT_LEVELS) -> GeneDrugEvaluation:
    started = time.perf_counter()
    results = []
    for gene, drugs in gold.items():
        _, resolved, _ = finder.resolve(gene)
        ranked = finder.rank(resolved.id, top=1_000_000)[1] if resolved else []
        matched = [[i for i, g in enumerate(drugs) if g.matches(a.drug_id, [a.drug_name])] for a in ranked]
        # Pessimistic ties: within equal scores, drugs matching no gold entry go first.
        order = sorted(range(len(ranked)), key=lambda i: (-ranked[i].parts.get("guideline", 0), -ranked[i].score,
                                                          bool(matched[i]), ranked[i].drug_id))
        found_at: dict[str, int | None] = {g.name: None for g in drugs}
        first = None
        for position, i in enumerate(order, start=1):
            for j in matched[i]:
                if found_at[drugs[j].name] is None:
                    found_at[drugs[j].name] = position
            if matched[i] and first is None:
                first = position
        hits = [p for p in found_at.values() if p is not None]
        results.append(GeneResult(
            gene, resolved.id if resolved else None, len(drugs), len(ranked), found_at,
            round(1.0 / first, 4) if first else 0.0,
            round(sum(1 for p in hits if p <= k) / len(drugs), 4), round(len(hits) / len(drugs), 4)))
    n = len(results) or 1
    pairs = sum(r.n_gold for r in results) or 1
    metrics = {
        f"recall@{k}": round(sum(r.recall_at_k for r in results) / n, 4),
        "mrr": round(sum(r.reciprocal_rank for r in results) / n, 4),
        f"micro_recall@{k}": round(sum(sum(1 for p in r.found_at.values() if p is not None and p <= k)
                                       for r in results) / pairs, 4),
        "recall_all": round(sum(r.recall_all for r in results) / n, 4),
        "genes_with_any_hit": sum(1 for r in results if r.reciprocal_rank > 0),
    }
    return GeneDrugEvaluation(sorted(levels), k, len(results), sum(r.n_gold for r in results),
                              [r.gene for r in results if r.gene_id is None], metrics,
                              round(time.perf_counter() - started, 2), results)
