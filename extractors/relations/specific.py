"""The most specific disease: of a chemical's ``causes`` edges in one abstract, an edge to a disease that MeSH
places above another of them ("Heart Diseases" beside "Arrhythmias, Cardiac") is not emitted.

The abstract's claim is about the specific disorder; the general one is named for context ("cardiotoxicity,
notably arrhythmias"). BC5CDR annotates the same way (its guidelines ask for the most specific disease). End to
end on BC5CDR dev, such general edges were right 4 times in 42 at the default threshold, well below their
calibrated probability, so they are dropped rather than kept with a score that would break its promise. Measured
in ``models/re/README.md``; ``RelationExtractor(most_specific=False)`` keeps them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from extractors.normalize.mesh_tree import MeshTree, shipped_tree


def more_general(pairs: Sequence[tuple[str, str]], tree: MeshTree | None = None) -> set[int]:
    """Indices of the ``(chemical, disease)`` pairs whose disease is a MeSH ancestor of another pair's disease
    with the same chemical."""
    tree = tree or shipped_tree()
    by_chemical: dict[str, list[int]] = defaultdict(list)
    for k, (chemical, _) in enumerate(pairs):
        by_chemical[chemical].append(k)
    out = set()
    for indices in by_chemical.values():
        if len(indices) < 2:
            continue
        diseases = {pairs[k][1] for k in indices}
        out.update(k for k in indices if any(tree.is_ancestor(pairs[k][1], d) for d in diseases))
    return out
