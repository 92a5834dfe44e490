"""``PhenotypeRecognizer``: signs and symptoms in text as ``PhenotypicFeature`` mentions with HPO identifiers.

Three sources of mentions, for every document after NER and normalization:

1. **dictionary**: the longest run of words that is a name of an HPO phenotypic abnormality
   (:mod:`extractors.phenotypes.dictionary`), left to right, never across punctuation other than hyphens,
   apostrophes and slashes;
2. **short forms**: a matched phrase followed by a parenthesized short form ("atrial septal defect (ASD)") makes
   the document's later occurrences of that short form mentions of the same term (HPO's own abbreviations are
   not dictionary names: they are too ambiguous without the definition);
3. **NER spans**: a Disease mention of the NER model that no dictionary match overlaps is looked up among the HPO
   concepts of the normalization lexicon (exact, normalized, rewritten and close fuzzy matches — "hypoplastic
   mandible" → Micrognathia is not among them, "Hypoplastic left hearts" → Hypoplastic left heart is: a fuzzy
   match must also be spelled nearly like the span, :data:`NER_SPAN_MIN_SPELLING`).

Diseases stay diseases: the NER's Disease mentions and their MeSH/DOID identifiers are left as they are, so a
span such as "basal cell carcinoma", which the HPO also names, is both a Disease mention and a PhenotypicFeature
mention. The relation extractor (:mod:`extractors.phenotypes.statements`) never pairs a span with itself.
"""

from __future__ import annotations

import re
import threading
from difflib import SequenceMatcher
from functools import cached_property
from pathlib import Path

from extractors.normalize.lexicon import Lexicon
from extractors.phenotypes.dictionary import PhenotypeDictionary, build_dictionary, name_key, token_spans
from kg.schema import Category, Document, Entity, Mention, MentionSource

KIND_SCORES = {0: 0.97, 1: 0.95, 2: 0.9, 3: 0.85}
"""Mention scores by how the matched name belongs to its term (name, synonym, cross-reference, rewritten name): the
lexicon's scale for a normalized-key match, not a calibrated probability."""
SHORT_FORM_FACTOR = 0.95
"""Score multiplier of a short form defined in the document."""
NER_SPAN_MIN_SCORE = 0.85
"""Lexicon matches of NER spans below this (fuzzy ones under 0.85 cosine, phrase heads) are not kept."""

NER_SPAN_MIN_SPELLING = 0.85
"""A fuzzy match of an NER span is kept only if one of the term's dictionary names is spelled nearly like the whole
span (difflib's ratio of their token keys). The lexicon's character n-gram similarity also rates a name that merely
contains the span's words high: "haemorrhage" → Oral bleeding (through "Oral haemorrhage", 0.90), "infection" →
Osteomyelitis — other, narrower concepts."""

RULES_VERSION = "2"

_ADJECTIVE = re.compile(r"(?:ive|al|ous|ic|ary|ar|ile|ent|ant|ed|ing)$")
_JOINERS = re.compile(r"[\s\-'’/]*")
_SHORT_FORM = re.compile(r"\s*[(\[]\s*([A-Z][A-Za-z0-9\-]{1,9})\s*[)\]]")

_dictionaries: dict[str, PhenotypeDictionary] = {}
_lock = threading.Lock()


def default_kb() -> Path | None:
    """The shared vocabularies' folder (``$KG_SHARED_DATA/kb``, else ``<repo>/../shared/data/kb``) if it exists."""
    from extractors.ner.corpora import shared_data_root

    kb = shared_data_root() / "kb"
    return kb if kb.is_dir() else None


def shared_dictionary(kb: Path | None = None) -> PhenotypeDictionary:
    """The dictionary over ``kb`` (default: :func:`default_kb`), built once per process (a few seconds)."""
    kb = kb or default_kb()
    with _lock:
        found = _dictionaries.get(str(kb))
        if found is None:
            found = _dictionaries[str(kb)] = build_dictionary(kb=kb)
        return found


class PhenotypeRecognizer:
    """Adds HPO ``PhenotypicFeature`` text mentions and their entities (see the module docstring)."""

    name = "phenotypes"

    def __init__(self, dictionary: PhenotypeDictionary | None = None, lexicon: Lexicon | None = None,
                 use_ner_spans: bool = True, nested: bool = True) -> None:
        self._dictionary = dictionary
        self._lexicon = lexicon
        self.use_ner_spans = use_ner_spans
        self.nested = nested

    @property
    def dictionary(self) -> PhenotypeDictionary:
        if self._dictionary is None:
            self._dictionary = shared_dictionary()
        return self._dictionary

    @property
    def lexicon(self) -> Lexicon:
        if self._lexicon is None:
            from extractors.normalize.component import shared_lexicon

            self._lexicon = shared_lexicon()
        return self._lexicon

    @cached_property
    def version(self) -> str:
        return f"{RULES_VERSION}.{self.dictionary.digest}.{int(self.use_ner_spans)}{int(self.nested)}"

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            found = self.recognize(doc)
            known = {e.id for e in doc.entities}
            for mention in found:
                doc.mentions.append(mention)
                if mention.entity_id and mention.entity_id not in known:
                    known.add(mention.entity_id)
                    doc.entities.append(Entity(mention.entity_id, Category.PHENOTYPE, self._name(mention.entity_id)))
        return docs

    def recognize(self, doc: Document) -> list[Mention]:
        """The document's phenotype mentions, in text order (the document is not changed)."""
        text = doc.text
        found = self._dictionary_matches(text)
        found += self._short_forms(text, found)
        if self.use_ner_spans:
            found += self._ner_spans(doc, found)
        return sorted(found, key=lambda m: (m.start, m.end))

    def _name(self, curie: str) -> str:
        return self.dictionary.names.get(curie) or curie

    def _dictionary_matches(self, text: str) -> list[Mention]:
        tokens = token_spans(text)
        dictionary = self.dictionary
        found: list[Mention] = []
        i = 0
        while i < len(tokens):
            # the longest run of words from i that stays within one phrase and is a name
            end = i + 1
            while end < len(tokens) and end - i < dictionary.max_tokens and \
                    _JOINERS.fullmatch(text, tokens[end - 1][1], tokens[end][0]):
                end += 1
            for j in range(end, i, -1):
                entry = dictionary.get(tuple(t[2] for t in tokens[i:j]))
                if entry is not None:
                    start, stop = tokens[i][0], tokens[j - 1][1]
                    found.append(Mention(start, stop, text[start:stop], Category.PHENOTYPE, entry.curie,
                                         KIND_SCORES[entry.kind], MentionSource.TEXT))
                    if self.nested:
                        found += self._head(text, tokens, i, j)
                    i = j
                    break
            else:
                i += 1
        return found

    def _head(self, text: str, tokens: list[tuple[int, int, str]], i: int, j: int) -> list[Mention]:
        """The longest name that ends a longer match ("ulcerative colitis" → also Colitis): GSC+ and HPO both
        treat the qualified phenotype as a case of its head, and the graph gets the broader term too. A one-word
        head counts only after adjectives: "basal cell carcinoma" is no mention of Carcinoma."""
        for k in range(i + 1, j):
            entry = self.dictionary.get(tuple(t[2] for t in tokens[k:j]))
            if entry is not None and (j - k >= 2 or all(_ADJECTIVE.search(t[2]) for t in tokens[i:k])):
                start, stop = tokens[k][0], tokens[j - 1][1]
                return [Mention(start, stop, text[start:stop], Category.PHENOTYPE, entry.curie,
                                KIND_SCORES[entry.kind], MentionSource.TEXT)]
        return []

    @staticmethod
    def _short_forms(text: str, found: list[Mention]) -> list[Mention]:
        defined: dict[str, Mention] = {}
        definitions: set[tuple[int, int]] = set()
        for mention in found:
            match = _SHORT_FORM.match(text, mention.end)
            if match and match.group(1) not in defined:
                defined[match.group(1)] = mention
                definitions.add(match.span(1))
        taken = [(m.start, m.end) for m in found]
        extra: list[Mention] = []
        for short, long in defined.items():
            for match in re.finditer(rf"(?<![\w-]){re.escape(short)}(?![\w-])", text):
                span = match.span()
                if match.start() < long.end or any(s < span[1] and span[0] < e for s, e in taken):
                    continue
                extra.append(Mention(span[0], span[1], short, Category.PHENOTYPE, long.entity_id,
                                     round(long.score * SHORT_FORM_FACTOR, 4), MentionSource.TEXT))
        return extra

    def _ner_spans(self, doc: Document, found: list[Mention]) -> list[Mention]:
        taken = [(m.start, m.end) for m in found]
        extra: list[Mention] = []
        for mention in doc.mentions:
            if mention.category != Category.DISEASE or mention.source != MentionSource.TEXT or \
                    any(s < mention.end and mention.start < e for s, e in taken):
                continue
            match = self.lexicon.lookup(mention.text, Category.PHENOTYPE, fuzzy=True,
                                        fuzzy_threshold=NER_SPAN_MIN_SCORE, partial=False)
            if match is None or not match.curie.startswith("HP:") or match.score < NER_SPAN_MIN_SCORE or \
                    match.curie not in self.dictionary.names or \
                    (match.method == "fuzzy" and not self._spelled_alike(mention.text, match.curie)):
                continue
            extra.append(Mention(mention.start, mention.end, mention.text, Category.PHENOTYPE, match.curie,
                                 match.score, MentionSource.TEXT))
            taken.append((mention.start, mention.end))
        return extra

    @cached_property
    def _keys_of(self) -> dict[str, list[str]]:
        """HPO id → its names in the dictionary, as joined token keys."""
        keys: dict[str, list[str]] = {}
        for key, entry in self.dictionary.entries.items():
            keys.setdefault(entry.curie, []).append(" ".join(key))
        return keys

    def _spelled_alike(self, text: str, curie: str) -> bool:
        """Whether a dictionary name of ``curie`` is spelled nearly like ``text`` (:data:`NER_SPAN_MIN_SPELLING`)."""
        key = " ".join(name_key(text))
        return any(SequenceMatcher(None, key, name).ratio() >= NER_SPAN_MIN_SPELLING
                   for name in self._keys_of.get(curie, ()))
