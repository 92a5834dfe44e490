"""Calibrated evidence scores: the probability that an extracted edge is right, and the default thresholds.

The relation model's raw outputs (the winning class's softmax probability, the learned CID probability) rank
pairs poorly and are not probabilities of being right: end to end, about a quarter of the edges were right at
every raw score. :class:`Calibration` maps a prediction to ``P(edge right)`` with a small logistic model per
*family* (Platt scaling with a few features), fitted on data the relation model was not trained on:

``cid``
    ``causes`` edges between a chemical and a disease (type ``CID``, or BioRED's chemical–disease
    Positive_Correlation). "Right" is BC5CDR's chemical-induced disease, document level; fitted end to end
    (shipped NER + normalization) on BC5CDR train abstracts 401–500, which relation training leaves out.
``biored``
    every other edge. "Right" is BioRED's entity pair, document level (the two identifiers are related in the
    abstract, any type); fitted end to end on BioRED dev (the only BioRED data besides train), so its dev
    numbers are reported cross-fitted (k-fold over dev documents) as well.

Features: the logit of the model's pair probabilities (``related`` = 1 − P(none), the raw score, and for the
``cid`` family the CID probability) and the endpoints' normalization confidence — the weaker endpoint's score
(1 for an exact match, lower for fuzzy and head-backoff matches) and whether one of them is a local ``medkg:`` id
— since an edge between wrongly identified entities is wrong whatever the sentence says. The coefficients of
the model's probabilities are kept ≥ 0, so the calibrated probability never falls as the model's score rises.

The parameters and the per-family default thresholds (chosen on dev for end-to-end precision, see
``models/re/README.md``) are stored in ``models/re/calibration.json``; ``python -m
extractors.relations.calibration`` reproduces them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from extractors.relations.candidates import EntityMentions, RelDoc, mention_sentence
from extractors.relations.labels import CID, base_category
from extractors.relations.predict import PairPrediction
from kg.schema import Category

DEFAULT_CALIBRATION = Path(__file__).resolve().parents[2] / "models" / "re" / "calibration.json"
FAMILIES = ("cid", "biored")
FEATURES: dict[str, tuple[str, ...]] = {
    "cid": ("cid", "related", "score", "min_confidence", "local", "cooccur", "title", "mentions", "main"),
    "biored": ("related", "score", "min_confidence", "local", "cooccur", "title", "mentions", "main",
               "chemical_gene", "chemical_chemical", "gene_disease", "gene_gene", "variant"),
}
PAIR_KINDS = ("chemical_gene", "chemical_chemical", "gene_disease", "gene_gene", "variant")
"""One-hot kinds of pair beside chemical–disease (the reference): end to end they differ most in how often an
edge is right, mostly through how often their identifiers are (genes, and variants' local ids, least)."""
SIGNS: dict[str, int] = {"cid": 1, "related": 1, "score": 1, "min_confidence": 1, "local": -1}
"""Sign each coefficient is held to: the calibrated probability never falls as one of the model's probabilities
or the endpoints' normalization confidence rises, and a local endpoint never raises it."""
REGULARIZATION: dict[str, float] = {"cid": 1.0, "biored": 0.1}
"""Inverse L2 strength ``C`` of each family's logistic fit. ``biored``'s was chosen cross-fitted on BioRED dev
(1, 0.3, 0.1, 0.03): 0.1 gave the lowest ECE at F1 ≥ 25 (0.086 against 0.110 at C = 1, with precision 42.5 against
40.9). ``cid`` keeps 1: its threshold is chosen on BC5CDR dev, which should not choose the fit as well."""
EPS = 1e-4


def logit(p: float) -> float:
    p = min(max(p, EPS), 1 - EPS)
    return math.log(p / (1 - p))


def family(prediction: PairPrediction, head: EntityMentions, tail: EntityMentions) -> str:
    """``cid`` for a chemical → disease ``causes`` edge, else ``biored``."""
    chemical_disease = {base_category(head.category), base_category(tail.category)} == \
        {Category.CHEMICAL, Category.DISEASE}
    if chemical_disease and prediction.type in (CID, "Positive_Correlation"):
        return "cid"
    return "biored"


def features(prediction: PairPrediction, doc: RelDoc) -> dict[str, float]:
    """The calibration features of one prediction (see the module docstring); ``cooccur`` (sentences naming
    both, up to 3), ``title`` (both named in the title), ``mentions`` (log mentions of the rarer one) and ``main``
    (both are the most mentioned entity of their category in the abstract) say where the pair stands."""
    head, tail = doc.entities[prediction.head], doc.entities[prediction.tail]
    confidence = min(head.confidence, tail.confidence)
    hs, ts = _sentences(doc, head), _sentences(doc, tail)
    title = 0 if doc.sentences and doc.sentences[0][1] <= _title_end(doc) else -1
    most: dict[Category, int] = {}
    for e in doc.entities:
        c = base_category(e.category)
        most[c] = max(most.get(c, 0), len(e.spans))
    main = all(len(e.spans) >= most[base_category(e.category)] for e in (head, tail))
    return {
        "cid": logit(prediction.cid), "related": logit(prediction.related), "score": logit(prediction.score),
        "min_confidence": confidence, "local": float(confidence <= 0.0),
        "cooccur": float(min(len(hs & ts), 3)), "title": float(title in hs and title in ts),
        "mentions": math.log(min(len(head.spans), len(tail.spans))), "main": float(main),
        **pair_kind(head.category, tail.category),
    }


def pair_kind(head: Category | str, tail: Category | str) -> dict[str, float]:
    names = {Category.CHEMICAL: "chemical", Category.GENE: "gene", Category.DISEASE: "disease",
             Category.VARIANT: "variant"}
    a, b = (names.get(base_category(Category(c)), "other") for c in (head, tail))
    kind = "variant" if "variant" in (a, b) else f"{a}_{b}"
    return {k: float(kind == k) for k in PAIR_KINDS}


def _title_end(doc: RelDoc) -> int:
    return doc.title_end if doc.title_end else -1


def _sentences(doc: RelDoc, entity: EntityMentions) -> set[int]:
    return {mention_sentence(doc.sentences, span) for span in entity.spans}


@dataclass(slots=True)
class Platt:
    """``sigmoid(intercept + Σ coef · feature)``."""

    features: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float

    def __call__(self, x: dict[str, float]) -> float:
        z = self.intercept + sum(c * x[f] for f, c in zip(self.features, self.coef, strict=True))
        return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))

    def as_dict(self) -> dict:
        return {"features": list(self.features), "coef": [round(c, 6) for c in self.coef],
                "intercept": round(self.intercept, 6)}


@dataclass(slots=True)
class Calibration:
    """Per-family calibrators and default thresholds (calibrated probability ≥ threshold is emitted)."""

    models: dict[str, Platt]
    thresholds: dict[str, float]
    floor: float = 0.05
    info: dict = field(default_factory=dict)

    def probability(self, prediction: PairPrediction, doc: RelDoc) -> tuple[str, float]:
        fam = family(prediction, doc.entities[prediction.head], doc.entities[prediction.tail])
        return fam, self.models[fam](features(prediction, doc))

    @classmethod
    def load(cls, path: str | Path = DEFAULT_CALIBRATION) -> Calibration:
        data = json.loads(Path(path).read_text())
        models = {f: Platt(tuple(m["features"]), tuple(m["coef"]), m["intercept"]) for f, m in data["models"].items()}
        return cls(models, {f: float(t) for f, t in data["thresholds"].items()}, float(data.get("floor", 0.05)),
                   data.get("info", {}))

    def save(self, path: str | Path) -> None:
        data = {"version": "1", "models": {f: m.as_dict() for f, m in self.models.items()},
                "thresholds": self.thresholds, "floor": self.floor, "info": self.info}
        Path(path).write_text(json.dumps(data, indent=2) + "\n")


def fit_platt(rows: Sequence[dict], names: tuple[str, ...], c: float = 1.0) -> Platt:
    """Logistic regression of ``row["right"]`` on ``names``; a feature whose coefficient comes out with the wrong
    sign (:data:`SIGNS`) is dropped and the fit repeated, so that the result is monotone in the model's scores."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    names = tuple(names)
    y = np.array([int(r["right"]) for r in rows])
    while True:
        x = np.array([[r["x"][n] for n in names] for r in rows], dtype=float)
        if len(set(y.tolist())) < 2:
            rate = min(max(y.mean() if len(y) else 0.5, EPS), 1 - EPS)
            return Platt((), (), logit(float(rate)))
        model = LogisticRegression(C=c, max_iter=1000).fit(x, y)
        coef = model.coef_[0].tolist()
        bad = [n for n, w in zip(names, coef, strict=True) if SIGNS.get(n, 0) * w < 0]
        if not bad:
            return Platt(names, tuple(coef), float(model.intercept_[0]))
        names = tuple(n for n in names if n not in bad)


def reliability(scored: Sequence[tuple[float, bool]], bins: int = 10) -> dict:
    """Reliability table over equal-width score bins and the expected calibration error.

    ``scored``: ``(probability, right)`` per edge. ECE = Σ_bins (n_b / N) · |mean score_b − precision_b|.
    """
    table = []
    n = len(scored)
    ece = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(p, r) for p, r in scored if lo <= p < hi or (b == bins - 1 and p == 1.0)]
        if not inside:
            table.append({"bin": f"{lo:.1f}-{hi:.1f}", "count": 0, "mean_score": None, "precision": None})
            continue
        mean = sum(p for p, _ in inside) / len(inside)
        precision = sum(r for _, r in inside) / len(inside)
        ece += len(inside) / n * abs(mean - precision)
        table.append({"bin": f"{lo:.1f}-{hi:.1f}", "count": len(inside), "mean_score": round(mean, 4),
                      "precision": round(precision, 4)})
    return {"bins": table, "ece": round(ece, 4), "edges": n}


# --- reproduction: python -m extractors.relations.calibration --data ../shared/data --cache /tmp/re-calibration ---

RUNS: dict[str, tuple[str, str, str, tuple[int, int] | None]] = {
    "cid_fit": ("bc5cdr", "train", "predicted", (400, 500)),  # held out of relation training
    "biored_dev": ("biored", "dev", "predicted", None),
    "cid_dev": ("bc5cdr", "dev", "predicted", None),
    "biored_dev_gold": ("biored", "dev", "gold", None),
    "cid_dev_gold": ("bc5cdr", "dev", "gold", None),
}


def collect_runs(data_root, cache: Path, names: Sequence[str] = tuple(RUNS)) -> dict[str, dict]:
    """Candidate rows and gold sets of the calibration runs, computed once into ``cache`` (JSON per run)."""
    from extractors.relations.component import RelationExtractor
    from extractors.relations.evaluate import collect, gold_set

    cache.mkdir(parents=True, exist_ok=True)
    out = {}
    extractor = None
    for name in names:
        path = cache / f"{name}.json"
        if not path.is_file():
            corpus, split, entities, span = RUNS[name]
            extractor = extractor or RelationExtractor(min_score=0.0)
            run = collect(corpus, split, data_root, None, entities, progress=True,
                          documents=slice(*span) if span else None, extractor=extractor)
            gold = [[p, *sorted(k)] if corpus == "biored" else [p, *k] for p, *rest in gold_set(corpus, run.records)
                    for k in [rest[0] if corpus == "biored" else rest]]
            path.write_text(json.dumps({"corpus": corpus, "rows": run.rows, "gold": gold,
                                        "documents": len(run.docs), "pmids": [d.pmid for d in run.docs]}))
        data = json.loads(path.read_text())
        corpus = data["corpus"]
        data["gold"] = {(g[0], frozenset(g[1:])) if corpus == "biored" else tuple(g) for g in data["gold"]}
        out[name] = data
    return out


def _score(corpus: str, rows: list[dict], gold: set, thresholds: dict[str, float]) -> dict:
    from extractors.relations.evaluate import emitted, pair_sets
    from extractors.relations.metrics import prf

    chosen = emitted(rows, thresholds)
    scored = [r for r in chosen if r["right"] is not None and (corpus == "biored" or r["family"] == "cid")]
    table = reliability([(r["probability"], bool(r["right"])) for r in scored])
    return {**prf(pair_sets(corpus, chosen), gold), "ece": table["ece"], "edges": table["edges"]}


def choose_threshold(corpus: str, rows: list[dict], gold: set, fam: str, fixed: dict[str, float],
                     target: float = 70.0, bar_f1: float = 0.0, slack: float = 1.0,
                     grid: Sequence[float] | None = None) -> tuple[float, list]:
    """The threshold of family ``fam`` (the others ``fixed``), precision first: the best F1 among those with
    precision ≥ ``target`` and F1 ≥ ``bar_f1``; else the best precision with F1 ≥ ``bar_f1``; else (the bar out of
    reach) the best precision among those within ``slack`` points of the best F1."""
    grid = grid or [round(0.05 * k, 2) for k in range(1, 20)]
    table = [(t, _score(corpus, rows, gold, {**fixed, fam: t})) for t in grid]
    ok = [(t, s) for t, s in table if s["precision"] >= target and s["f1"] >= bar_f1]
    if ok:
        return max(ok, key=lambda ts: (ts[1]["f1"], -ts[0]))[0], table
    ok = [(t, s) for t, s in table if s["f1"] >= bar_f1]
    if not ok:
        best = max(s["f1"] for _, s in table)
        ok = [(t, s) for t, s in table if s["f1"] >= best - slack]
    return max(ok, key=lambda ts: (ts[1]["precision"], -ts[0]))[0], table


def _apply(rows: list[dict], models: dict[str, Platt]) -> None:
    for r in rows:
        r["probability"] = models[r["family"]](r["x"])


def cross_fit(rows: list[dict], fam: str, names: tuple[str, ...], folds: int = 5, c: float = 1.0) -> None:
    """Out-of-fold probabilities for the ``fam`` rows (folds over documents, by PMID)."""
    pmids = sorted({r["pmid"] for r in rows})
    fold_of = {p: k % folds for k, p in enumerate(pmids)}
    for k in range(folds):
        train = [r for r in rows if r["family"] == fam and fold_of[r["pmid"]] != k and r["right"] is not None]
        model = fit_platt(train, names, c)
        for r in rows:
            if r["family"] == fam and fold_of[r["pmid"]] == k:
                r["probability"] = model(r["x"])


def fit(runs: dict[str, dict], folds: int = 5) -> tuple[Calibration, dict]:
    """Fit both families, choose the thresholds on dev and report dev (BioRED cross-fitted)."""
    for run in runs.values():  # features that need no model output are recomputed (cached rows stay usable)
        for r in run["rows"]:
            r["x"].update(pair_kind(r["head_category"], r["tail_category"]))
    cid_rows = [r for r in runs["cid_fit"]["rows"] if r["family"] == "cid" and r["right"] is not None]
    biored_rows = [r for r in runs["biored_dev"]["rows"] if r["family"] == "biored"]
    models = {"cid": fit_platt(cid_rows, FEATURES["cid"], REGULARIZATION["cid"]),
              "biored": fit_platt(biored_rows, FEATURES["biored"], REGULARIZATION["biored"])}
    for name in runs:
        _apply(runs[name]["rows"], models)
    cid_dev, biored_dev = runs["cid_dev"], runs["biored_dev"]
    t_cid, cid_table = choose_threshold("bc5cdr", cid_dev["rows"], cid_dev["gold"], "cid", {"biored": 1.0},
                                        bar_f1=35.0)
    # BioRED's threshold on cross-fitted probabilities (the calibrator of this family is fitted on BioRED dev)
    crossed = [dict(r) for r in biored_dev["rows"]]
    cross_fit(crossed, "biored", models["biored"].features or FEATURES["biored"], folds, REGULARIZATION["biored"])
    t_biored, biored_table = choose_threshold("biored", crossed, biored_dev["gold"], "biored", {"cid": t_cid},
                                              bar_f1=25.0)
    thresholds = {"cid": t_cid, "biored": t_biored}
    report = {
        "thresholds": thresholds,
        "cid_dev": _score("bc5cdr", cid_dev["rows"], cid_dev["gold"], thresholds),
        "biored_dev_cross_fitted": _score("biored", crossed, biored_dev["gold"], thresholds),
        "biored_dev_in_sample": _score("biored", biored_dev["rows"], biored_dev["gold"], thresholds),
        "cid_fit": _score("bc5cdr", runs["cid_fit"]["rows"], runs["cid_fit"]["gold"], thresholds),
        "cid_threshold_table": {t: s for t, s in cid_table},
        "biored_threshold_table": {t: s for t, s in biored_table},
    }
    for name in ("biored_dev_gold", "cid_dev_gold"):
        if name in runs:
            corpus = runs[name]["corpus"]
            report[name] = _score(corpus, runs[name]["rows"], runs[name]["gold"], thresholds)
    info = {"data": {"cid": "BC5CDR train abstracts 401-500 (held out of relation training), end to end",
                     "biored": "BioRED dev, end to end (BioRED dev numbers are reported cross-fitted, "
                               f"{folds}-fold over documents)"},
            "thresholds": "chosen on dev: BC5CDR dev (cid), BioRED dev cross-fitted (biored); precision >= 70 "
                          "where F1 stays >= the bars (35 CID, 25 BioRED pairs), else the best precision with F1 "
                          ">= the bar, else the best precision within 1 point of the best F1",
            "command": "python -m extractors.relations.calibration --data ../shared/data "
                       "--cache /tmp/re-calibration --out models/re/calibration.json",
            "dev": {k: report[k] for k in ("cid_dev", "biored_dev_cross_fitted", "biored_dev_gold", "cid_dev_gold")
                    if k in report}}
    return Calibration(models, thresholds, 0.05, info), report


def main(argv: Sequence[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Fit the relation score calibration and default thresholds.")
    parser.add_argument("--data", default=None, help="shared data root")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/re-calibration"),
                        help="where the end-to-end candidate rows of each run are kept")
    parser.add_argument("--out", type=Path, default=None, help="calibration file to write")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    calibration, report = fit(collect_runs(args.data, args.cache), args.folds)
    print(json.dumps({k: v for k, v in report.items() if not k.endswith("_table")}, indent=2))
    for key in ("cid_threshold_table", "biored_threshold_table"):
        print(key)
        for t, s in report[key].items():
            print(f"  {t:.2f} P {s['precision']:6.2f} R {s['recall']:6.2f} F {s['f1']:6.2f} ECE {s['ece']:.3f} "
                  f"edges {s['edges']}")
    print(json.dumps({f: m.as_dict() for f, m in calibration.models.items()}))
    if args.out:
        calibration.save(args.out)


if __name__ == "__main__":
    main()
