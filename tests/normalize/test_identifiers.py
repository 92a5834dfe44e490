"""Species and sequence variants: identifiers computed from the mention (no lexicon), as the Normalizer gives them."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.normalize.component import Normalizer
from extractors.normalize.species import species_curie
from extractors.normalize.variant_ids import variant_curie
from extractors.readers import ReadError, read_pubtator
from kg.schema import Category, Document, Mention


@pytest.mark.parametrize(("text", "expected"), [
    ("patients", "NCBITaxon:9606"), ("Human", "NCBITaxon:9606"), ("mice", "NCBITaxon:10090"),
    ("Murine", "NCBITaxon:10090"), ("rats", "NCBITaxon:10116"), ("E. coli", "NCBITaxon:562"),
    ("Saccharomyces  cerevisiae", "NCBITaxon:4932"), ("HIV-1", "NCBITaxon:11676"), ("guinea-pigs", "NCBITaxon:10141"),
    ("Platonia insignis", None), ("cells", None),
])
def test_species(text: str, expected: str | None) -> None:
    assert species_curie(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("rs6277", "dbSNP:rs6277"), ("RS 12345", "dbSNP:rs12345"),
    ("c.643C>T", "tmVar:c|SUB|C|643|T"), ("g.3318-6T>A", "tmVar:g|SUB|T|3318-6|A"),
    ("-107C/T", "tmVar:c|SUB|C|-107|T"), ("1123T-->G", "tmVar:c|SUB|T|1123|G"),
    ("p.Arg215Trp", "tmVar:p|SUB|R|215|W"), ("R215W", "tmVar:p|SUB|R|215|W"), ("p.Tyr65X", "tmVar:p|SUB|Y|65|X"),
    ("p.Gln12*", "tmVar:p|SUB|Q|12|X"), ("valine-539-aspartic acid", "tmVar:p|SUB|V|539|D"),
    ("192Q/R", "tmVar:p|SUB|Q|192|R"), ("4153delA", "tmVar:c|DEL|4153|A"), ("5382insC", "tmVar:c|INS|5382|C"),
    ("2172_2173insCCCC", "tmVar:c|INS|2172_2173|CCCC"), ("1494del6", "tmVar:c|DEL|1494|6"),
    ("p.K316fs", "tmVar:p|FS|K|316|X"),
    ("C61G", None),  # a nucleotide or an amino-acid change: not guessed
    ("D90A", "tmVar:p|SUB|D|90|A"), ("a 32-bp deletion", None), ("mutation", None),
])
def test_variant_forms(text: str, expected: str | None) -> None:
    assert variant_curie(text) == expected


def test_variant_forms_agree_with_biored_training_annotations(shared_data: Path) -> None:
    """Where the converter gives a tmVar key and BioRED's gold is a tmVar key (not an rs number looked up in a
    database), they agree: the converter is right about the shapes it accepts."""
    right = wrong = 0
    for record in read_pubtator(shared_data / "corpora/biored/pubtator/Train.PubTator"):
        assert not isinstance(record, ReadError)
        for gold in record.gold_mentions:
            if gold.mention.category != Category.VARIANT or not gold.ids or not gold.ids[0].startswith("tmVar:"):
                continue
            predicted = variant_curie(gold.mention.text)
            if predicted is not None:
                right, wrong = right + (predicted in gold.ids), wrong + (predicted not in gold.ids)
    assert right >= 140
    assert right / (right + wrong) >= 0.8


def test_normalizer_gives_taxa_and_variants_their_ids_and_keeps_the_rest_local() -> None:
    text = "In patients and mice, the c.643C>T variant and rs6277 were studied in Platonia insignis."
    spans = [("patients", Category.TAXON), ("mice", Category.TAXON), ("c.643C>T", Category.VARIANT),
             ("rs6277", Category.VARIANT), ("Platonia insignis", Category.TAXON)]
    doc = Document("1", text)
    doc.mentions = [Mention(text.index(s), text.index(s) + len(s), s, c) for s, c in spans]
    Normalizer(use_abbreviations=False)([doc])
    ids = [m.entity_id for m in doc.mentions]
    assert ids[:4] == ["NCBITaxon:9606", "NCBITaxon:10090", "tmVar:c|SUB|C|643|T", "dbSNP:rs6277"]
    assert ids[4] is not None and ids[4].startswith("medkg:")
    names = {e.id: e.name for e in doc.entities}
    assert names["NCBITaxon:9606"] == "Homo sapiens"


def test_genes_of_a_mouse_paper_are_not_given_human_gene_ids() -> None:
    mouse = Document("2", "Mapk14 was knocked out in mice; CYP2D6 is absent.")
    mixed = Document("3", "Mapk14 in mice and in patients.")
    for doc in (mouse, mixed):
        text = doc.text
        doc.mentions = [Mention(0, 6, "Mapk14", Category.GENE)]
        doc.mentions += [Mention(text.index(w), text.index(w) + len(w), w, Category.TAXON)
                         for w in ("mice", "patients") if w in text]
    Normalizer(use_abbreviations=False)([mouse, mixed])
    assert mouse.mentions[0].entity_id.startswith("medkg:Gene:")  # mouse Mapk14 has no NCBI Gene id here
    assert mixed.mentions[0].entity_id == "NCBIGene:1432"  # humans named too: the human gene may be meant
