"""Corpus readers (PubTator, BioC, NCBI disease, GSC+) against the real corpora and their published counts."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from extractors.readers import read_bioc, read_gsc_plus, read_ncbi_disease, read_pubtator
from extractors.readers.records import AnnotatedDocument, ReadError
from kg.schema import Category

pytestmark = pytest.mark.shared_data

BC5CDR = {  # split → (abstracts, chemical mentions, disease mentions, CID relations), from the README
    "Training": (500, 5203, 4182, 1038),
    "Development": (500, 5347, 4244, 1012),
}
BIORED = {"Train": (400, 13351, 4178), "Dev": (100, 3533, 1162)}  # abstracts, mentions, relations
NCBI = {"train": (593, 5145), "develop": (100, 787)}  # abstracts, mentions


def annotated(records: list) -> list[AnnotatedDocument]:
    errors = [r for r in records if isinstance(r, ReadError)]
    assert not errors, errors[:3]
    return records


def comparable(doc: AnnotatedDocument) -> tuple:
    mentions = sorted((g.mention.start, g.mention.end, g.mention.text, g.mention.category, g.ids)
                      for g in doc.gold_mentions)
    return doc.pmid, doc.document.text, mentions, sorted(doc.gold_relations, key=repr)


@pytest.fixture(scope="module")
def bc5cdr(corpora: Path) -> dict[str, list[AnnotatedDocument]]:
    folder = corpora / "bc5cdr" / "pubtator"
    return {split: annotated(list(read_pubtator(folder / f"CDR_{split}Set.PubTator.txt")))
            for split in BC5CDR}


@pytest.fixture(scope="module")
def biored(corpora: Path) -> dict[str, list[AnnotatedDocument]]:
    return {split: annotated(list(read_pubtator(corpora / "biored" / "pubtator" / f"{split}.PubTator")))
            for split in BIORED}


@pytest.mark.parametrize("split", BC5CDR)
def test_bc5cdr_pubtator_counts(bc5cdr: dict, split: str) -> None:
    docs = bc5cdr[split]
    n_docs, n_chem, n_dis, n_cid = BC5CDR[split]
    categories = Counter(g.mention.category for d in docs for g in d.gold_mentions)
    assert (len(docs), categories[Category.CHEMICAL], categories[Category.DISEASE]) == (n_docs, n_chem, n_dis)
    assert sum(len(d.gold_relations) for d in docs) == n_cid
    assert {r.type for d in docs for r in d.gold_relations} == {"CID"}
    assert all(r.id1.startswith("MESH:") and r.id2.startswith("MESH:")
               for d in docs for r in d.gold_relations)
    assert not [m for d in docs for m in d.offset_mismatches()]
    assert all(i.startswith("MESH:") for d in docs for g in d.gold_mentions for i in g.ids)
    assert all(d.document.mentions == [g.mention for g in d.gold_mentions] for d in docs)


def test_bc5cdr_identifiers(bc5cdr: dict) -> None:
    doc = next(d for d in bc5cdr["Training"] if d.pmid == "227508")
    assert doc.document.title == "Naloxone reverses the antihypertensive effect of clonidine."
    first = doc.gold_mentions[0]
    assert (first.mention.text, first.mention.entity_id) == ("Naloxone", "MESH:D009270")
    assert (first.corpus_type, first.mention.category) == ("Chemical", Category.CHEMICAL)
    nalozone = next(g for g in doc.gold_mentions if g.mention.text == "nalozone")
    assert (nalozone.mention.entity_id, nalozone.ids, nalozone.raw_id) == (None, (), "-1")
    assert [(r.type, r.id1, r.id2, r.novelty) for r in doc.gold_relations] == [
        ("CID", "MESH:D008750", "MESH:D007022", None)
    ]
    composite = next(g for d in bc5cdr["Development"] if d.pmid == "3115150" for g in d.gold_mentions
                     if g.components)
    assert composite.mention.text == "cardiovascular, and respiratory depression"
    assert composite.ids == ("MESH:D002318", "MESH:D012131") and composite.mention.entity_id == "MESH:D002318"
    assert composite.components == ("cardiovascular depression", "respiratory depression")


@pytest.mark.parametrize("split", BIORED)
def test_biored_pubtator_counts(biored: dict, split: str) -> None:
    docs = biored[split]
    n_docs, n_mentions, n_relations = BIORED[split]
    assert len(docs) == n_docs
    assert sum(len(d.gold_mentions) for d in docs) == n_mentions
    assert sum(len(d.gold_relations) for d in docs) == n_relations
    assert not [m for d in docs for m in d.offset_mismatches()]
    assert {g.mention.category for d in docs for g in d.gold_mentions} == {
        Category.GENE, Category.DISEASE, Category.CHEMICAL, Category.TAXON, Category.VARIANT,
        Category.CELL_LINE,
    }
    assert {r.novelty for d in docs for r in d.gold_relations} == {"Novel", "No"}
    for doc in docs:  # every relation argument is an entity mentioned in the document
        ids = {i for g in doc.gold_mentions for i in g.ids}
        assert all(r.id1 in ids and r.id2 in ids for r in doc.gold_relations), doc.pmid


def test_biored_identifiers(biored: dict) -> None:
    docs = {d.pmid: d for d in biored["Train"]}
    doc = docs["10491763"]
    by_text = {g.mention.text: g for g in doc.gold_mentions}
    assert by_text["Hepatocyte nuclear factor-6"].ids == ("NCBIGene:3175",)
    assert by_text["MODY"].ids == ("NCBIGene:3172", "NCBIGene:3651", "NCBIGene:6927")
    assert by_text["patients"].ids == ("NCBITaxon:9606",)
    assert by_text["Pro75 Ala"].ids == ("dbSNP:rs74805019",)
    assert by_text["glucose"].mention.category is Category.CHEMICAL
    assert ("Association", "NCBIGene:3175", "MESH:D003924", "No") in {
        (r.type, r.id1, r.id2, r.novelty) for r in doc.gold_relations
    }
    dev = {d.pmid: d for d in biored["Dev"]}["16152606"]
    variant = next(g for g in dev.gold_mentions if g.raw_id == "c|SUB|C|643|T")
    assert variant.ids == ("tmVar:c|SUB|C|643|T",) and variant.mention.text == "643C>T"  # keeps its "|"
    assert ("Association", "MESH:D054198", "tmVar:c|SUB|C|643|T") in {
        (r.type, r.id1, r.id2) for r in dev.gold_relations
    }
    cell_lines = {i for d in docs.values() for g in d.gold_mentions for i in g.ids if i.startswith("CVCL")}
    assert "CVCL:0030" in cell_lines
    # a relation naming a composite disease mention by its whole id column
    assert ("Negative_Correlation", "MESH:D010862", "MESH:D017180") in {  # "D017180|D014693"
        (r.type, r.id1, r.id2) for r in docs["19721134"].gold_relations
    }


@pytest.mark.parametrize(("bioc", "pubtator"), [
    ("bc5cdr/bioc_xml/CDR_TrainingSet.BioC.xml", "bc5cdr/pubtator/CDR_TrainingSet.PubTator.txt"),
    ("bc5cdr/bioc_xml/CDR_DevelopmentSet.BioC.xml", "bc5cdr/pubtator/CDR_DevelopmentSet.PubTator.txt"),
    ("biored/bioc_xml/Train.BioC.XML", "biored/pubtator/Train.PubTator"),
    ("biored/bioc_xml/Dev.BioC.XML", "biored/pubtator/Dev.PubTator"),
])
def test_bioc_matches_pubtator(corpora: Path, bioc: str, pubtator: str) -> None:
    from_bioc = annotated(list(read_bioc(corpora / bioc)))
    from_pubtator = annotated(list(read_pubtator(corpora / pubtator)))
    assert len(from_bioc) == len(from_pubtator)
    for a, b in zip(from_bioc, from_pubtator, strict=True):
        assert comparable(a) == comparable(b)


def test_bioc_individual_mentions(corpora: Path) -> None:
    """BC5CDR BioC adds the components of composite mentions, some discontinuous; one is misplaced."""
    docs = annotated(list(read_bioc(corpora / "bc5cdr/bioc_xml/CDR_TrainingSet.BioC.xml",
                                    include_individual_mentions=True)))
    assert sum(len(d.gold_mentions) for d in docs) == 9385 + 185
    discontinuous = [g for d in docs for g in d.gold_mentions if g.spans]
    assert discontinuous and all(len(g.spans) > 1 for g in discontinuous)
    ocular = next(g for g in discontinuous if g.mention.text == "Ocular toxicity")
    assert ocular.spans == ((0, 6), (20, 28))
    mismatched = [(d.pmid, g.mention.text) for d in docs for g in d.offset_mismatches()]
    assert mismatched == [("15863244", "midline (MD) defects")]  # off by two in the corpus


@pytest.mark.parametrize("split", NCBI)
def test_ncbi_disease(corpora: Path, split: str) -> None:
    docs = annotated(list(read_ncbi_disease(corpora / "ncbi_disease" / f"NCBI{split}set_corpus.txt")))
    n_docs, n_mentions = NCBI[split]
    assert (len(docs), sum(len(d.gold_mentions) for d in docs)) == (n_docs, n_mentions)
    assert {g.mention.category for d in docs for g in d.gold_mentions} == {Category.DISEASE}
    assert {g.corpus_type for d in docs for g in d.gold_mentions} == {
        "SpecificDisease", "DiseaseClass", "CompositeMention", "Modifier"
    }
    prefixes = Counter(i.split(":")[0] for d in docs for g in d.gold_mentions for i in g.ids)
    assert set(prefixes) == {"MESH", "OMIM"}
    assert all(g.ids for d in docs for g in d.gold_mentions)
    mismatches = [(d.pmid, g.mention.text) for d in docs for g in d.offset_mismatches()]
    # one train mention's text column carries two trailing spaces that its offsets leave out
    assert mismatches == ([("10923035", 'generalized epilepsy and febrile seizures " plus "  ')]
                          if split == "train" else [])


def test_ncbi_disease_composite_ids(corpora: Path) -> None:
    docs = {d.pmid: d for d in read_ncbi_disease(corpora / "ncbi_disease" / "NCBItrainset_corpus.txt")}
    composite = next(g for g in docs["10192393"].gold_mentions if g.corpus_type == "CompositeMention")
    assert composite.mention.text == "colon and some other cancers"
    assert composite.ids == ("MESH:D003110", "MESH:D009369")
    plus = next(g for d in docs.values() for g in d.gold_mentions if "+" in g.raw_id)
    assert len(plus.ids) == 2


def test_gsc_plus(corpora: Path) -> None:
    gold = annotated(list(read_gsc_plus(corpora / "gsc_plus_hpo" / "GSCplus_dev_gold.tsv")))
    inputs = {d.pmid: d for d in annotated(list(read_pubtator(corpora / "gsc_plus_hpo" /
                                                               "GSCplus_dev_input.PubTator")))}
    assert (len(gold), sum(len(d.gold_mentions) for d in gold)) == (22, 173)
    assert all(i.startswith("HP:") for d in gold for g in d.gold_mentions for i in g.ids)
    assert {g.mention.category for d in gold for g in d.gold_mentions} == {Category.PHENOTYPE}
    assert not [m for d in gold for m in d.offset_mismatches()]
    assert all(inputs[d.pmid].document.text == d.document.text for d in gold)  # CRLF stripped in both
    assert all(not d.gold_mentions and d.document.abstract == "" for d in inputs.values())
