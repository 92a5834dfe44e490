"""The extraction pipeline: small components, each ``list[Document] -> list[Document]``, built from a config.

A component fills ``Document.mentions`` / ``entities`` / ``relations``. Components are registered by name
(:func:`register`, after spaCy's ``@Language.factory``) and a pipeline is a list of names with their settings
(:meth:`Pipeline.from_config`; :data:`DEFAULT_CONFIG` is the default, every value TOML-able). The pipeline's version
(the version of the shared text analysis and of every component, each covering the settings that change its output)
is stored on every publication, so that a re-run with another model or setting re-processes documents while an
identical re-run skips them.

The components that read text share one spaCy pass per abstract (:mod:`extractors.analysis`: tokens, sentences,
abbreviations). The default pipeline stores what NLM's indexing already says (MeSH headings and the chemical list
become ``mentions`` links with ``source: mesh``), keeps mentions that a document already carries (PubTator/BioC gold
annotations) as text mentions, finds further text mentions with the shipped NER model, normalizes them to CURIEs
(:class:`extractors.normalize.Normalizer`) and, when asked, extracts typed relations with their evidence
(:class:`extractors.relations.component.RelationExtractor`).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from extractors.analysis import TextAnalyzer
from kg.schema import Category, Document, Entity, Mention, MentionSource


class Component(Protocol):
    name: str
    version: str

    def __call__(self, docs: list[Document]) -> list[Document]: ...


Factory = Callable[..., Component]

_factories: dict[str, Factory | str] = {}


def register(name: str, factory: Factory | str) -> None:
    """Register a component factory under ``name``.

    A factory is a class or function that takes the component's settings as keyword arguments — and ``text``, the
    pipeline's shared :class:`~extractors.analysis.TextAnalyzer`, when its signature names it — or the
    ``"module:attribute"`` path of one, imported only when a pipeline uses it (so that naming the relation
    extractor does not import torch).
    """
    _factories[name] = factory


def registered_as(name: str) -> Callable[[Factory], Factory]:
    """:func:`register` as a class or function decorator."""

    def decorate(f: Factory) -> Factory:
        register(name, f)
        return f

    return decorate


def factory(name: str) -> Factory:
    """The factory registered as ``name`` (imported if registered by path)."""
    found = _factories.get(name)
    if found is None:
        raise ValueError(f"unknown pipeline component {name!r} (registered: {', '.join(sorted(_factories))})")
    if isinstance(found, str):
        module, _, attribute = found.partition(":")
        found = _factories[name] = getattr(importlib.import_module(module), attribute)
    return found


def registered() -> list[str]:
    return sorted(_factories)


@registered_as("mesh-indexing")
class MeshIndexing:
    """MeSH descriptors and registry chemicals indexed by NLM → entities and ``source: mesh`` mentions.

    Descriptors from the chemical list are ChemicalEntity; other headings keep the placeholder category
    until a vocabulary-aware component (normalization) knows better — stores never let a placeholder
    overwrite a known category.
    """

    name = "mesh-indexing"
    version = "1"

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            chemicals = {chem_id: name for chem_id, name in doc.chemicals}
            for heading in doc.mesh_headings:
                category = Category.CHEMICAL if heading.descriptor_id in chemicals else Category.NAMED_THING
                doc.entities.append(Entity(heading.descriptor_id, category, heading.descriptor_name))
                doc.mentions.append(Mention(0, 0, heading.descriptor_name, category, heading.descriptor_id,
                                            1.0, MentionSource.MESH))
            for chem_id, name in doc.chemicals:
                doc.entities.append(Entity(chem_id, Category.CHEMICAL, name))
                doc.mentions.append(Mention(0, 0, name, Category.CHEMICAL, chem_id, 1.0, MentionSource.MESH))
        return docs


@registered_as("annotated-mentions")
class AnnotatedMentions:
    """Mentions a document already carries (PubTator/BioC annotations) → entities named by their text."""

    name = "annotated-mentions"
    version = "1"

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            for mention in doc.mentions:
                if mention.entity_id and mention.source == MentionSource.TEXT:
                    doc.entities.append(Entity(mention.entity_id, mention.category, mention.text))
        return docs


register("ner", "extractors.ner.component:NerComponent")
register("normalize", "extractors.normalize.component:Normalizer")
register("relations", "extractors.relations.component:RelationExtractor")
register("phenotypes", "extractors.phenotypes.recognizer:PhenotypeRecognizer")
register("phenotype-statements", "extractors.phenotypes.statements:PhenotypeStatements")

DEFAULT_CONFIG: dict[str, Any] = {
    "text": {},  # TextAnalyzer settings: model (default: the shipped NER model), batch_size
    "components": [{"factory": "annotated-mentions"}, {"factory": "mesh-indexing"}, {"factory": "ner"},
                   {"factory": "normalize"}, {"factory": "phenotypes"}, {"factory": "phenotype-statements"}],
}
"""The default pipeline; ``components`` is a TOML array of tables (``[[components]]`` with ``factory = "ner"``)."""
_PHENOTYPE_FACTORIES = frozenset({"phenotypes", "phenotype-statements"})


@dataclass(slots=True)
class Pipeline:
    """Components run in order over a batch of documents; ``config`` is what :meth:`from_config` built it from."""

    components: Sequence[Component]
    config: Mapping[str, Any] | None = field(default=None, compare=False)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Pipeline:
        """A pipeline from ``{"text": {analyzer settings}, "components": [{"factory": name, **settings}, ...]}``.

        The components that take a ``text`` argument share one :class:`~extractors.analysis.TextAnalyzer`, made from
        the ``text`` table. An unknown name or setting is a :class:`ValueError` that names the component.
        """
        unknown = set(config) - {"text", "components"}
        if unknown:
            raise ValueError(f"pipeline config: unknown key(s) {', '.join(sorted(unknown))} (expected text, "
                             "components)")
        try:
            text = TextAnalyzer(**config.get("text", {}))
        except TypeError as exc:
            raise ValueError(f"pipeline config [text]: {exc}") from exc
        components = [_build(entry, text, i) for i, entry in enumerate(config.get("components", []))]
        return cls(components, config)

    @property
    def version(self) -> str:
        analyzers = {id(a): a for a in (getattr(c, "text", None) for c in self.components)
                     if isinstance(a, TextAnalyzer)}
        return "+".join([*(f"{a.name}@{a.version}" for a in analyzers.values()),
                         *(f"{c.name}@{c.version}" for c in self.components)])

    def __call__(self, docs: list[Document]) -> list[Document]:
        for component in self.components:
            docs = component(docs)
        return docs


def _build(entry: Mapping[str, Any], text: TextAnalyzer, index: int) -> Component:
    settings = dict(entry)
    name = settings.pop("factory", None)
    if not isinstance(name, str):
        raise ValueError(f"pipeline config: component {index + 1} has no factory name")
    make = factory(name)
    if "text" in inspect.signature(make).parameters:
        settings["text"] = text
    try:
        return make(**settings)
    except TypeError as exc:
        raise ValueError(f"pipeline config: component {name!r}: {exc}") from exc


def default_config(relations: bool = False, relation_min_score: float | None = None) -> dict[str, Any]:
    """:data:`DEFAULT_CONFIG`, with the relation extractor when ``relations`` — placed before the phenotype
    components, so that the relation model sees the mentions it was trained and calibrated on (not the added
    PhenotypicFeature mentions) and its measured numbers stay what they were."""
    components = [dict(c) for c in DEFAULT_CONFIG["components"]]
    if relations:
        first_phenotype = next((i for i, c in enumerate(components) if c["factory"] in _PHENOTYPE_FACTORIES),
                               len(components))
        components.insert(first_phenotype, {"factory": "relations"} if relation_min_score is None
                          else {"factory": "relations", "min_score": relation_min_score})
    return {"text": dict(DEFAULT_CONFIG["text"]), "components": components}


def default_pipeline(relations: bool = False, relation_min_score: float | None = None) -> Pipeline:
    """Gold/indexed mentions, NER and normalization; the NER model and the lexicon load once per process.

    ``relations`` adds the shipped relation extractor (a transformer pass per abstract, so it is opt-in:
    ``kg ingest --relations``). Its edges carry a calibrated probability of being right and, precision first,
    only those reaching the per-family default thresholds of ``models/re/calibration.json`` are emitted;
    ``relation_min_score`` replaces those thresholds (``0.0``: every low-floor candidate, for recall).
    """
    return Pipeline.from_config(default_config(relations, relation_min_score))
