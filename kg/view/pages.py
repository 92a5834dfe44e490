"""Answer JSON → a self-contained HTML page (see :mod:`kg.view`)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

MAX_GRAPH_ANSWERS = 15
"""Answers drawn in the graph (all of the page's answers are listed below it)."""

COLORS = {"query": "#e4572e", "Gene": "#f3a712", "Drug": "#29335c", "Disease": "#669bbc",
          "PhenotypicFeature": "#a8c686"}
"""Node colours (and displaCy's entity colours) by role or category."""


@dataclass(slots=True)
class PmidLink:
    curie: str
    number: str


@dataclass(slots=True)
class SentenceView:
    html: Markup
    pmid: PmidLink
    score: float


@dataclass(slots=True)
class EdgeView:
    subject_name: str
    predicate: str
    object_name: str
    strength_label: str
    pmids: list[PmidLink]
    sources: list[str]
    sentences: list[SentenceView] = field(default_factory=list)


@dataclass(slots=True)
class AnswerView:
    id: str
    name: str
    score: float
    edges: list[EdgeView]


@dataclass(slots=True)
class Graph:
    """Cytoscape.js elements, each node once."""

    elements: list[dict[str, Any]] = field(default_factory=list)
    _nodes: set[str] = field(default_factory=set)
    _edges: set[tuple[str, str, str]] = field(default_factory=set)

    def node(self, node_id: str, label: str, kind: str, anchor: str = "", query: bool = False) -> None:
        if node_id in self._nodes:
            return
        self._nodes.add(node_id)
        self.elements.append({"data": {"id": node_id, "label": label, "color": COLORS.get(kind, "#888"),
                                       "anchor": anchor}, "classes": "query" if query else ""})

    def edge(self, source: str, target: str, label: str, strength: float) -> None:
        key = (source, target, label)
        if key in self._edges or source not in self._nodes or target not in self._nodes:
            return
        self._edges.add(key)
        self.elements.append({"data": {"id": f"e{len(self._edges)}", "source": source, "target": target,
                                       "label": label, "width": round(1 + 4 * max(0.0, min(strength, 1.0)), 2)}})


def gene_drugs_page(answer: dict[str, Any]) -> str:
    """The page of a ``drugs-for-gene`` answer (:class:`queries.answers.GeneDrugsAnswer` as JSON)."""
    gene = answer.get("gene")
    if not gene:
        bad = answer.get("unrecognized") or {}
        return _render(f"Gene not recognised: {answer.get('query', '')}", bad.get("reason", ""), [], Graph(),
                       answer, notices=[_close_matches(bad.get("close_matches", []))])
    names: dict[str, tuple[str, str]] = {gene["id"]: (gene["name"], "Gene")}  # id -> (name, kind)
    graph = Graph()
    graph.node(gene["id"], gene["name"], "query", query=True)
    answers: list[AnswerView] = []
    for rank, drug in enumerate(answer.get("answers", []), start=1):
        names[drug["drug_id"]] = (drug["drug_name"], "Drug")
        drawn = rank <= MAX_GRAPH_ANSWERS
        if drawn:
            graph.node(drug["drug_id"], drug["drug_name"], "Drug", anchor=f"answer-{rank}")
        edges: list[EdgeView] = []
        for path in drug.get("paths", []):
            if path.get("disease_id"):
                names[path["disease_id"]] = (path.get("disease_name") or path["disease_id"], "Disease")
                if drawn:
                    graph.node(path["disease_id"], names[path["disease_id"]][0], "Disease")
            for edge in path.get("edges", []):
                edges.append(_edge_view(edge, names))
                if drawn:
                    graph.edge(edge["subject"], edge["object"], edge["predicate"], edge.get("strength", 0.0))
        answers.append(AnswerView(drug["drug_id"], drug["drug_name"], drug["score"], edges))
    genotype = f", genotype {answer['genotype']}" if answer.get("genotype") else ""
    subtitle = (f"{gene['name']} ({gene['id']}{genotype}): {answer.get('n_drugs', len(answers))} linked drugs; "
                f"{len(answers)} shown")
    return _render(f"Drugs for {gene['name']}", subtitle, answers, graph, answer)


def symptoms_page(answer: dict[str, Any]) -> str:
    """The page of a ``symptoms`` answer (:class:`queries.answers.SymptomsAnswer` as JSON)."""
    graph = Graph()
    for term in answer.get("present", []):
        graph.node(term["term_id"], term["label"], "query", query=True)
    answers: list[AnswerView] = []
    for rank, disease in enumerate(answer.get("answers", []), start=1):
        drawn = rank <= MAX_GRAPH_ANSWERS
        if drawn:
            graph.node(disease["disease_id"], disease["disease_name"], "Disease", anchor=f"answer-{rank}")
        edges: list[EdgeView] = []
        for kind, matches in (("matched", disease.get("matched", [])), ("partial", disease.get("partial", []))):
            for match in matches:
                ends = {disease["disease_name"]: "Disease", match["disease_phenotype_label"]: "PhenotypicFeature"}
                sentences = [SentenceView(highlight(s["sentence"], ends), _pmid(s["pmid"]), s["score"])
                             for s in match.get("sentences", [])]
                edges.append(EdgeView(disease["disease_name"], "has_phenotype", match["disease_phenotype_label"],
                                      f"{kind} {match['query_label']} (information content {match['ic']:.2f})",
                                      [_pmid(p) for p in match.get("pmids", [])], match.get("knowledge_sources", []),
                                      sentences))
                if drawn:
                    graph.edge(disease["disease_id"], match["query_id"], kind, 1.0 if kind == "matched" else 0.4)
        answers.append(AnswerView(disease["disease_id"], disease["disease_name"], disease["score"], edges))
    present = ", ".join(f"{t['label']} ({t['term_id']})" for t in answer.get("present", []))
    absent = ", ".join(t["label"] for t in answer.get("absent", []))
    subtitle = f"present: {present or 'none recognised'}" + (f"; absent: {absent}" if absent else "")
    notices = [f"not recognised: {u['text']!r}" + (f" — closest: {_close_matches(u['close_matches'])}"
                                                   if u.get("close_matches") else "")
               for u in answer.get("unrecognized", [])]
    return _render(f"Diseases for: {answer.get('query', '')}", subtitle, answers, graph, answer, notices=notices)


def _edge_view(edge: dict[str, Any], names: dict[str, tuple[str, str]]) -> EdgeView:
    subject, subject_kind = names.get(edge["subject"], (edge["subject"], ""))
    obj, object_kind = names.get(edge["object"], (edge["object"], ""))
    papers = edge.get("n_pmids", 0)
    strength = f"support {edge.get('strength', 0.0):.2f}"
    if papers:
        strength += (f" from {papers} paper{'s' if papers != 1 else ''}, best extraction score "
                     f"{edge.get('best_score', 0.0):.2f}")
    else:
        strength += ", curated"
    if edge.get("belief") is not None:
        strength += f"; belief {edge['belief']:.2f}"
    if "asserted" in edge:
        strength += ", asserted" if edge["asserted"] else ", a literature candidate (not asserted)"
    ends = {subject: subject_kind, obj: object_kind}
    sentences = [SentenceView(highlight(s["sentence"], ends), _pmid(s["pmid"]), s["score"])
                 for s in edge.get("sentences", [])]
    return EdgeView(subject, edge["predicate"], obj, strength, [_pmid(p) for p in edge.get("pmids", [])],
                    edge.get("knowledge_sources", []), sentences)


def highlight(sentence: str, names: dict[str, str]) -> Markup:
    """``sentence`` as displaCy entity markup, each of ``names`` (name → label) marked where it first occurs
    (case-insensitive, whole words); the text is escaped by displaCy."""
    from spacy import displacy

    spans: list[tuple[int, int, str]] = []
    for name, label in names.items():
        if not name:
            continue
        found = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", sentence, re.IGNORECASE)
        if found and all(found.end() <= s or found.start() >= e for s, e, _ in spans):
            spans.append((found.start(), found.end(), label))
    ents = [{"start": s, "end": e, "label": label or "Entity"} for s, e, label in sorted(spans)]
    html = displacy.render({"text": sentence, "ents": ents, "title": None}, style="ent", manual=True,
                           options={"colors": {label: COLORS[label] + "55" for label in COLORS if label != "query"}})
    return Markup(html)  # noqa: S704 — displaCy escapes the text it marks up


def _pmid(value: Any) -> PmidLink:
    text = str(value)
    number = text.removeprefix("PMID:")
    return PmidLink(text if text.startswith("PMID:") else f"PMID:{number}", number)


def _close_matches(matches: list[dict[str, Any]]) -> str:
    return ", ".join(f"{m.get('name') or m.get('label')} ({m.get('id') or m.get('term_id')})" for m in matches)


@cache
def _environment() -> Environment:
    return Environment(loader=PackageLoader("kg.view", "templates"), autoescape=select_autoescape(["j2"]))


@cache
def _cytoscape() -> Markup:
    source = resources.files("kg.view").joinpath("static/cytoscape.min.js").read_text(encoding="utf-8")
    return Markup(source.replace("</script", "<\\/script"))  # noqa: S704 — vendored, unchanged library code


def _render(title: str, subtitle: str, answers: list[AnswerView], graph: Graph, answer: dict[str, Any],
            notices: list[str] | None = None) -> str:
    meta = answer.get("meta") or {}
    nodes = sum(1 for e in graph.elements if "source" not in e["data"])
    graph_note = (f"The first {min(len(answers), MAX_GRAPH_ANSWERS)} answers' paths ({nodes} nodes); edge width is "
                  "the edge's support. Click a node to go to its answer." if answers else "")
    elements = json.dumps(graph.elements).replace("</", "<\\/")
    return _environment().get_template("answer.html.j2").render(
        title=title, subtitle=subtitle, answers=answers, notices=[n for n in notices or [] if n],
        graph_note=graph_note, elements_json=Markup(elements), cytoscape_js=_cytoscape(),  # noqa: S704
        medkg_version=meta.get("medkg_version", ""), backend=meta.get("backend", ""),
        graph_hash=(meta.get("graph") or {}).get("counts_hash", ""))
