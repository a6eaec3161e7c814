"""`matcher evaluate`: every ranker against who really helped, on the store or on real data."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

from matcher.cli.context import AppContext, pass_app
from matcher.errors import MatcherError

METRICS = ("mrr", "recall@1", "recall@10", "ndcg@10", "coverage@10", "gini@10")


JSON_OPTION = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object instead of a table."
)
CANDIDATES_OPTION = click.option(
    "--candidates",
    type=click.IntRange(min=1),
    help="Candidates per need, by content similarity [default: setting candidates_per_need].",
)


@click.group("evaluate", invoke_without_command=True)
@JSON_OPTION
@CANDIDATES_OPTION
@click.pass_context
def evaluate_group(ctx: click.Context, as_json: bool, candidates: int | None) -> None:
    """Compare the learned ranker with simple baselines, on exactly the same candidates.

    Without a subcommand, evaluates the store (same as `matcher evaluate store`).
    Every ranker is trained only on the past and tested on the last 30% by time.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(store_command, as_json=as_json, candidates=candidates)


@evaluate_group.command("store")
@JSON_OPTION
@CANDIDATES_OPTION
@pass_app
def store_command(app: AppContext, as_json: bool = False, candidates: int | None = None) -> None:
    """Evaluate on the store's own outcomes: do the rankers find who actually helped?

    Queries are needs with a helped/accepted outcome posted in the last 30% of time;
    candidates are the members closest by content as of the need's time; the rankers are
    random, activity, recency, bm25, content (the engine's content score), behaviour (the
    learned model without the features that read what needs and offers say: their words and
    tags) and the matcher.
    """
    from matcher.evaluate.store import encode_community, evaluate_community
    from matcher.progress import rich_progress
    from matcher.snapshot import load_community

    with app.sessions() as session:
        community = load_community(session)
    with rich_progress(app.console) as reporter:
        vectors = encode_community(community, app.encoder, app.sessions, reporter)
        evaluation = evaluate_community(community, vectors, app.settings, reporter, candidates)
    _show(app, evaluation, as_json)


@evaluate_group.command("stackexchange")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.option("--site", help="Site name for links and the report [default: the folder's name].")
@pass_app
def stackexchange_command(app: AppContext, path: Path, as_json: bool, site: str | None) -> None:
    """Evaluate on a Stack Exchange dump: do the rankers find who answered?

    PATH is a folder with Posts.xml (and optionally Users.xml). A question is a need (its
    title, body and tags) and its answerers are the helpers. Questions are taken in date
    order and the last 30% are the test, each ranked with only what came before it; a
    question's candidates are the users with at least 3 earlier answers, its asker left
    out. MRR and Recall@1 score finding the accepted answerer; Recall@10 and NDCG@10 every
    answerer whose answer has a score above 0 (and the accepted one). The learned rankers are
    refitted every 10 test questions (at most 20 times) on what was known by then. Under the
    table: the matcher against the best baseline and against behaviour, with 95% bootstrap
    intervals over the test questions. Texts are encoded with the model of `matcher --encoder`
    (e.g. `matcher --encoder PATH evaluate stackexchange DUMP`). A bad field in a dump is
    refused with its file, line and name. Content: CC BY-SA, https://<site>.stackexchange.com.
    """
    from matcher.datasets import load_stackexchange
    from matcher.evaluate.protocol import encode_posts
    from matcher.evaluate.stackexchange import evaluate_stackexchange
    from matcher.progress import rich_progress

    with app.console.status(f"reading {path}"):
        dump = load_stackexchange(path, site=site)
    with rich_progress(app.console) as reporter:
        vectors = encode_posts(dump.community, app.encoder, reporter)
        evaluation = evaluate_stackexchange(
            dump, vectors, min_labels=app.settings.min_training_labels, progress=reporter
        )
    _show(app, evaluation, as_json)


def _show(app: AppContext, evaluation, as_json: bool) -> None:
    """Print the evaluation; one with no test query is printed, then fails (exit code 1)."""
    _print(app, evaluation, as_json)
    if evaluation.n_queries == 0:
        why = "; ".join(evaluation.notes) or "no test query"
        raise MatcherError(f"nothing was evaluated: {why}")


def _print(app: AppContext, evaluation, as_json: bool) -> None:
    if as_json:
        report = {
            "dataset": evaluation.dataset,
            "n_queries": evaluation.n_queries,
            "median_candidates": evaluation.median_candidates,
            "rankers": evaluation.rankers,
            "notes": evaluation.notes,
            "details": evaluation.details,
            "comparisons": evaluation.comparisons,
        }
        click.echo(json.dumps(report))
        return
    table = Table(
        "ranker",
        *METRICS,
        title=f"{evaluation.dataset}: {evaluation.n_queries} test queries, "
        f"median {evaluation.median_candidates:g} candidates",
    )
    for name, metrics in evaluation.rankers.items():
        table.add_row(name, *(f"{metrics[m]:.3f}" if m in metrics else "-" for m in METRICS))
    app.out.print(table)
    for role, comparison in evaluation.comparisons.items():
        app.out.print(_comparison_line(comparison, best=role.endswith("best_baseline")))
    for note in evaluation.notes:
        app.out.print(f"note: {note}")
    for key, value in evaluation.details.items():
        app.out.print(f"{key}: {value}")


def _comparison_line(c: dict, best: bool) -> str:
    """One comparison of `Evaluation.comparisons` in words, with its 95% intervals."""

    def interval(bounds, fmt: str) -> str:
        return "" if bounds is None else f" (95% CI {bounds[0]:{fmt}} to {bounds[1]:{fmt}})"

    ratio = ""
    if c["mrr_ratio"] is not None:
        ratio = f"{c['mrr_ratio']:.2f}x{interval(c['mrr_ratio_ci95'], '.2f')}, "
    role = " (the best baseline)" if best else ""
    mrr = f"MRR {c['mrr']:.3f} vs {c['reference_mrr']:.3f}"
    return (
        f"matcher vs {c['reference']}{role}: {mrr}, {ratio}"
        f"{c['mrr_difference']:+.3f}{interval(c['mrr_difference_ci95'], '+.3f')}"
    )
