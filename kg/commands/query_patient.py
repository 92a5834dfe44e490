"""``kg query patient``: symptoms, history, drugs and genotype → differential, treatments and risk flags."""

from __future__ import annotations

from typing import Any

import click

from kg.commands.common import echo_answer, fail_if_strict, json_option, open_for_cli, store_options, strict_option
from kg.config import StoreConfig


@click.command("patient")
@click.option("--symptoms", default="", help='Presenting symptoms, negations allowed: "fever, cough, no rash".')
@click.option("--history", default="", help='Known conditions, comma-separated: "asthma, type 2 diabetes".')
@click.option("--drugs", default="", help='Current drugs, comma-separated: "codeine, paroxetine".')
@click.option("--genotype", default="", help='Star alleles, comma-separated: "CYP2D6*10, CYP2C19*2/*2".')
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="Diagnoses to list.")
@click.option("--top-diseases", type=click.IntRange(min=0), default=3, show_default=True,
              help="Best diagnoses to suggest treatments for.")
@click.option("--treatments", "per_disease", type=click.IntRange(min=1), default=5, show_default=True,
              help="Treatments per diagnosis.")
@click.option("--lexicon", "use_lexicon", is_flag=True,
              help="Also resolve drug/condition/gene names the store lacks (brand names, aliases) with the shipped "
                   "normalization lexicon (loads in ~10 s when first needed).")
@strict_option
@store_options
@json_option
def patient(symptoms: str, history: str, drugs: str, genotype: str, top: int, top_diseases: int, per_disease: int,
            use_lexicon: bool, strict: bool, store_config: StoreConfig, as_json: bool) -> None:
    """A differential diagnosis, candidate treatments and risk flags for one patient profile.

    \b
    Example:
      kg query patient --symptoms "fever, productive cough, no rash" --history "asthma" \\
          --drugs "codeine" --genotype "CYP2D6*10" --json

    Risk flags: adverse effects (a drug causes a condition of the history, a symptom or a diagnosis),
    interactions with current drugs (interacts_with), and pharmacogenomic warnings (drug–gene edges of the
    genotype's gene). The store is opened read-only and nothing about the patient is written or logged.

    Exit status 0 also when an item is not recognised or the symptoms match no disease; with --strict, 1.
    """
    from queries.patient import PatientAnalyzer, PatientProfile
    from queries.resolve import LazyLexicon

    if not any((symptoms, history, drugs, genotype)):
        raise click.UsageError("give at least one of --symptoms, --history, --drugs, --genotype")
    profile = PatientProfile.from_text(symptoms, history, drugs, genotype)
    with open_for_cli(store_config, read_only=True) as store:
        analyzer = PatientAnalyzer(store, lexicon=LazyLexicon() if use_lexicon else None)
        report = analyzer.analyze(profile, top=top, top_diseases=top_diseases,
                                  treatments_per_disease=per_disease).as_dict()
    if as_json:
        from queries.answers import PatientResult

        echo_answer(PatientResult, report)
    else:
        _print(report)
    fail_if_strict(strict, patient_problems(report, symptoms_given=bool(symptoms.strip())))


def patient_problems(report: dict[str, Any], *, symptoms_given: bool) -> list[str]:
    """What --strict fails on: any item of the profile not recognised, or symptoms that match no disease."""
    diff = report["differential"]
    texts = [u["text"] for u in diff["unrecognized"]]
    texts += [u["text"] for items in report["unrecognized"].values() for u in items]
    texts += [g["query"] for g in report["genotypes"] if g["unrecognized"]]
    omitted = sum(report["unrecognized_omitted"].values())  # per field, symptoms included
    problems = []
    if texts or omitted:
        more = f" and {omitted} more" if omitted else ""
        problems.append(f"not recognised: {', '.join(map(repr, texts))}{more}")
    if symptoms_given and not diff["answers"]:
        problems.append("the symptoms match no disease")
    return problems


def _print(report: dict[str, Any]) -> None:
    diff = report["differential"]
    for key in ("present", "absent"):
        if diff[key]:
            click.echo(f"{key}: " + ", ".join(f"{t['label']} ({t['term_id']})" for t in diff[key]))
    for label, items in (("history", report["history"]), ("drugs", report["drugs"])):
        if items:
            click.echo(f"{label}: " + ", ".join(f"{i['name']} ({i['id']})" for i in items))
    for g in report["genotypes"]:
        if g["gene"]:
            click.echo(f"genotype: {g['gene']['name']}{g['genotype']} ({g['gene']['id']})")
    unrecognized = [(u["text"], u["close_matches"]) for u in diff["unrecognized"]]
    unrecognized += [(u["text"], u["close_matches"]) for items in report["unrecognized"].values() for u in items]
    unrecognized += [(g["query"], g["unrecognized"]["close_matches"]) for g in report["genotypes"] if g["unrecognized"]]
    for text, near in unrecognized:
        names = ", ".join(m.get("name") or m.get("label", "") for m in near)
        click.echo(f"not recognised: {text!r}" + (f" — closest: {names}" if names else ""))
    _print_left_out(report)
    click.echo("\ndifferential:")
    if not diff["answers"]:
        click.echo("  (no symptoms matched)")
    for rank, answer in enumerate(diff["answers"], start=1):
        matched = ", ".join(m["query_label"] for m in answer["matched"])
        click.echo(f"  {rank:>2}. {answer['disease_id']}  {answer['disease_name']}  score {answer['score']:.3f}"
                   + (f"  (matched: {matched})" if matched else ""))
    if report["treatments"]:
        click.echo("\ncandidate treatments:")
    for treatment in report["treatments"]:
        click.echo(f"  {treatment['disease_name'] or treatment['disease_id']}:")
        if not treatment["drugs"]:
            click.echo("      (no treats edges in the graph)")
        for option in treatment["drugs"]:
            flags = f"  ⚠ {', '.join(option['flags'])}" if option["flags"] else ""
            click.echo(f"      {option['drug_name']} ({option['drug_id']})  strength {option['strength']:.2f}  "
                       f"[{', '.join(option['sources'])}]{flags}")
    click.echo("\nrisk flags:" if report["risk_flags"] else "\nrisk flags: none found in the graph")
    for flag in report["risk_flags"]:
        pmids = f"  PMIDs {', '.join(flag['pmids'][:5])}" if flag["pmids"] else ""
        click.echo(f"  [{flag['kind']}, {flag['drug_role']} drug] {flag['message']}  "
                   f"(strength {flag['strength']:.2f}; {', '.join(flag['sources'])}){pmids}")


def _print_left_out(report: dict[str, Any]) -> None:
    """What the caps on items per field left out (see queries.patient), one line per field that lost any."""
    from queries.symptom_text import MAX_ITEMS

    for name, omitted in report["unrecognized_omitted"].items():
        if omitted:
            click.echo(f"not recognised: {omitted} more {name} not listed")
    for name, ignored in report["ignored"].items():
        if ignored:
            click.echo(f"ignored: {ignored} {name} after the first {MAX_ITEMS}")
