"""Species mentions → NCBI Taxonomy identifiers.

NCBI Taxonomy itself (``names.dmp``, 2.6M taxa) is not obtainable offline here, so this is a curated table of the
organisms biomedical abstracts name most: humans (with the words that stand for them in a clinical text — "patients",
"women", "volunteers"; BioRED annotates these as *Homo sapiens*), the model organisms, laboratory and farm animals,
and the common pathogens, each under its common names, plurals, adjective ("murine", "bovine") and Latin binomial
with its abbreviated genus ("E. coli"). The identifiers are NCBI Taxonomy's (checked against the BioRED training
annotations, which use them). A species the table does not know keeps a local identifier, as before.
"""

from __future__ import annotations

import re

HUMAN = "NCBITaxon:9606"

_TAXA: dict[str, tuple[str, ...]] = {
    HUMAN: ("human", "humans", "homo sapiens", "h. sapiens", "patient", "patients", "man", "men", "woman",
            "women", "child", "children", "boy", "boys", "girl", "girls", "infant", "infants", "neonate",
            "neonates", "newborn", "newborns", "adult", "adults", "adolescent", "adolescents", "volunteer",
            "volunteers", "participant", "participants", "individual", "individuals", "person", "persons",
            "people", "subject", "subjects", "proband", "probands", "outpatient", "outpatients", "inpatient",
            "inpatients", "family members", "mother", "mothers", "father", "fathers", "twins", "sibling", "siblings",
            "donor", "donors", "healthy volunteers", "healthy subjects"),
    "NCBITaxon:10090": ("mouse", "mice", "murine", "mus musculus", "m. musculus"),
    "NCBITaxon:10116": ("rat", "rats", "rattus norvegicus", "r. norvegicus", "wistar rats", "sprague-dawley rats",
                        "sprague dawley rats"),
    "NCBITaxon:10141": ("guinea pig", "guinea pigs", "guinea-pig", "guinea-pigs", "cavia porcellus"),
    "NCBITaxon:10036": ("hamster", "hamsters", "mesocricetus auratus", "golden hamster", "syrian hamster"),
    "NCBITaxon:9986": ("rabbit", "rabbits", "oryctolagus cuniculus"),
    "NCBITaxon:9615": ("dog", "dogs", "canine", "canis familiaris", "canis lupus familiaris"),
    "NCBITaxon:9685": ("cat", "cats", "feline", "felis catus"),
    "NCBITaxon:9823": ("pig", "pigs", "porcine", "swine", "sus scrofa", "piglet", "piglets"),
    "NCBITaxon:9913": ("cattle", "cow", "cows", "bovine", "bos taurus", "calf", "calves"),
    "NCBITaxon:9940": ("sheep", "ovine", "ovis aries", "lamb", "lambs", "ewe", "ewes"),
    "NCBITaxon:9925": ("goat", "goats", "caprine", "capra hircus"),
    "NCBITaxon:9796": ("horse", "horses", "equine", "equus caballus"),
    "NCBITaxon:9544": ("rhesus monkey", "rhesus monkeys", "rhesus macaque", "rhesus macaques", "macaca mulatta"),
    "NCBITaxon:9541": ("cynomolgus monkey", "cynomolgus monkeys", "macaca fascicularis"),
    "NCBITaxon:9598": ("chimpanzee", "chimpanzees", "pan troglodytes"),
    "NCBITaxon:9031": ("chicken", "chickens", "chick", "chicks", "gallus gallus"),
    "NCBITaxon:7955": ("zebrafish", "danio rerio", "d. rerio"),
    "NCBITaxon:8355": ("xenopus laevis", "x. laevis", "xenopus"),
    "NCBITaxon:7227": ("drosophila", "drosophila melanogaster", "d. melanogaster", "fruit fly", "fruit flies"),
    "NCBITaxon:6239": ("c. elegans", "caenorhabditis elegans", "nematode", "nematodes"),
    "NCBITaxon:4932": ("yeast", "yeasts", "saccharomyces cerevisiae", "s. cerevisiae", "budding yeast",
                       "baker's yeast"),
    "NCBITaxon:4896": ("schizosaccharomyces pombe", "s. pombe", "fission yeast"),
    "NCBITaxon:3702": ("arabidopsis", "arabidopsis thaliana", "a. thaliana"),
    "NCBITaxon:4097": ("tobacco", "nicotiana tabacum"),
    "NCBITaxon:4530": ("rice", "oryza sativa"),
    "NCBITaxon:562": ("e. coli", "escherichia coli"),
    "NCBITaxon:1280": ("staphylococcus aureus", "s. aureus"),
    "NCBITaxon:1773": ("mycobacterium tuberculosis", "m. tuberculosis"),
    "NCBITaxon:287": ("pseudomonas aeruginosa", "p. aeruginosa"),
    "NCBITaxon:1313": ("streptococcus pneumoniae", "s. pneumoniae", "pneumococcus"),
    "NCBITaxon:210": ("helicobacter pylori", "h. pylori"),
    "NCBITaxon:573": ("klebsiella pneumoniae", "k. pneumoniae"),
    "NCBITaxon:590": ("salmonella",),
    "NCBITaxon:1639": ("listeria monocytogenes", "l. monocytogenes"),
    "NCBITaxon:5476": ("candida albicans", "c. albicans"),
    "NCBITaxon:5833": ("plasmodium falciparum", "p. falciparum"),
    "NCBITaxon:5691": ("trypanosoma brucei", "t. brucei"),
    "NCBITaxon:2": ("bacteria", "bacterium"),
    "NCBITaxon:11676": ("hiv-1", "hiv 1", "hiv", "human immunodeficiency virus type 1",
                        "human immunodeficiency virus 1"),
    "NCBITaxon:12721": ("human immunodeficiency virus",),
    "NCBITaxon:11709": ("hiv-2", "hiv 2", "human immunodeficiency virus type 2"),
    "NCBITaxon:10407": ("hbv", "hepatitis b virus"),
    "NCBITaxon:11103": ("hcv", "hepatitis c virus"),
    "NCBITaxon:10566": ("hpv", "hpvs", "human papillomavirus", "human papillomaviruses", "human papilloma virus"),
    "NCBITaxon:10298": ("hsv-1", "herpes simplex virus 1", "herpes simplex virus type 1"),
    "NCBITaxon:10376": ("ebv", "epstein-barr virus", "epstein barr virus"),
    "NCBITaxon:10359": ("hcmv", "human cytomegalovirus"),
    "NCBITaxon:10358": ("cmv", "cytomegalovirus"),
    "NCBITaxon:11320": ("influenza a virus",),
    "NCBITaxon:2697049": ("sars-cov-2", "severe acute respiratory syndrome coronavirus 2"),
    "NCBITaxon:694009": ("sars-cov", "sars coronavirus"),
    "NCBITaxon:11082": ("west nile virus", "wnv"),
    "NCBITaxon:12637": ("dengue virus", "denv"),
    "NCBITaxon:11060": ("dengue virus type 2", "dengue virus 2", "den-2", "denv-2", "denv2", "rden2", "rden-2"),
    "NCBITaxon:11070": ("dengue virus type 4", "den-4", "denv-4"),
    "NCBITaxon:64320": ("zika virus", "zikv"),
}

SPECIES_NAMES: dict[str, str] = {name: taxon for taxon, names in _TAXA.items() for name in names}
"""Lower-cased name → NCBITaxon CURIE."""

_SPACE = re.compile(r"\s+")


def _display_name(names: tuple[str, ...]) -> str:
    """The Latin binomial where the table has one ("Mus musculus"), else the first name."""
    latin = [n for n in names if len(n.split()) == 2 and "." not in n and n.split()[1].isalpha()]
    return (latin[0] if latin else names[0]).capitalize()


SPECIES_DISPLAY_NAMES: dict[str, str] = {taxon: _display_name(names) for taxon, names in _TAXA.items()}
"""NCBITaxon CURIE → the name its entity is given."""


def species_curie(text: str) -> str | None:
    """The NCBITaxon CURIE of a species mention, or ``None`` when the table does not know it."""
    key = _SPACE.sub(" ", text.strip().lower()).strip(" .,;:()")
    return SPECIES_NAMES.get(key) or SPECIES_NAMES.get(key.replace("-", " "))
