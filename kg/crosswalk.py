"""Identifier crosswalks: which node a drug, gene or disease of one source gets, so that the sources meet.

medkg's NER normalises chemicals and diseases to MeSH, and the curated sources name the same things by DrugCentral,
DrugBank, ChEBI, HGNC, DOID, UMLS, OMIM and Orphanet ids. The tables here, all read from the shared data folder
(the root holding ``kb/``), map those ids onto one node per thing:

* drugs (:func:`drug_curies`, :func:`drug_crosswalk`): DrugCentral's ``identifiers.tsv`` gives each DrugCentral drug
  its MeSH descriptor (``MESH:D…``), else its MeSH supplementary concept (``MESH:C…``), else ``DRUGBANK:DB…``, else
  ``CHEBI:…``; a DrugBank/ChEBI/MeSH CURIE of another source (PharmGKB's ``drugs.tsv`` cross-references,
  :func:`drug_xrefs`) is walked to the node DrugCentral gives the same drug;
* genes (:func:`gene_ids`): HGNC symbol → ``NCBIGene:<id>`` from Hetionet's gene nodes (the NCBI Gene ids of 20,945
  human genes);
* diseases (:class:`DiseaseCrosswalk`): the Disease Ontology's cross-references (``allXREFinDO.tsv``) give a DOID
  its single MeSH descriptor, its OMIM and Orphanet ids (at most ``MAX_CROSSWALK``) and a UMLS CUI its single DOID.

The Hetionet and Disease Ontology tables are optional (without them the maps are empty and the importers fall back
to UniProt, DOID and UMLS ids), and so is DrugCentral for :func:`drug_crosswalk`. Used by the
DrugCentral, Hetionet and PharmGKB importers (``kg.importers``) and by the gene → drug evaluation
(``queries.gene_drug_evaluation``); it reads files only, never the store.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kg.tsv import data_rows, quoted_list

DRUGCENTRAL_DIR = Path("kb/drugcentral")
HETIONET_NODES = Path("kb/hetionet/hetionet-v1.0-nodes.tsv")
DO_XREFS = Path("kb/disease_ontology/DOreports/allXREFinDO.tsv")
PHARMGKB_DIR = Path("kb/pharmgkb")
MAX_CROSSWALK = 3  # a DOID with more OMIM/Orphanet ids is a group (e.g. "prostate cancer"), not one disease

_DRUG_ID_PREFERENCE = (("MESH_DESCRIPTOR_UI", "MESH"), ("MESH_SUPPLEMENTAL_RECORD_UI", "MESH"),
                       ("DRUGBANK_ID", "DRUGBANK"), ("CHEBI", "CHEBI"))


def drugcentral_root(data: Path) -> Path:
    """The shared data root for ``data`` given as the root or as its ``kb/drugcentral`` folder."""
    data = Path(data)
    if (data / "drug_target.tsv").is_file():
        return data.parent.parent
    if (data / DRUGCENTRAL_DIR / "drug_target.tsv").is_file():
        return data
    raise FileNotFoundError(f"no DrugCentral tables (drug_target.tsv) in {data} or {data / DRUGCENTRAL_DIR}; "
                            "pass the shared data folder (--data or KG_SHARED_DATA)")


def drug_curies(path: Path, problems: list[str]) -> dict[str, str]:
    """DrugCentral DRUG_ID → the preferred CURIE of the drug (MeSH descriptor, supplement, DrugBank, ChEBI)."""
    xrefs: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for _, (drug_id, _, id_type, identifier, *_) in data_rows(path, 4, problems):
        if drug_id and identifier:
            xrefs[drug_id][id_type].append(identifier)
    chosen = {}
    for drug_id, by_type in xrefs.items():
        for id_type, prefix in _DRUG_ID_PREFERENCE:
            if by_type.get(id_type):
                local = sorted(by_type[id_type])[0]
                chosen[drug_id] = local if local.upper().startswith(f"{prefix}:") else f"{prefix}:{local}"
                break
    return chosen


def drug_crosswalk(data: Path) -> dict[str, str]:
    """DrugBank/ChEBI/MeSH CURIE → the CURIE DrugCentral's importer gives the same drug (empty without the tables).

    Lets other importers (PharmGKB) put their drugs on DrugCentral's nodes.
    """
    try:
        path = drugcentral_root(data) / DRUGCENTRAL_DIR / "identifiers.tsv"
    except FileNotFoundError:
        return {}
    chosen = drug_curies(path, [])
    walk: dict[str, str] = {}
    prefixes = dict(_DRUG_ID_PREFERENCE)
    for _, (drug_id, _, id_type, identifier, *_) in data_rows(path, 4, []):
        if drug_id in chosen and id_type in prefixes and identifier:
            prefix = prefixes[id_type]
            curie = identifier if identifier.upper().startswith(f"{prefix}:") else f"{prefix}:{identifier}"
            walk.setdefault(curie, chosen[drug_id])
    return walk


def drug_xrefs(row: dict[str, str]) -> dict[str, list[str]]:
    """Prefix (MESH, DRUGBANK, CHEBI) → CURIEs from a PharmGKB drugs.tsv row's cross-references and vocabulary."""
    found: dict[str, list[str]] = defaultdict(list)
    for ref in quoted_list(row.get("Cross-references", "")) + quoted_list(row.get("External Vocabulary", "")):
        prefix, _, local = ref.partition(":")
        local = local.split("(", 1)[0].strip()
        if prefix == "MeSH" and local:
            found["MESH"].append(f"MESH:{local}")
        elif prefix == "DrugBank" and local:
            found["DRUGBANK"].append(f"DRUGBANK:{local}")
        elif prefix == "ChEBI" and local:
            found["CHEBI"].append(local if local.upper().startswith("CHEBI:") else f"CHEBI:{local}")
    return found


def gene_ids(path: Path) -> dict[str, str]:
    """HGNC symbol → NCBIGene CURIE from Hetionet's gene nodes (empty when the file is absent)."""
    if not path.is_file():
        return {}
    ids: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            node, name, kind = (line.rstrip("\n").split("\t") + ["", ""])[:3]
            if kind == "Gene" and node.startswith("Gene::"):
                ids.setdefault(name, f"NCBIGene:{node[len('Gene::'):]}")
    return ids


@dataclass(slots=True)
class DiseaseCrosswalk:
    """Disease Ontology cross-references: DOID → MeSH / OMIM / Orphanet ids and UMLS CUI → DOID."""

    mesh: dict[str, str] = field(default_factory=dict)  # only DOIDs with exactly one MeSH descriptor
    rare: dict[str, list[str]] = field(default_factory=dict)  # OMIM/ORPHA ids, at most MAX_CROSSWALK per DOID
    labels: dict[str, str] = field(default_factory=dict)
    doid_of_cui: dict[str, str] = field(default_factory=dict)  # only CUIs of exactly one DOID

    def node(self, doid: str) -> str:
        """The node a DOID's disease gets: its single MeSH descriptor, else the DOID itself ("" for none)."""
        return self.mesh.get(doid) or doid

    @classmethod
    def read(cls, path: Path) -> DiseaseCrosswalk:
        """From ``allXREFinDO.tsv`` (an empty crosswalk when the file is absent)."""
        if not path.is_file():
            return cls()
        mesh: dict[str, set[str]] = defaultdict(set)
        rare: dict[str, set[str]] = defaultdict(set)
        cuis: dict[str, set[str]] = defaultdict(set)
        labels = {}
        for _, (doid, label, xref, *_) in data_rows(path, 3, []):
            labels[doid] = label
            prefix, _, local = xref.partition(":")
            if prefix == "MESH" and local.startswith("D"):
                mesh[doid].add(xref)
            elif prefix == "MIM" and local.isdigit():
                rare[doid].add(f"OMIM:{local}")
            elif prefix == "ORDO" and local.isdigit():
                rare[doid].add(f"ORPHA:{local}")
            elif prefix == "UMLS_CUI" and local:
                cuis[local].add(doid)
        return cls({d: next(iter(m)) for d, m in mesh.items() if len(m) == 1},
                   {d: sorted(r) for d, r in rare.items() if len(r) <= MAX_CROSSWALK}, labels,
                   {cui: next(iter(d)) for cui, d in cuis.items() if len(d) == 1})
