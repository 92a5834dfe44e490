"""Gene → drug ranking on both real backends, over the shared fixture graph (text-mined and curated edges)."""

from __future__ import annotations

import math

import pytest

from kg.schema import Category, Entity, Relation
from queries.gene_drugs import GeneDrugFinder, GeneDrugParams, edge_strength, parse_gene_query
from tests import graph_fixture as g


@pytest.fixture
def finder(store):
    g.build(store)
    g.build_clinical(store)
    return GeneDrugFinder(store)


@pytest.mark.parametrize(("text", "gene", "alleles"), [
    ("CYP2D6*10", "CYP2D6", ("*10",)),
    ("CYP2C19*2/*3", "CYP2C19", ("*2", "*3")),
    ("cyp2d6 *4/*4", "cyp2d6", ("*4", "*4")),
    ("HLA-B*57:01", "HLA-B", ("*57:01",)),
    ("NCBIGene:1565", "NCBIGene:1565", ()),
    ("EGFR", "EGFR", ()),
])
def test_star_alleles_are_split_from_the_gene(text, gene, alleles):
    query = parse_gene_query(text)
    assert (query.gene_text, query.alleles) == (gene, alleles)


def test_symbol_ranks_direct_and_two_hop_paths_with_evidence(finder):
    result = finder.search("cyp2d6", top=10)
    assert result.unrecognized is None
    assert (result.gene.id, result.gene.matched_by) == (g.CYP2D6, "name")
    ranking = [a.drug_id for a in result.answers]
    # Paroxetine: curated inhibitor (DrugCentral-style); tamoxifen: two text-mined direct edges + a 2-hop path;
    # codeine: one text-mined edge (its speculative evidence does not count).
    assert ranking == [g.PAROXETINE, g.TAMOXIFEN, g.CODEINE]
    paroxetine, tamoxifen, codeine = result.answers
    assert paroxetine.score == pytest.approx(0.9) and paroxetine.sources == ["infores:drugcentral"]
    assert sorted((p.kind, p.type) for p in tamoxifen.paths) == [
        ("direct", "affects"), ("direct", "physically_interacts_with"), ("via_disease", "associated_with/treats")]
    via = next(p for p in tamoxifen.paths if p.kind == "via_disease")
    assert (via.disease_id, via.disease_name) == (g.BREAST_CANCER, "Breast Neoplasms")
    assert [e.predicate for e in via.edges] == ["associated_with", "treats"]
    binding = next(p for p in tamoxifen.paths if p.type == "physically_interacts_with")
    assert binding.edges[0].sentences == [{"pmid": "105", "sentence": "Sentence 0 of 105.", "score": 0.66}]
    reverse = next(p for p in tamoxifen.paths if p.type == "affects")
    assert (reverse.edges[0].subject, reverse.edges[0].object) == (g.CYP2D6, g.TAMOXIFEN)
    assert tamoxifen.pmids == ["101", "102", "105"]
    assert codeine.paths[0].edges[0].pmids == ["103"]
    assert [s["pmid"] for s in codeine.paths[0].edges[0].sentences] == ["103"]  # the speculative 104 is left out
    # Every edge carries the belief stored on it (the treats edge of the two-hop path too).
    for edge in [e for a in result.answers for p in a.paths for e in p.edges]:
        stored = finder.store.query("edge_summary", subject=edge.subject, predicate=edge.predicate,
                                    object=edge.object)[0]["belief"]
        assert edge.belief == stored and 0 < stored < 1


def test_scores_follow_the_documented_formula(finder):
    params = GeneDrugParams()
    answers = {a.drug_id: a for a in finder.search("NCBIGene:1565").answers}
    binding = 0.66 * (1 - math.exp(-1 / params.pmid_scale))  # 1 PMID, best score 0.66, predicate weight 1.0
    affects = 0.8 * 0.7 * (1 - math.exp(-1 / params.pmid_scale))
    link = 0.7 * (1 - math.exp(-1 / 2))
    treats = 0.9 * (1 - math.exp(-2 / 2))
    via = params.hop_weight * link * treats / (1 + math.log(1))
    expected = 1 - (1 - binding) * (1 - affects) * (1 - via)
    assert answers[g.TAMOXIFEN].score == pytest.approx(expected, abs=1e-5)
    assert edge_strength(0, 0.0, True, params) == pytest.approx(0.9)
    assert edge_strength(3, 0.8, True, params) == pytest.approx(1 - 0.1 * (1 - 0.8 * (1 - math.exp(-1.5))))


def test_curie_and_star_allele_give_the_same_drugs_and_keep_the_alleles(finder):
    by_symbol = finder.search("EGFR")
    by_curie = finder.search("NCBIGene:1956")
    assert [a.as_dict() for a in by_symbol.answers] == [a.as_dict() for a in by_curie.answers]
    assert [a.drug_id for a in by_curie.answers] == [g.GEFITINIB]
    assert sorted(p.type for p in by_curie.answers[0].paths) == [
        "decreases_activity_of", "gene_associated_with_condition/treats"]
    star = finder.search("CYP2D6*10")
    assert star.alleles == ["*10"] and star.genotype == "*10" and star.gene.id == g.CYP2D6
    assert [a.drug_id for a in star.answers] == [a.drug_id for a in finder.search("CYP2D6").answers]


def test_synonym_resolution_prefers_the_primary_name(store):
    store.upsert_entities([Entity("NCBIGene:1576", Category.GENE, "CYP3A4", ("CYP3A3", "P450-III")),
                           Entity("NCBIGene:1577", Category.GENE, "CYP3A5", ("P450-III",))])
    finder = GeneDrugFinder(store)
    result = finder.search("cyp3a3")
    assert (result.gene.id, result.gene.matched_by) == ("NCBIGene:1576", "synonym")
    ambiguous = finder.search("P450-III")
    assert ambiguous.gene.id == "NCBIGene:1576"
    assert ambiguous.gene.alternatives == [{"id": "NCBIGene:1577", "name": "CYP3A5"}]
    assert ambiguous.n_drugs == 0 and ambiguous.answers == []


@pytest.mark.parametrize(("text", "reason", "closest"), [
    ("CYP2D7", "no gene named 'CYP2D7' in the store", ["CYP2D6"]),
    ("CYP2D7*4", "no gene named 'CYP2D7' in the store", ["CYP2D6"]),
    ("MESH:D003061", "MESH:D003061 is a Drug, not a gene", []),
    ("NCBIGene:999999", "no entity NCBIGene:999999 in the store", []),
    ("", "empty gene query", []),
])
def test_unknown_genes_are_answered_not_raised(finder, text, reason, closest):
    result = finder.search(text).as_dict()
    assert result["gene"] is None and result["answers"] == []
    assert result["unrecognized"]["reason"] == reason
    assert [m["name"] for m in result["unrecognized"]["close_matches"]] == closest


def test_evaluation_matches_by_name_or_xref_and_breaks_ties_pessimistically(finder, store):
    from queries.gene_drug_evaluation import GoldDrug, evaluate_gene_drugs

    gold = {"CYP2D6": [GoldDrug("tamoxifen", {"tamoxifen"}), GoldDrug("paxil", {"paxil"}, {g.PAROXETINE})],
            "EGFR": [GoldDrug("erlotinib", {"erlotinib"})], "NOPE1": [GoldDrug("aspirin", {"aspirin"})]}
    report = evaluate_gene_drugs(finder, gold, k=1)
    genes = {r.gene: r for r in report.genes}
    assert genes["CYP2D6"].found_at == {"tamoxifen": 2, "paxil": 1}  # paroxetine via its MeSH cross-reference
    assert (genes["CYP2D6"].recall_at_k, genes["CYP2D6"].reciprocal_rank) == (0.5, 1.0)
    assert genes["EGFR"].found_at == {"erlotinib": None} and genes["EGFR"].n_ranked == 1
    assert report.genes_not_in_graph == ["NOPE1"]
    assert report.metrics == {"recall@1": round(0.5 / 3, 4), "mrr": round(1 / 3, 4), "micro_recall@1": 0.25,
                              "recall_all": round(1 / 3, 4), "genes_with_any_hit": 1}
    # A gold drug tied with a non-gold one is placed after it.
    store.upsert_entities([Entity("MESH:D011802", Category.DRUG, "Quinidine")])
    store.upsert_relations([Relation("MESH:D011802", "decreases_activity_of", g.CYP2D6,
                                     primary_knowledge_source="infores:drugcentral")])
    tied = evaluate_gene_drugs(GeneDrugFinder(store), {"CYP2D6": [GoldDrug("paroxetine", {"paroxetine"})]}, k=1)
    assert tied.genes[0].found_at == {"paroxetine": 2}


def test_lexicon_resolves_aliases_the_store_lacks_but_only_to_genes_in_the_store(finder):
    from extractors.normalize import Lexicon
    from extractors.normalize.sources import Concept

    lexicon = Lexicon.from_concepts([
        Concept(g.CYP2D6, (Category.GENE,), "CYP2D6", ("cytochrome P450 family 2 subfamily D member 6", "P450DB1")),
        Concept("NCBIGene:1557", (Category.GENE,), "CYP2C19", ("P450IIC19",)),
    ])
    with_lexicon = GeneDrugFinder(finder.store, lexicon=lexicon)
    result = with_lexicon.search("Cytochrome P450 family 2 subfamily D member 6*4")
    assert (result.gene.id, result.gene.matched_by, result.alleles) == (g.CYP2D6, "lexicon", ["*4"])
    assert [a.drug_id for a in result.answers] == [a.drug_id for a in finder.search("CYP2D6").answers]
    assert with_lexicon.search("P450IIC19").unrecognized is not None  # known to the lexicon, not in the graph
    assert finder.search("P450DB1").unrecognized is not None  # without the lexicon


def test_multi_target_drugs_are_discounted_by_their_number_of_genes(finder, store):
    store.upsert_relations([Relation(g.PAROXETINE, "decreases_activity_of", g.EGFR,
                                     primary_knowledge_source="infores:drugcentral")])
    params = GeneDrugParams()
    answers = {a.drug_id: a for a in GeneDrugFinder(store).search("CYP2D6").answers}
    assert answers[g.PAROXETINE].score == pytest.approx(0.9 * 2 ** -params.selectivity_exponent, abs=1e-6)
    flat = GeneDrugFinder(store, GeneDrugParams(selectivity_exponent=0)).search("CYP2D6").answers
    assert flat[0].drug_id == g.PAROXETINE and flat[0].score == pytest.approx(0.9)
