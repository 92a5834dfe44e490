"""Training of the shipped NER pipeline (spaCy v3, CNN tok2vec, no pretrained vectors).

Partial annotation: BC5CDR annotates only chemicals and diseases, NCBI only diseases, BioRED six types.
One ``ner`` over the union would learn that BC5CDR's genes are "outside". The model is therefore built
from two independently trained ``ner`` components, each trained only on corpora that annotate its labels:

* ``ner_chemdis`` (ChemicalEntity, Disease) on BC5CDR + BioRED + NCBI disease train. NCBI does not
  annotate chemicals, so its chemicals count as "outside" — the one remaining conflict, small because
  NCBI abstracts (inherited diseases) mention few chemicals; NCBI's disease guidelines are needed to
  score well on NCBI.
* ``ner_bio`` (Gene, SequenceVariant, OrganismTaxon, CellLine) on BioRED + BC2GM train
  (:data:`BIO_WITH_BC2GM`; ``with_bc2gm=False``: BioRED alone, the 1.0.0 model). BC2GM annotates only genes
  (sentence level); in its sentences the likely unannotated species, cell lines and variants (surface
  forms of those types in BioRED train, e.g. "patients", "HeLa"; variant-shaped tokens such as "G12D")
  are then marked as missing annotation rather than "outside" (``LabelGroup.mark_unannotated``), so that
  BC2GM's 15k genes do not teach that "patients" is not a species.

They run one after the other; a spaCy ``ner`` keeps entities already set on the doc and predicts around
them, so ``ner_bio`` cannot overlap ``ner_chemdis``. Each has its own tok2vec so that either can be
retrained alone (``only``). Checkpoints are selected on the first ``dev_limit`` documents of BC5CDR + BioRED
dev (``ner_chemdis``) and of BioRED dev + BC2GM dev (``ner_bio``); NCBI dev is not used for selection. GSC+ is
not trained on. After them, the ``gene_symbols`` rule (see :func:`assemble`) tags exact HGNC symbols they left.

Measured alternative (issue #4): a third, gene-only component (BC2GM + BioRED genes) before ``ner_bio``
scored about the same as :data:`BIO_WITH_BC2GM` on BC2GM/BioRED dev but made NER ~1.5x slower (the tok2vec is
~80% of a component's time).
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypedDict

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, DocBin, Span
from spacy.util import filter_spans

from extractors.ner.corpora import BIO, CHEM_DIS, CORPORA, GoldDoc, load_corpus
from kg.schema import Category

log = logging.getLogger(__name__)

EXTRA_INFIXES = r"[-\u2010-\u2015/+()\[\]{}:;,=<>~'\"*]"

DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "ner" / "medkg-ner"


@dataclass(frozen=True, slots=True)
class LabelGroup:
    """One ``ner`` component: its labels and the corpora (all of whose annotated types it uses)."""

    name: str
    labels: tuple[Category, ...]
    train: tuple[str, ...]
    dev: tuple[str, ...]
    # in a train corpus that annotates only some of ``labels``, mark likely mentions of the others (known
    # surface forms from the group's corpora that annotate them, variant-shaped tokens) as missing, not "outside"
    mark_unannotated: bool = False


# ner_bio also learns BC2GM's genes (shipped since 1.1.0: BC2GM dev 53.86 -> 79.16, BioRED dev 77.92 -> 77.58
# with the gene-symbol rule below); ``kg train ner --without-bc2gm`` gives the BioRED-only ner_bio of 1.0.0.
BIO_WITH_BC2GM = LabelGroup("ner_bio", BIO, ("biored", "bc2gm"), ("biored", "bc2gm"), mark_unannotated=True)
BIO_ONLY = LabelGroup("ner_bio", BIO, ("biored",), ("biored",))
GROUPS = (
    LabelGroup("ner_chemdis", CHEM_DIS, ("bc5cdr", "biored", "ncbi_disease"), ("bc5cdr", "biored")),
    BIO_WITH_BC2GM,
)
GROUP_NAMES = tuple(g.name for g in GROUPS)
GENE_SYMBOL = re.compile(r"[A-Z][A-Z0-9]*[0-9][A-Z0-9]*")
"""HGNC approved symbols that the ``gene_symbols`` rule tags: capitals and digits, at least one digit, ≥ 4 characters
("CYP2D6", "BRCA1", "TP53"); shorter or digit-free symbols ("ACE", "C3", "MET") are also ordinary words."""


@dataclass(slots=True)
class ConversionStats:
    docs: int = 0
    mentions: int = 0
    misaligned: int = 0  # char offsets not on token boundaries: expanded to the enclosing tokens
    overlapping: int = 0  # nested/overlapping mentions dropped (spaCy ents cannot overlap)
    missing: int = 0  # tokens marked as missing annotation (LabelGroup.mark_unannotated)

    def add(self, other: ConversionStats) -> None:
        self.docs += other.docs
        self.mentions += other.mentions
        self.misaligned += other.misaligned
        self.overlapping += other.overlapping
        self.missing += other.missing


@spacy.registry.callbacks("medkg.scispacy_tokenizer.v1")
def scispacy_tokenizer_callback() -> Callable[[Language], Language]:
    """``[initialize.before_init]`` callback: scispaCy's rule tokenizer (only needed while training; its
    rules are serialized with the model, so loading the model needs neither scispaCy nor this module)."""

    def set_tokenizer(nlp: Language) -> Language:
        from scispacy.custom_tokenizer import combined_rule_tokenizer

        tokenizer = combined_rule_tokenizer(nlp)
        # scispaCy keeps "lithium-induced", "debrisoquine/sparteine" as one token, but ~10% of BC5CDR gold
        # boundaries fall inside such tokens; split them so that strict boundaries are representable.
        tokenizer.infix_finditer = re.compile(f"{tokenizer.infix_finditer.__self__.pattern}|{EXTRA_INFIXES}").finditer
        tokenizer.prefix_search = re.compile(f"{tokenizer.prefix_search.__self__.pattern}|^[(\\[{{]").search
        tokenizer.suffix_search = re.compile(f"{tokenizer.suffix_search.__self__.pattern}|(?<=\\w)\\.$").search
        nlp.tokenizer = tokenizer
        return nlp

    return set_tokenizer


def blank_pipeline() -> Language:
    nlp = spacy.blank("en")
    return scispacy_tokenizer_callback()(nlp)


# a whole token shaped like a sequence variant: rs numbers, HGVS c./p./g., G12D, Arg72Pro, C677T, -308G>A
VARIANT_TOKEN = re.compile(r"rs\d+|[cgpm]\.\S+|[A-Z]\d+[A-Z*]|[A-Z][a-z]{2}\d+(?:[A-Z][a-z]{2}|fs|del|ins|X)"
                           r"|-?\d+[ACGT]?>[ACGT]|[ACGT]\d+[ACGT]")

MissingFinder = Callable[[Doc], list[Span]]


def unannotated_finder(nlp: Language, categories: Iterable[Category], lexicon_docs: Iterable[GoldDoc]) -> MissingFinder:
    """Spans that may be unannotated mentions of ``categories``: case-insensitive matches of the surface
    forms of those categories in ``lexicon_docs`` and, for variants, variant-shaped tokens."""
    wanted = set(categories)
    terms = sorted({m.text for d in lexicon_docs for m in d.gold if m.category in wanted})
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    matcher.add("unannotated", list(nlp.tokenizer.pipe(terms)))
    variants = Category.VARIANT in wanted

    def find(doc: Doc) -> list[Span]:
        spans = [doc[start:end] for _, start, end in matcher(doc)]
        if variants:
            spans.extend(doc[t.i:t.i + 1] for t in doc if VARIANT_TOKEN.fullmatch(t.text))
        return filter_spans(spans)

    return find


def to_docbin(nlp: Language, docs: Iterable[GoldDoc], labels: Sequence[Category],
              missing: MissingFinder | None = None) -> tuple[DocBin, ConversionStats]:
    """Gold documents → a DocBin of whole-abstract docs whose ents are the gold mentions of ``labels``;
    every other token is "outside", except the spans ``missing`` finds outside the gold mentions, which
    are marked as missing annotation (for corpora that annotate only some of the group's labels)."""
    wanted = set(labels)
    stats = ConversionStats()
    docbin = DocBin(store_user_data=False)
    for gold in docs:
        doc = nlp.make_doc(gold.document.text)
        spans: list[Span] = []
        for m in sorted(gold.gold, key=lambda m: (m.start, -(m.end - m.start))):
            if m.category not in wanted:
                continue
            stats.mentions += 1
            span = doc.char_span(m.start, m.end, label=str(m.category), alignment_mode="strict")
            if span is None:
                stats.misaligned += 1
                span = doc.char_span(m.start, m.end, label=str(m.category), alignment_mode="expand")
            if span is None or (spans and span.start < spans[-1].end):
                stats.overlapping += 1
                continue
            spans.append(span)
        unknown = [] if missing is None else [
            u for u in missing(doc) if not any(u.start < s.end and s.start < u.end for s in spans)]
        stats.missing += sum(len(u) for u in unknown)
        doc.set_ents(spans, missing=unknown, default="outside")
        docbin.add(doc)
        stats.docs += 1
    return docbin, stats


CONFIG = """
[paths]
train = null
dev = null

[system]
seed = {seed}
gpu_allocator = null

[nlp]
lang = "en"
pipeline = ["ner"]
batch_size = 64
tokenizer = {{"@tokenizers":"spacy.Tokenizer.v1"}}

[components]

[components.ner]
factory = "ner"
incorrect_spans_key = null
moves = null
scorer = {{"@scorers":"spacy.ner_scorer.v1"}}
update_with_oracle_cut_size = 100

[components.ner.model]
@architectures = "spacy.TransitionBasedParser.v2"
state_type = "ner"
extra_state_tokens = false
hidden_width = 64
maxout_pieces = 2
use_upper = true
nO = null

[components.ner.model.tok2vec]
@architectures = "spacy.Tok2Vec.v2"

[components.ner.model.tok2vec.embed]
@architectures = "spacy.MultiHashEmbed.v2"
width = {width}
attrs = ["NORM","PREFIX","SUFFIX","SHAPE"]
rows = [8000,2000,4000,2000]
include_static_vectors = false

[components.ner.model.tok2vec.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = {width}
depth = {depth}
window_size = 1
maxout_pieces = 3

[corpora]

[corpora.train]
@readers = "spacy.Corpus.v1"
path = ${{paths.train}}
max_length = 0
gold_preproc = false
limit = 0

[corpora.dev]
@readers = "spacy.Corpus.v1"
path = ${{paths.dev}}
max_length = 0
gold_preproc = false
limit = 0

[training]
dev_corpus = "corpora.dev"
train_corpus = "corpora.train"
seed = ${{system.seed}}
gpu_allocator = ${{system.gpu_allocator}}
dropout = 0.1
accumulate_gradient = 1
patience = {patience}
max_epochs = {max_epochs}
max_steps = {max_steps}
eval_frequency = {eval_frequency}
frozen_components = []
annotating_components = []
before_to_disk = null
before_update = null

[training.batcher]
@batchers = "spacy.batch_by_words.v1"
discard_oversize = false
tolerance = 0.2
get_length = null

[training.batcher.size]
@schedules = "compounding.v1"
start = {batch_start}
stop = {batch_stop}
compound = 1.001
t = 0.0

[training.logger]
@loggers = "spacy.ConsoleLogger.v1"
progress_bar = false

[training.optimizer]
@optimizers = "Adam.v1"
beta1 = 0.9
beta2 = 0.999
L2_is_weight_decay = true
L2 = 0.01
grad_clip = 1.0
use_averages = false
eps = 0.00000001
learn_rate = 0.001

[training.score_weights]
ents_f = 1.0
ents_p = 0.0
ents_r = 0.0
ents_per_type = null

[pretraining]

[initialize]
vectors = null
init_tok2vec = null
vocab_data = null
lookups = null
before_init = {{"@callbacks":"medkg.scispacy_tokenizer.v1"}}
after_init = null

[initialize.components]

[initialize.tokenizer]
"""


@dataclass(frozen=True, slots=True)
class TrainSettings:
    max_epochs: int = 15
    max_steps: int = 0  # 0: no limit; each component stops at whichever of max_epochs/max_steps comes first
    patience: int = 1600  # steps without dev improvement before stopping
    eval_frequency: int = 200
    # words per batch, compounding from start to stop; larger than spaCy's 100..1000 default because on a
    # shared CPU small batches cost more time per word
    batch_start: int = 400
    batch_stop: int = 1500
    # dev documents per corpus used for checkpoint selection (evaluating all of BC5CDR dev every
    # eval_frequency steps costs as much as training); the full dev splits are scored by `kg evaluate ner`
    dev_limit: int = 150
    width: int = 96
    depth: int = 4
    seed: int = 0


def prepare_group(group: LabelGroup, data_root: Path, work: Path, dev_limit: int = 0) -> dict[str, ConversionStats]:
    """Write ``train.spacy``/``dev.spacy`` for one component; returns the conversion statistics."""
    nlp = blank_pipeline()
    work.mkdir(parents=True, exist_ok=True)
    report: dict[str, ConversionStats] = {}
    train_docs = {name: load_corpus(name, "train", data_root) for name in group.train}
    for split, names in (("train", group.train), ("dev", group.dev)):
        merged = DocBin(store_user_data=False)
        total = ConversionStats()
        for name in names:
            # a corpus contributes only the labels of this group that it annotates
            labels = [c for c in group.labels if c in CORPORA[name].categories]
            docs = train_docs[name] if split == "train" else load_corpus(name, split, data_root)
            if split == "dev" and dev_limit:
                docs = docs[:dev_limit]
            unannotated = [c for c in group.labels if c not in labels]
            missing = None
            if group.mark_unannotated and unannotated:
                lexicon = [d for other in group.train if other != name for d in train_docs[other]]
                missing = unannotated_finder(nlp, unannotated, lexicon)
            docbin, stats = to_docbin(nlp, docs, labels, missing)
            merged.merge(docbin)
            total.add(stats)
            report[f"{name}/{split}"] = stats
        merged.to_disk(work / f"{split}.spacy")
        log.info("%s %s: %s", group.name, split, total)
    return report


def train_group(group: LabelGroup, work: Path, settings: TrainSettings) -> Path:
    """Train one component with spaCy's training loop; returns the directory of the dev-best pipeline."""
    from spacy.cli.train import train as spacy_train

    config = work / "config.cfg"
    config.write_text(CONFIG.format(**asdict(settings)))
    out = work / "output"
    spacy_train(config, out, use_gpu=-1,
                overrides={"paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy")})
    return out / "model-best"


def _train_job(group: LabelGroup, work: Path, settings: TrainSettings) -> Path:
    logging.basicConfig(level=logging.INFO, format=f"[{group.name}] %(message)s")
    return train_group(group, work, settings)


def gene_symbols(table: Path | None = None) -> list[str]:
    """The HGNC approved symbols of the normalization lexicon's table that :data:`GENE_SYMBOL` accepts, sorted."""
    from extractors.normalize.table import SHIPPED_TABLE, read_table

    concepts, _ = read_table(table or SHIPPED_TABLE)
    return sorted({c.name for c in concepts if Category.GENE in c.categories and len(c.name) >= 4
                   and GENE_SYMBOL.fullmatch(c.name)})


def assemble(trained: dict[str, Path], out: Path, base: Language | None = None) -> Language:
    """One pipeline: scispaCy tokenizer, the ``ner`` components in GROUPS order, gene-symbol rule, a sentencizer.

    A group missing from ``trained`` is copied from ``base`` (an assembled pipeline with that component).
    The ``gene_symbols`` entity ruler tags tokens that are exactly an HGNC symbol like "CYP2D6" where the
    ``ner`` components left them untagged (it never overrides them): the BC2GM-trained ``ner_bio`` missed
    "CYP2D6" in three of four sentences of a plain pharmacogenomics abstract (kg/data/demo, 990000003), and a
    token that is a full symbol with digits is hardly ever anything else (BioRED dev Gene F1 73.17 → 73.57 with
    it, P/R 77.96/69.64; BC2GM dev unchanged at 79.16).
    """
    nlp = blank_pipeline()
    for group in GROUP_NAMES:
        if group in trained:
            nlp.add_pipe("ner", name=group, source=spacy.load(trained[group]))
        elif base is not None and group in base.pipe_names:
            nlp.add_pipe(group, source=base)
        else:
            raise ValueError(f"component {group} is neither trained nor in the base model")
    ruler = nlp.add_pipe("entity_ruler", name="gene_symbols", config={"overwrite_ents": False})
    # one token pattern with a set of symbols: loads in < 1 s (34k phrase patterns took ~20 s to load)
    ruler.add_patterns([{"label": Category.GENE.value, "pattern": [{"ORTH": {"IN": gene_symbols()}}]}])
    # rule-based sentences (split after . ! ? tokens): cheap, enough for abstracts; known weakness: the added
    # period-splitting suffix rule also splits "i.v." and so ends a sentence there
    nlp.add_pipe("sentencizer")
    nlp.meta.update({"name": out.name.replace("-", "_"), "version": "1.1.1", "spacy_version": ">=3.8.0,<3.9.0",
                     "description": "medkg biomedical NER (chemical, disease, gene, variant, species, cell line)"})
    if out.exists():
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    return nlp


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


class TrainReport(TypedDict):
    model: str
    size_bytes: int
    conversion: dict[str, dict[str, dict[str, int]]]  # corpus group → split → conversion counts


def train_ner(data_root: Path, out: Path = DEFAULT_MODEL_DIR, settings: TrainSettings | None = None,
              work_dir: Path | None = None, jobs: int = 1, only: Sequence[str] = (),
              base: Path | None = None, with_bc2gm: bool = True) -> TrainReport:
    """Convert the corpora, train the components (``jobs`` in parallel), assemble the model at ``out``.

    ``only``: train just these components and copy the others from the model at ``base`` (each component
    is trained independently with the same seed, so this gives what a full run would). ``with_bc2gm=False``:
    ``ner_bio`` is :data:`BIO_ONLY` (the 1.0.0 model).
    """
    settings = settings or TrainSettings()
    unknown = set(only) - set(GROUP_NAMES)
    if unknown:
        raise ValueError(f"unknown component(s) {', '.join(sorted(unknown))} (choose from {', '.join(GROUP_NAMES)})")
    chosen = [BIO_ONLY if not with_bc2gm and g.name == BIO_ONLY.name else g for g in GROUPS]
    groups = [g for g in chosen if not only or g.name in only]
    base_nlp = None
    if only:
        from extractors.ner.component import load_model

        base_nlp = load_model(base or out)
    tmp = None
    if work_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="medkg-ner-")
        work_dir = Path(tmp.name)
    try:
        conversion = {g.name: prepare_group(g, data_root, work_dir / g.name, settings.dev_limit) for g in groups}
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {g.name: pool.submit(_train_job, g, work_dir / g.name, settings) for g in groups}
            trained = {name: f.result() for name, f in futures.items()}
        assemble(trained, out, base_nlp)
    finally:
        if tmp is not None:
            tmp.cleanup()
    return {
        "model": str(out),
        "size_bytes": dir_size(out),
        "conversion": {g: {k: _stats_dict(s) for k, s in rep.items()} for g, rep in conversion.items()},
    }


def _stats_dict(stats: ConversionStats) -> dict[str, int]:
    return {"docs": stats.docs, "mentions": stats.mentions, "misaligned": stats.misaligned,
            "overlapping": stats.overlapping, "missing": stats.missing}
