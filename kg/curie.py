"""CURIE handling: one canonical prefix style (Biolink's: ``MESH``, ``NCBIGene``, ``HP``, ``DRUGBANK``).

The prefix map is an extended prefix map generated from the Bioregistry (``python -m kg.curie``)
and shipped as ``kg/data/prefixes.json``: building a converter from the full Bioregistry takes
~30 s, loading the shipped subset takes milliseconds. Conversion itself is done by ``curies``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import curies

PREFIX_MAP_PATH = Path(__file__).parent / "data" / "prefixes.json"

LOCAL_PREFIX = "medkg"
"""Prefix of stable local identifiers for mentions that no vocabulary could normalize."""

# Bioregistry prefixes of the vocabularies medkg reads or writes.
_PREFIXES = (
    "mesh", "ncbigene", "hgnc", "hp", "drugbank", "chebi", "omim", "omim.ps", "doid", "mondo",
    "orphanet", "ncbitaxon", "cellosaurus", "dbsnp", "pubmed", "umls", "uniprot", "efo", "so",
    "go", "uberon", "pharmgkb.gene", "pharmgkb.drug", "pharmgkb.disease", "pubchem.compound",
    "unii", "cas", "symp", "biolink", "decipher", "ncit", "hgvs", "clinvar", "doi",
)
# Biolink's spelling where it differs from the Bioregistry's preferred prefix.
_BIOLINK_STYLE = {
    "mesh": "MESH", "drugbank": "DRUGBANK", "omim": "OMIM", "hgnc": "HGNC", "umls": "UMLS", "pubmed": "PMID",
    "orphanet": "ORPHA", "dbsnp": "dbSNP", "cellosaurus": "CVCL", "omim.ps": "OMIMPS",
    "uniprot": "UniProtKB", "cas": "CAS", "unii": "UNII", "symp": "SYMP", "ncit": "NCIT",
}


def build_prefix_map(path: Path = PREFIX_MAP_PATH) -> int:
    """Regenerate the shipped extended prefix map from the installed Bioregistry; returns its size."""
    import bioregistry  # only needed to regenerate; slow to import and to build from

    converter = bioregistry.get_converter(
        prefix_priority=["preferred", "default"],
        uri_prefix_priority=["obofoundry", "rdf", "default"],
        remapping=_BIOLINK_STYLE,
    )
    wanted = {_BIOLINK_STYLE.get(p, bioregistry.get_preferred_prefix(p) or p) for p in _PREFIXES}
    records = [r for r in converter.records if r.prefix in wanted]
    records.append(curies.Record(prefix=LOCAL_PREFIX, uri_prefix="https://w3id.org/medkg/local/"))
    payload = [r.model_dump(exclude_defaults=True) for r in sorted(records, key=lambda r: r.prefix)]
    path.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n")
    return len(payload)


@cache
def converter() -> curies.Converter:
    return curies.load_extended_prefix_map(PREFIX_MAP_PATH)


def normalize_curie(curie: str) -> str:
    """Return the canonical spelling of a CURIE (``mesh:D003924`` → ``MESH:D003924``).

    A CURIE with a prefix outside the shipped map is kept as written (trimmed), so that identifiers
    from a vocabulary we do not know yet are not lost; a string without ``prefix:id`` is an error.
    """
    curie = curie.strip()
    prefix, sep, local = curie.partition(":")
    if not sep or not prefix or not local:
        raise ValueError(f"not a CURIE (expected PREFIX:ID): {curie!r}")
    return converter().standardize_curie(curie) or curie


if __name__ == "__main__":
    print(f"wrote {build_prefix_map()} prefixes to {PREFIX_MAP_PATH}")
