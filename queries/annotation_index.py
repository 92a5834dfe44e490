"""Every has_phenotype edge's support as flat numpy arrays, grouped by phenotype, for vectorized symptom scoring.

Built once per :class:`queries.symptoms.AnnotationStats` from its phenotype → [(disease, weight, PMIDs, sources)]
lists. Diseases are numbered in id order and each phenotype's edges are stored in disease order, so that

* the edges of a set of phenotypes, in phenotype-id order, are one gather (``edges_of``), and "the first edge"
  of a disease among them is the one of its smallest phenotype id — the order in which the Python scoring
  loop visited them, which the exact scores reproduce;
* one (disease, phenotype) edge is found by binary search (``edge``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

Support = tuple[str, float, tuple[str, ...], tuple[str, ...]]
"""One has_phenotype edge: (disease id, support weight, PMIDs of text-mined support, knowledge sources)."""


class SupportIndex:
    def __init__(self, support: Mapping[str, Sequence[Support]]) -> None:
        self.diseases: list[str] = sorted({d for edges in support.values() for d, *_ in edges})
        self.disease_index = {d: i for i, d in enumerate(self.diseases)}
        self.terms: list[str] = sorted(support)
        self.term_index = {t: i for i, t in enumerate(self.terms)}
        n_edges = sum(len(edges) for edges in support.values())
        self.ptr = np.zeros(len(self.terms) + 1, dtype=np.int64)
        disease = np.empty(n_edges, dtype=np.int64)
        weight = np.empty(n_edges, dtype=np.float64)
        n_pmids = np.empty(n_edges, dtype=np.int64)
        self.pmids: list[tuple[str, ...]] = []
        self.sources: list[tuple[str, ...]] = []
        interned: dict[tuple[str, ...], tuple[str, ...]] = {}
        at = 0
        for t, term in enumerate(self.terms):
            for d, w, pmids, sources in support[term]:
                disease[at], weight[at], n_pmids[at] = self.disease_index[d], w, len(set(pmids))
                self.pmids.append(pmids)
                self.sources.append(interned.setdefault(sources, sources))
                at += 1
            self.ptr[t + 1] = at
        self.disease, self.weight, self.n_pmids = disease, weight, n_pmids
        self.term_of_edge = np.repeat(np.arange(len(self.terms), dtype=np.int64), np.diff(self.ptr))

    def edges_of(self, terms: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The edges of the given phenotypes (in the given order, which should be id order) as edge numbers, and
        for each edge the position of its phenotype in ``terms``."""
        positions = np.array([self.term_index[t] for t in terms], dtype=np.int64)
        starts, lengths = self.ptr[positions], self.ptr[positions + 1] - self.ptr[positions]
        total = int(lengths.sum())
        offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        return offsets + np.arange(total, dtype=np.int64), np.repeat(np.arange(len(terms)), lengths)

    def edge(self, disease_id: str, term: str) -> int | None:
        """The edge number of (disease, phenotype), or None."""
        t, d = self.term_index.get(term), self.disease_index.get(disease_id)
        if t is None or d is None:
            return None
        lo, hi = int(self.ptr[t]), int(self.ptr[t + 1])
        at = lo + int(np.searchsorted(self.disease[lo:hi], d))
        return at if at < hi and self.disease[at] == d else None
