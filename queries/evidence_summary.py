"""An edge's evidence in a few grounded statements: how many papers, which years, the strongest sentences,
agreement and contradiction.

Every statement is templated from stored evidence and carries the PMIDs it rests on, so that a reader can check
each one (nothing is generated). Agreement is the edge's own non-negated, non-speculative sentences; contradiction
is its negated sentences plus the evidence of the *opposite* edge between the same two entities (``increases_…`` vs
``decreases_…``, positive vs negative correlation) — the disagreement a pharmacogenomics reader acts on. Speculative
sentences ("may inhibit") are counted apart: they neither support nor contradict.
"""

from __future__ import annotations

from typing import Any

from kg.provenance import STATISTICAL_EXTRACTORS, STATISTICAL_SOURCES, TEXT_MINED_SOURCE
from kg.schema import Predicate
from kg.store.base import GraphStore
from queries.answers import DigestStatement as Statement
from queries.answers import EvidenceDigest, StrongSentence

OPPOSITE_PREDICATES: dict[str, str] = {
    Predicate.INCREASES_ACTIVITY_OF: Predicate.DECREASES_ACTIVITY_OF,
    Predicate.DECREASES_ACTIVITY_OF: Predicate.INCREASES_ACTIVITY_OF,
    Predicate.INCREASES_EXPRESSION_OF: Predicate.DECREASES_EXPRESSION_OF,
    Predicate.DECREASES_EXPRESSION_OF: Predicate.INCREASES_EXPRESSION_OF,
    Predicate.POSITIVELY_CORRELATED_WITH: Predicate.NEGATIVELY_CORRELATED_WITH,
    Predicate.NEGATIVELY_CORRELATED_WITH: Predicate.POSITIVELY_CORRELATED_WITH,
}
"""Predicates whose statements contradict each other between the same subject and object."""

MAX_EVIDENCE = 500
"""Evidence sentences read per edge (best first); counts beyond it come from the edge's own aggregates."""


def summarize_edge(store: GraphStore, subject: str, predicate: str, obj: str, *, strongest: int = 3,
                   edge: dict[str, Any] | None = None, rows: list[dict[str, Any]] | None = None
                   ) -> EvidenceDigest | None:
    """The digest of the edge ``subject -predicate-> obj``; None when the graph has no such edge.

    ``edge`` (its ``edge_summary`` row) and ``rows`` (its ``edge_evidence`` rows, best first) are read from the
    store unless the caller has them already; only the first :data:`MAX_EVIDENCE` rows are used."""
    if edge is None:
        summary = store.query("edge_summary", subject=subject, predicate=predicate, object=obj)
        if not summary:
            return None
        edge = summary[0]
    if rows is None:
        rows = store.query("edge_evidence", subject=subject, predicate=predicate, object=obj, limit=MAX_EVIDENCE)
    rows = rows[:MAX_EVIDENCE]
    digest = EvidenceDigest(subject=subject, predicate=predicate, object=obj,
                            subject_name=edge.get("subject_name") or subject,
                            object_name=edge.get("object_name") or obj, first_year=edge.get("first_year"),
                            last_year=edge.get("last_year"))
    sources = edge.get("knowledge_sources") or []
    digest.curated_sources = [s for s in sources if s != TEXT_MINED_SOURCE and s not in STATISTICAL_SOURCES]
    digest.statistical_sources = [s for s in sources if s in STATISTICAL_SOURCES]
    statistical = [r for r in rows if r.get("extractor") in STATISTICAL_EXTRACTORS]
    rows = [r for r in rows if r.get("extractor") not in STATISTICAL_EXTRACTORS]
    digest.statistical_papers = _papers(statistical)
    digest.statistic = statistical[0]["sentence"].split("; this citation")[0] if statistical else ""
    _classify(digest, rows)
    digest.n_papers = len({*digest.supporting_papers, *digest.negated_papers, *digest.speculative_papers}) or (
        0 if statistical else edge.get("n_pmids") or 0)  # beyond MAX_EVIDENCE, the edge's count
    digest.strongest = [_sentence(r) for r in _best_per_paper(rows, strongest)]
    opposite = OPPOSITE_PREDICATES.get(predicate)
    if opposite:
        digest.opposite_predicate = opposite
        opposite_rows = store.query("edge_evidence", subject=subject, predicate=opposite, object=obj,
                                    limit=MAX_EVIDENCE)
        digest.opposite_papers = _papers(r for r in opposite_rows if not r.get("negated"))
    digest.statements = _statements(digest)
    return digest


def _classify(digest: EvidenceDigest, rows: list[dict[str, Any]]) -> None:
    negated = _papers(r for r in rows if r.get("negated"))
    speculative = _papers(r for r in rows if r.get("speculative") and not r.get("negated"))
    digest.supporting_papers = _papers(r for r in rows if not r.get("negated") and not r.get("speculative"))
    digest.negated_papers = negated
    digest.speculative_papers = [p for p in speculative if p not in digest.supporting_papers]


def _papers(rows: Any) -> list[str]:
    """Distinct PMIDs as CURIEs, in first-seen order (rows come best first)."""
    seen: dict[str, None] = {}
    for row in rows:
        seen.setdefault(_pmid(row["pmid"]), None)
    return list(seen)


def _best_per_paper(rows: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """The ``n`` best supporting sentences, at most one per paper (one paper's sentences are not independent)."""
    chosen: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row.get("negated") or row.get("speculative"):
            continue
        chosen.setdefault(str(row["pmid"]), row)
        if len(chosen) == n:
            break
    return list(chosen.values())


def _sentence(row: dict[str, Any]) -> StrongSentence:
    return StrongSentence(pmid=_pmid(row["pmid"]), sentence=row["sentence"], score=row.get("score"),
                          year=row.get("year"))


def _pmid(value: Any) -> str:
    text = str(value)
    return text if text.startswith("PMID:") else f"PMID:{text}"


def _years(first: int | None, last: int | None) -> str:
    if first is None:
        return ""
    return f" ({first})" if first == last or last is None else f" ({first}–{last})"


def _papers_say(papers: list[str], verb: str) -> str:
    """"1 paper states" / "3 papers state" (``verb`` in its plural form)."""
    n = len(papers)
    return f"1 paper {verb}s" if n == 1 else f"{n} papers {verb}"


def _statements(digest: EvidenceDigest) -> list[Statement]:
    said: list[tuple[str, list[str]]] = []
    claim = f"{digest.subject_name} {digest.predicate} {digest.object_name}"
    if digest.curated_sources:
        said.append((f"Curated by {', '.join(digest.curated_sources)}.", []))
    if digest.statistical_sources:
        statistic = f": {digest.statistic}" if digest.statistic else ""
        said.append((f"Statistically associated by {', '.join(digest.statistical_sources)} (not curated)"
                     f"{statistic}.", digest.statistical_papers))
    if digest.supporting_papers:
        said.append((f"{_papers_say(digest.supporting_papers, 'state')} {claim}"
                     f"{_years(digest.first_year, digest.last_year)}.", digest.supporting_papers))
    for best in digest.strongest[:1]:
        said.append((f"Strongest sentence: “{best.sentence}” ({best.pmid}, score {best.score or 0.0:.2f}).",
                     [best.pmid]))
    if digest.speculative_papers:
        said.append((f"{_papers_say(digest.speculative_papers, 'only suggest')} it (speculative).",
                     digest.speculative_papers))
    if digest.negated_papers:
        said.append((f"{_papers_say(digest.negated_papers, 'negate')} it.", digest.negated_papers))
    if digest.opposite_papers:
        said.append((f"{_papers_say(digest.opposite_papers, 'state')} the opposite: {digest.subject_name} "
                     f"{digest.opposite_predicate} {digest.object_name}.", digest.opposite_papers))
    contradicting = len(set(digest.negated_papers) | set(digest.opposite_papers))
    if digest.supporting_papers or contradicting:
        said.append(("No paper contradicts it." if not contradicting else
                     f"Agreement: {len(digest.supporting_papers)} supporting vs {contradicting} contradicting.", []))
    return [Statement(text=text, pmids=list(pmids)) for text, pmids in said]
