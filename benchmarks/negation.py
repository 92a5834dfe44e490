"""Negation and speculation of relation statements: the old 60-character cue window vs the current NegEx.

On a hand-annotated sample of (sentence, entity pair) cases from BC5CDR and BioRED (``benchmarks/negation/
sample.tsv``: identifiers and offsets only, the text is re-read from the corpus; see ``benchmarks/negation/
README.md`` for how it was drawn and labelled), runs

* **old** — ``extractors/relations/cues.py`` as it was before e48f7e9 (a regex cue list in the span from 60
  characters before the first of the two closest mentions to the end of the last; reimplemented here, in the
  benchmark only), and
* **new** — :class:`extractors.relations.negation.StatementCues` (negspacy NegEx on the pipeline's one pass),

each with the inputs the relation extractor gives it (the document text, the evidence sentence, all spans of the two
entities), and prints precision/recall/F1 of the negated and of the speculative flag and a confusion table.

    python -m benchmarks.negation --data ../shared/data [--half all|tune|held] [--json]
    python -m benchmarks.negation --data ../shared/data --show [--half ...]     # the cases, for annotators
    python -m benchmarks.negation --data ../shared/data --draw OUT.tsv [--seed 19]  # a new unlabelled sample
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from extractors.relations import corpora
from extractors.relations.candidates import EntityMentions, group_entities

Span = tuple[int, int]

SAMPLE = Path(__file__).resolve().parent / "negation" / "sample.tsv"
SPLITS: tuple[tuple[str, str], ...] = (("bc5cdr", "dev"), ("biored", "dev"))
COLUMNS = ("case", "half", "corpus", "split", "pmid", "sent_start", "sent_end", "head_id", "head_start", "head_end",
           "tail_id", "tail_start", "tail_end", "stratum", "label", "note")
LABELS = ("asserted", "negated", "speculative", "negated_speculative", "none")
"""``none``: the sentence states no relation between the two (co-mention only); such cases are not scored."""


# ---- the old rule (extractors/relations/cues.py at e48f7e9^), verbatim but for names ---------------------------
OLD_WINDOW = 60
OLD_NEGATION_CUES: tuple[str, ...] = (
    r"not", r"no", r"neither", r"nor", r"without", r"absence of", r"absent", r"lack of", r"lacks?",
    r"fail(?:s|ed)? to", r"unable to", r"did not", r"does not", r"do not", r"was not", r"were not", r"is not",
    r"are not", r"cannot", r"ruled out", r"rule out", r"none of", r"no evidence", r"non-significant",
    r"not significant(?:ly)?", r"unaffected", r"unrelated", r"independent of",
)
OLD_SPECULATION_CUES: tuple[str, ...] = (
    r"may", r"might", r"could", r"possibl[ey]", r"potential(?:ly)?", r"putative", r"suggests?", r"suggesting",
    r"hypothes[ie]s", r"hypothesi[sz]ed?", r"whether", r"unclear", r"unknown", r"likely", r"presumabl[ey]",
    r"appears? to", r"seems? to", r"speculate[ds]?", r"to investigate", r"to determine", r"to examine",
    r"to evaluate", r"we tested", r"remains? to be",
)


def _compile(cues: Iterable[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + "|".join(cues) + r")(?![\w-])", re.IGNORECASE)


_OLD_NEGATION = _compile(OLD_NEGATION_CUES)
_OLD_SPECULATION = _compile(OLD_SPECULATION_CUES)


def _old_scope(sentence: Span, spans: list[Span]) -> Span:
    start, end = sentence
    inside = [s for s in spans if start <= s[0] and s[1] <= end]
    if len(inside) < 2:
        return sentence
    return max(start, min(s[0] for s in inside) - OLD_WINDOW), max(s[1] for s in inside)


def old_flags(text: str, sentence: Span, head_spans: list[Span], tail_spans: list[Span]) -> tuple[bool, bool]:
    """``(negated, speculative)`` by the pre-e48f7e9 rule (``extractors.relations.cues.flags``)."""
    start, end = sentence
    heads = [s for s in head_spans if start <= s[0] and s[1] <= end]
    tails = [s for s in tail_spans if start <= s[0] and s[1] <= end]
    if heads and tails:
        h, t = min(((h, t) for h in heads for t in tails), key=lambda ht: abs(ht[0][0] - ht[1][0]))
        lo, hi = _old_scope(sentence, [h, t])
    else:
        lo, hi = sentence
    mentions = [*head_spans, *tail_spans]

    def found(pattern: re.Pattern[str]) -> bool:
        return any(not any(s <= m.start() + lo < e for s, e in mentions) for m in pattern.finditer(text[lo:hi]))

    return found(_OLD_NEGATION), found(_OLD_SPECULATION)


# ---- the sample -------------------------------------------------------------------------------------------------
@dataclass(slots=True)
class Case:
    row: dict[str, str]
    text: str
    title_end: int
    sentence: Span
    heads: list[Span]  # every mention of the head entity in the document (what the extractor passes)
    tails: list[Span]
    head: Span  # the annotated mentions in the sentence
    tail: Span

    @property
    def label(self) -> str:
        return self.row["label"]

    @property
    def gold(self) -> tuple[bool, bool]:
        return self.label.startswith("negated"), self.label.endswith("speculative")


@dataclass(slots=True)
class CorpusDoc:
    text: str
    title_end: int
    entities: dict[str, EntityMentions]


def load_corpus_docs(data: Path | None, splits: Iterable[tuple[str, str]]) -> dict[tuple[str, str, str], CorpusDoc]:
    """``(corpus, split, pmid)`` → the document's text and gold entities (all their mention spans)."""
    out = {}
    for corpus, split in splits:
        for record in corpora.read_annotated(corpora.corpus_file(corpus, split, data)):
            doc = record.document
            entities = group_entities(corpora.gold_mentions(record))
            out[corpus, split, doc.pmid] = CorpusDoc(doc.text, len(doc.title), {e.id: e for e in entities})
    return out


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream, delimiter="\t"))


def read_sample(path: Path, data: Path | None, half: str = "all") -> list[Case]:
    rows = [r for r in read_rows(path) if half == "all" or r["half"] == half]
    docs = load_corpus_docs(data, sorted({(r["corpus"], r["split"]) for r in rows}))
    cases = []
    for r in rows:
        doc = docs[r["corpus"], r["split"], r["pmid"]]
        if r["label"] and r["label"] not in LABELS:
            raise ValueError(f"case {r['case']}: unknown label {r['label']!r} (one of {', '.join(LABELS)})")
        cases.append(Case(r, doc.text, doc.title_end, (int(r["sent_start"]), int(r["sent_end"])),
                          doc.entities[r["head_id"]].spans, doc.entities[r["tail_id"]].spans,
                          (int(r["head_start"]), int(r["head_end"])), (int(r["tail_start"]), int(r["tail_end"]))))
    return cases


# ---- drawing a sample ---------------------------------------------------------------------------------------------
STRATUM_NEGATION = _compile((r"no", r"not", r"without", r"fail(?:s|ed)? to", r"did not", r"absence of", r"absent",
                             r"lack(?:s|ed|ing)? of", r"neither", r"nor", r"none", r"unaffected", r"unrelated",
                             r"n't"))
STRATUM_SPECULATION = _compile((r"may", r"might", r"could", r"suggest\w*", r"possibl[ey]", r"whether",
                                r"potential(?:ly)?", r"likely", r"unlikely", r"probabl[ey]", r"hypothes\w+", r"unclear",
                                r"unknown", r"appears? to", r"seems? to", r"to investigate", r"to determine",
                                r"to examine", r"to evaluate", r"to assess", r"if", r"putative", r"presumabl[ey]"))


STRATUM_STRONG_NEGATION = _compile((r"did not", r"does not", r"do not", r"was not", r"were not", r"is not",
                                    r"are not", r"had no", r"has no", r"have no", r"no effect", r"no significant",
                                    r"not associated", r"fail(?:s|ed)? to", r"neither", r"lack(?:s|ed)? of",
                                    r"unrelated to", r"no evidence", r"no association", r"no correlation"))
STRATA: dict[str, re.Pattern[str] | None] = {"negation": STRATUM_NEGATION, "speculation": STRATUM_SPECULATION,
                                             "strong_negation": STRATUM_STRONG_NEGATION, "plain": None}


def stratum(text: str, sentence: Span, mentions: Sequence[Span], kinds: Sequence[str]) -> str | None:
    """The first of ``kinds`` whose cues (:data:`STRATA`) occur in the sentence outside the mentions; ``plain``
    (when among ``kinds``) for a sentence with none of the cues of :data:`STRATA`; else None."""
    start, end = sentence

    def cue(pattern: re.Pattern[str]) -> bool:
        return any(not any(s <= m.start() < e for s, e in mentions) for m in pattern.finditer(text, start, end))

    for kind in kinds:
        pattern = STRATA[kind]
        if pattern is not None and cue(pattern):
            return kind
    if "plain" in kinds and not any(cue(p) for p in STRATA.values() if p is not None):
        return "plain"
    return None


def draw(data: Path | None, seed: int, quotas: dict[str, int], related_share: float = 2 / 3,
         exclude: Iterable[dict[str, str]] = (), first: int = 1) -> list[dict[str, str]]:
    """An unlabelled sample: per stratum (in the order of ``quotas``, a sentence in the first that it matches),
    ``quotas[stratum]`` (sentence, pair) cases, ``related_share`` of them pairs with a gold relation in the document;
    one case per sentence, at most two per document (counting ``exclude``, the cases of an earlier draw); half
    ``tune``, half ``held`` within each stratum; cases numbered from ``first``."""
    pools: dict[tuple[str, bool], list[dict[str, str]]] = {}
    for corpus, split in SPLITS:
        rel_docs, _ = corpora.load(corpus, split, data)
        for rel in rel_docs:
            related = set(rel.cid) | set(rel.labels)
            for start, end in rel.sentences:
                for head_i, tail_i in rel.pairs:
                    head, tail = rel.entities[head_i], rel.entities[tail_i]
                    hs = [s for s in head.spans if start <= s[0] and s[1] <= end]
                    ts = [s for s in tail.spans if start <= s[0] and s[1] <= end]
                    if not hs or not ts:
                        continue
                    h, t = min(((h, t) for h in hs for t in ts), key=lambda ht: abs(ht[0][0] - ht[1][0]))
                    kind = stratum(rel.text, (start, end), [*head.spans, *tail.spans], list(quotas))
                    if h == t or kind is None:
                        continue
                    row = {"corpus": corpus, "split": split, "pmid": rel.pmid, "sent_start": str(start),
                           "sent_end": str(end), "head_id": head.id, "head_start": str(h[0]), "head_end": str(h[1]),
                           "tail_id": tail.id, "tail_start": str(t[0]), "tail_end": str(t[1]), "stratum": kind}
                    pools.setdefault((kind, (head_i, tail_i) in related), []).append(row)
    rng = random.Random(seed)
    chosen: list[dict[str, str]] = []
    sentences = {(r["corpus"], r["pmid"], r["sent_start"]) for r in exclude}
    per_doc: Counter[str] = Counter(r["pmid"] for r in exclude)
    for kind, quota in quotas.items():
        picked: list[dict[str, str]] = []
        for is_related, n in ((True, round(quota * related_share)), (False, quota - round(quota * related_share))):
            pool = sorted(pools.get((kind, is_related), []), key=lambda r: tuple(r.values()))
            rng.shuffle(pool)
            taken = 0
            for row in pool:
                key = (row["corpus"], row["pmid"], row["sent_start"])
                if taken == n or key in sentences or per_doc[row["pmid"]] >= 2:
                    continue
                sentences.add(key)
                per_doc[row["pmid"]] += 1
                picked.append(row)
                taken += 1
        rng.shuffle(picked)
        for i, row in enumerate(picked):
            row["half"] = "tune" if i % 2 == 0 else "held"
        chosen.extend(picked)
    for i, row in enumerate(chosen, first):
        row.update(case=f"n{i:03d}", label="", note="")
    return chosen


def write_sample(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def marked(case: Case) -> str:
    """The sentence with the head as ``[[…]]`` and the tail as ``<<…>>`` (for reading, never stored)."""
    (a, b), (c, d) = case.head, case.tail
    text = case.text
    if a < c:
        out = text[case.sentence[0]:a] + "[[" + text[a:b] + "]]" + text[b:c] + "<<" + text[c:d] + ">>"
        return out + text[d:case.sentence[1]]
    out = text[case.sentence[0]:c] + "<<" + text[c:d] + ">>" + text[d:a] + "[[" + text[a:b] + "]]"
    return out + text[b:case.sentence[1]]


# ---- scoring ---------------------------------------------------------------------------------------------------
Flags = tuple[bool, bool]


def run_old(cases: Sequence[Case]) -> list[Flags]:
    return [old_flags(c.text, c.sentence, c.heads, c.tails) for c in cases]


def run_new(cases: Sequence[Case]) -> list[Flags]:
    from extractors.analysis import shared_analyzer
    from extractors.relations.negation import StatementCues

    analyzer = shared_analyzer()
    cues = StatementCues(analyzer.nlp)
    out = []
    for c in cases:
        (analysis,) = analyzer.analyze_texts([(c.text, c.title_end if c.title_end < len(c.text) else 0)])
        (found,) = cues.flags(analysis, [(c.sentence, c.heads, c.tails)])
        out.append(found)
    return out


def prf(gold: Sequence[bool], predicted: Sequence[bool]) -> dict[str, float | int]:
    tp = sum(g and p for g, p in zip(gold, predicted, strict=True))
    fp = sum(p and not g for g, p in zip(gold, predicted, strict=True))
    fn = sum(g and not p for g, p in zip(gold, predicted, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"n_gold": tp + fn, "n_predicted": tp + fp, "tp": tp, "fp": fp, "fn": fn,
            "precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}


def _class(flags: Flags) -> str:
    return {(False, False): "asserted", (True, False): "negated", (False, True): "speculative",
            (True, True): "negated_speculative"}[flags]


def score(cases: Sequence[Case], predicted: Sequence[Flags]) -> dict:
    scored = [(c, p) for c, p in zip(cases, predicted, strict=True) if c.label and c.label != "none"]
    confusion = Counter((c.label, _class(p)) for c, p in scored)
    return {
        "negated": prf([c.gold[0] for c, _ in scored], [p[0] for _, p in scored]),
        "speculative": prf([c.gold[1] for c, _ in scored], [p[1] for _, p in scored]),
        "exact": round(sum(c.gold == p for c, p in scored) / len(scored), 3) if scored else 0.0,
        "confusion": {g: {k: confusion[g, k] for k in LABELS[:4]} for g in LABELS[:4]},
        "errors": [c.row["case"] for c, p in scored if c.gold != p],
    }


RULES: dict[str, Callable[[Sequence[Case]], list[Flags]]] = {"old": run_old, "new": run_new}


def report(cases: Sequence[Case], half: str) -> dict:
    labels = Counter(c.label or "unlabelled" for c in cases)
    out: dict = {"sample": str(SAMPLE.name), "half": half, "cases": len(cases),
                 "scored": sum(n for k, n in labels.items() if k in LABELS[:4]), "labels": dict(sorted(labels.items()))}
    for name, rule in RULES.items():
        out[name] = score(cases, rule(cases))
    return out


def print_text(result: dict) -> None:
    print(f"sample {result['sample']} half={result['half']}: {result['cases']} cases, {result['scored']} scored; "
          + ", ".join(f"{k} {n}" for k, n in result["labels"].items()))
    print(f"{'rule':<5} {'flag':<12} {'n gold':>6} {'n pred':>6} {'P':>6} {'R':>6} {'F1':>6}")
    for name in RULES:
        for flag in ("negated", "speculative"):
            m = result[name][flag]
            print(f"{name:<5} {flag:<12} {m['n_gold']:>6} {m['n_predicted']:>6} {m['precision']:>6.3f} "
                  f"{m['recall']:>6.3f} {m['f1']:>6.3f}")
        print(f"{name:<5} {'exact':<12} {result[name]['exact']:>34.3f}")
    short = {"asserted": "asrt", "negated": "neg", "speculative": "spec", "negated_speculative": "both"}
    for name in RULES:
        print(f"\n{name}: gold (rows) x predicted (columns)")
        print(f"{'':<20}" + "".join(f"{short[k]:>6}" for k in LABELS[:4]))
        for g, row in result[name]["confusion"].items():
            print(f"{g:<20}" + "".join(f"{row[k]:>6}" for k in LABELS[:4]))
        print(f"errors: {' '.join(result[name]['errors']) or '-'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=os.environ.get("KG_SHARED_DATA"),
                        help="the shared data directory (default: $KG_SHARED_DATA)")
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument("--half", choices=("all", "tune", "held"), default="all")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--show", action="store_true", help="print each case's sentence, marked, with both rules' "
                        "flags (not scored)")
    parser.add_argument("--draw", type=Path, metavar="OUT", help="write a new unlabelled sample to OUT and stop")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--quotas", default="negation=45,speculation=35,plain=25",
                        help="cases per stratum for --draw, in the order a sentence is assigned to them")
    parser.add_argument("--append", action="store_true", help="--draw: leave out the sentences of --sample (and "
                        "count its cases per document), number on from its last case, write its cases then the new")
    args = parser.parse_args(argv)
    if args.draw:
        quotas = {k: int(v) for k, v in (item.split("=") for item in args.quotas.split(","))}
        before = read_rows(args.sample) if args.append else []
        rows = draw(args.data, args.seed, quotas, exclude=before, first=len(before) + 1)
        write_sample(before + rows, args.draw)
        print(f"{len(rows)} cases -> {args.draw}", file=sys.stderr)
        return 0
    cases = read_sample(args.sample, args.data, args.half)
    if args.show:
        old, new = run_old(cases), run_new(cases)
        for c, o, n in zip(cases, old, new, strict=True):
            print(f"{c.row['case']} {c.row['half']} {c.row['corpus']} {c.row['pmid']} [{c.row['stratum']}] "
                  f"label={c.label or '?'} old={_class(o)} new={_class(n)}\n    {marked(c)}")
        return 0
    result = report(cases, args.half)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_text(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
