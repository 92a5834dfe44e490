"""Sentence-level relation corpora: ChemProt (chemical–gene) and DDI 2013 (drug–drug), as :class:`Statement`\\ s.

A statement is one sentence with two marked entities and the relation the corpus states between them. The
statement typer (:mod:`extractors.relations.statement_model`) learns its relation types from them.

* **ChemProt** here is BLURB's sentence-level release (``corpora/chemprot/{train,dev}.txt``, JSON lines): the
  chemical is wrapped in ``[[ … ]]``, the gene in ``<< … >>``; it holds positive statements only (13 labels).
* **BioRED negatives.** ChemProt here holds no statement of "no relation", so a typer trained on it alone
  finds a mechanism in any sentence ("tramadol should be avoided in CYP2D6 ultrarapid metabolizers" → an
  inhibitor). BioRED annotates every relation of an abstract, so a sentence that names a chemical and a gene that
  BioRED does not relate anywhere in the abstract is a statement of none (:func:`read_biored_negatives`,
  label :data:`NONE`); they join ChemProt's statements of the same split.
* **DDI 2013** ships as its original XML (``corpora/ddi/Train/{DrugBank,MedLine}/*.xml``), every drug pair of a
  sentence with ``ddi="true|false"`` and a ``type`` (mechanism, effect, advise, int) on the true ones. Only its
  training part is here, so a dev split is drawn from it by document: a stable hash of the document id puts
  one in five documents in ``dev`` (:func:`ddi_split`); sentences of one document never straddle the split.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from extractors.ner.corpora import shared_data_root
from extractors.relations.candidates import RelDoc
from extractors.relations.labels import base_category
from kg.schema import Category

log = logging.getLogger(__name__)

CHEMPROT = "chemprot"
DDI = "ddi"
STATEMENT_CORPORA: tuple[str, ...] = (CHEMPROT, DDI)
DDI_NEGATIVE = "false"
NONE = "none"  # a ChemProt-head statement that states no relation (from BioRED)
DDI_DEV_FRACTION = 5  # one document in five is DDI dev


@dataclass(frozen=True, slots=True)
class Statement:
    """One sentence, its two entities (character spans into ``text``) and the corpus label between them.

    ``head`` is the chemical of a ChemProt statement (``tail`` the gene), the first drug of a DDI pair.
    """

    text: str
    head: tuple[int, int]
    tail: tuple[int, int]
    label: str
    source: str = ""  # where it comes from (file and sentence/pair id), for error messages and splits


_CHEMPROT_MARKS = re.compile(r"\[\[ (.+?) \]\]|<< (.+?) >>")


def parse_chemprot_line(line: str, where: str = "") -> Statement:
    """One ChemProt JSON line → a :class:`Statement` with the markers removed and the spans kept."""
    record = json.loads(line)
    marked: str = record["text"]
    text: list[str] = []
    spans: dict[str, tuple[int, int]] = {}
    position = 0
    length = 0
    for match in _CHEMPROT_MARKS.finditer(marked):
        before = marked[position:match.start()]
        text.append(before)
        length += len(before)
        name = match.group(1) if match.group(1) is not None else match.group(2)
        spans["chemical" if match.group(1) is not None else "gene"] = (length, length + len(name))
        text.append(name)
        length += len(name)
        position = match.end()
    text.append(marked[position:])
    if set(spans) != {"chemical", "gene"}:
        raise ValueError(f"{where}: a ChemProt statement needs one [[ chemical ]] and one << gene >>")
    return Statement("".join(text), spans["chemical"], spans["gene"], str(record["label"]), where)


def read_chemprot(split: str, data_root: str | Path | None = None, path: Path | None = None) -> list[Statement]:
    path = path or shared_data_root(data_root) / "corpora" / CHEMPROT / f"{split}.txt"
    if not path.is_file():
        raise FileNotFoundError(f"ChemProt {split} not found at {path} (use --data or KG_SHARED_DATA)")
    out = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                out.append(parse_chemprot_line(line, f"{path}:{number}"))
            except (ValueError, KeyError, TypeError) as exc:
                log.warning("skipped %s:%d: %s", path, number, exc)
    return out


def ddi_split(document_id: str) -> str:
    """``dev`` for one DDI document in :data:`DDI_DEV_FRACTION`, by a stable hash of its id; else ``train``."""
    digest = int(hashlib.sha1(document_id.encode("utf-8")).hexdigest()[:8], 16)
    return "dev" if digest % DDI_DEV_FRACTION == 0 else "train"


def _span(offsets: str) -> tuple[int, int]:
    """DDI's ``charOffset`` (inclusive end; a discontinuous mention lists pieces, ``a-b;c-d``): its first piece."""
    first, last = offsets.split(";")[0].split("-")
    return int(first), int(last) + 1


def read_ddi_file(path: Path) -> Iterator[Statement]:
    """Every drug pair of one DDI XML document; the label is the interaction type, or ``false``."""
    root = etree.parse(str(path)).getroot()
    for sentence in root.iter("sentence"):
        text = sentence.get("text", "")
        entities = {e.get("id"): _span(e.get("charOffset", "")) for e in sentence.iter("entity")}
        for pair in sentence.iter("pair"):
            head, tail = entities.get(pair.get("e1")), entities.get(pair.get("e2"))
            if head is None or tail is None:
                log.warning("skipped %s %s: the pair names an entity the sentence lacks", path, pair.get("id"))
                continue
            label = pair.get("type", "") if pair.get("ddi") == "true" else DDI_NEGATIVE
            yield Statement(text, head, tail, label or "int", f"{path.name}:{pair.get('id')}")


def read_ddi(split: str, data_root: str | Path | None = None, directory: Path | None = None) -> list[Statement]:
    """DDI statements of ``split`` (``train`` or ``dev``, drawn from the corpus's training part)."""
    if split not in ("train", "dev"):
        raise ValueError(f"DDI has no {split!r} split here (train, dev)")
    directory = directory or shared_data_root(data_root) / "corpora" / DDI / "Train"
    files = sorted(directory.glob("*/*.xml"))
    if not files:
        raise FileNotFoundError(f"no DDI XML files under {directory} (use --data or KG_SHARED_DATA)")
    out: list[Statement] = []
    for path in files:
        try:
            document_id = etree.parse(str(path)).getroot().get("id", path.stem)
            if ddi_split(document_id) == split:
                out.extend(read_ddi_file(path))
        except (etree.XMLSyntaxError, ValueError) as exc:
            log.warning("skipped %s: %s", path, exc)
    return out


def chemical_gene(doc: RelDoc, a: int, b: int) -> tuple[int, int] | None:
    """``(chemical, gene)`` of two entities of ``doc`` when they are a chemical and a gene, else ``None``."""
    categories = {base_category(doc.entities[e].category): e for e in (a, b)}
    if set(categories) != {Category.CHEMICAL, Category.GENE}:
        return None
    return categories[Category.CHEMICAL], categories[Category.GENE]


def sentence_statement(doc: RelDoc, sentence: tuple[int, int], head: int, tail: int,
                       label: str = "") -> Statement | None:
    """The sentence as a :class:`Statement` between the closest mentions of ``head`` and ``tail`` in it, or
    ``None`` when it does not name both (or they overlap)."""
    start, end = sentence
    heads = [s for s in doc.entities[head].spans if s[0] >= start and s[1] <= end]
    tails = [s for s in doc.entities[tail].spans if s[0] >= start and s[1] <= end]
    pairs = [(h, t) for h in heads for t in tails if h[1] <= t[0] or t[1] <= h[0]]
    if not pairs:
        return None
    h, t = min(pairs, key=lambda pair: abs(pair[0][0] - pair[1][0]))
    return Statement(doc.text[start:end], (h[0] - start, h[1] - start), (t[0] - start, t[1] - start), label,
                     f"{doc.pmid}:{start}")


def read_biored_negatives(split: str, data_root: str | Path | None = None) -> list[Statement]:
    """Sentences of BioRED ``split`` naming a chemical and a gene that BioRED relates nowhere in the abstract."""
    from extractors.relations import corpora

    docs, _ = corpora.load("biored", split, data_root)
    out = []
    for doc in docs:
        for a, b in doc.pairs:
            pair = chemical_gene(doc, a, b)
            if pair is None or doc.labels.get((a, b), 0) != 0:
                continue
            for sentence in doc.sentences:
                statement = sentence_statement(doc, sentence, *pair, label=NONE)
                if statement is not None:
                    out.append(statement)
    return out


def read_statements(corpus: str, split: str, data_root: str | Path | None = None) -> list[Statement]:
    """ChemProt's statements (BioRED's negatives not included: see :func:`read_biored_negatives`), or DDI's."""
    if corpus == CHEMPROT:
        return read_chemprot(split, data_root)
    if corpus == DDI:
        return read_ddi(split, data_root)
    raise ValueError(f"unknown statement corpus {corpus!r} ({', '.join(STATEMENT_CORPORA)})")
