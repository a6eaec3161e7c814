from __future__ import annotations

import json
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from matcher.cli import main
from matcher.datasets import load_stackexchange
from matcher.datasets.stackexchange import parse_tags, strip_html
from matcher.embed import HashingEncoder
from matcher.errors import InvalidInput
from matcher.evaluate.protocol import encode_posts
from matcher.evaluate.stackexchange import evaluate_stackexchange
from tests.conftest import SHARED_DATA

SITES = SHARED_DATA / "stackexchange"


def row(**attrs: object) -> str:
    return "  <row " + " ".join(f'{k}="{escape(str(v))}"' for k, v in attrs.items()) + " />"


def write_dump(folder: Path, posts: list[str], users: list[str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    body = "\n".join(posts)
    (folder / "Posts.xml").write_text(
        f'<?xml version="1.0" encoding="utf-8"?>\n<posts>\n{body}\n</posts>\n'
    )
    if users is not None:
        body = "\n".join(users)
        (folder / "Users.xml").write_text(
            f'<?xml version="1.0" encoding="utf-8"?>\n<users>\n{body}\n</users>\n'
        )
    return folder


SMALL_POSTS = [
    row(
        Id=1,
        PostTypeId=1,
        AcceptedAnswerId=3,
        CreationDate="2020-01-01T10:00:00.000",
        OwnerUserId=7,
        Title="Which hops for a pale ale?",
        Body="<p>I want <b>citrus</b> notes.</p>",
        Tags="<hops><pale-ale>",
        Score=3,
    ),
    row(
        Id=2,
        PostTypeId=1,
        CreationDate="2020-01-02T10:00:00.000",
        Title="Orphan question: what does &amp; mean?",  # a title is plain text
        Body="<p>asked by a deleted user</p>",
        Tags="<misc>",
    ),
    row(
        Id=3,
        PostTypeId=2,
        ParentId=1,
        CreationDate="2020-01-01T12:00:00.000",
        OwnerUserId=8,
        Score=5,
        Body="<p>Try <a href='x'>Citra</a> &amp; Mosaic.</p>",
    ),
    row(
        Id=4,
        PostTypeId=2,
        ParentId=1,
        CreationDate="2020-01-01T13:00:00.000",
        OwnerUserId=9,
        Score=0,
        Body="<p>Cascade.</p>",
    ),
    row(
        Id=5,
        PostTypeId=2,
        ParentId=1,
        CreationDate="2020-01-01T14:00:00.000",
        Score=2,
        Body="<p>answer of a deleted user</p>",
    ),
    row(
        Id=6,
        PostTypeId=2,
        ParentId=2,
        CreationDate="2020-01-02T11:00:00.000",
        OwnerUserId=8,
        Score=1,
        Body="<p>an answer to the orphan</p>",
    ),
    row(Id=7, PostTypeId=5, CreationDate="2020-01-01T10:00:00.000", Body="tag wiki"),
    row(
        Id=8,
        PostTypeId=2,
        ParentId=1,
        CreationDate="2020-01-01T15:00:00.000",
        OwnerUserId=10,
        Score=4,
        Body="<p>Galaxy</p>",
    ),
]
SMALL_USERS = [
    row(
        Id=-1,
        CreationDate="2019-01-01T00:00:00.000",
        DisplayName="Community",
        AboutMe="<p>I am a bot</p>",
    ),
    row(Id=7, CreationDate="2019-06-01T00:00:00.000", DisplayName="Asker", Location="Leeds, UK"),
    row(
        Id=8,
        CreationDate="2019-07-01T00:00:00.000",
        DisplayName="Brewer",
        AboutMe="<p>Homebrewer since <i>2001</i>.</p>",
    ),
    row(Id=9, CreationDate="2019-08-01T00:00:00.000", DisplayName="Drinker"),
    row(Id=11, CreationDate="2019-09-01T00:00:00.000", DisplayName="Lurker"),
]


def test_html_and_tags_are_read_as_plain_words():
    assert strip_html("<p>Try <a href='x'>Citra</a> &amp; Mosaic.</p>") == "Try Citra & Mosaic."
    assert parse_tags("<hops><pale-ale>") == ["hops", "pale-ale"]
    assert parse_tags("|hops|pale-ale|") == ["hops", "pale-ale"]
    assert parse_tags(None) == []


def test_a_dump_maps_onto_members_needs_offers_and_help(tmp_path):
    dump = load_stackexchange(write_dump(tmp_path / "beer", SMALL_POSTS, SMALL_USERS))
    c = dump.community
    assert dump.site == "beer"
    assert dump.link(1) == "https://beer.stackexchange.com/q/1"
    # Users.xml gives the members (not the bot); user 10 only answered, so comes from Posts;
    # the deleted user who asked question 2 is a member of their own (-3).
    assert sorted(c.members.index) == [-3, 7, 8, 9, 10, 11]
    assert c.members.at[-3, "external_id"] == "deleted-asker-of-q2"
    assert c.members.at[7, "town"] == "Leeds, UK"
    assert c.members.at[8, "joined_at"] == pd.Timestamp("2019-07-01", tz="UTC")
    assert c.members.at[10, "joined_at"] == pd.Timestamp("2020-01-01T15:00", tz="UTC")
    # The question of a deleted user is a need and its answers help (they count towards
    # "at least 3 answers before"), but it is no test query; tag wikis are skipped.
    assert c.posts.at[2, "member_id"] == -3 and c.posts.at[6, "member_id"] == 8
    assert 7 not in c.posts.index
    assert c.posts.at[2, "text"].startswith("Orphan question: what does &amp; mean?")
    assert list(dump.truth.index) == [1]
    need = c.posts.loc[1]
    assert (need["side"], need["member_id"], need["tags"]) == ("need", 7, ["hops", "pale-ale"])
    assert need["text"] == "Which hops for a pale ale? I want citrus notes. hops pale-ale"
    answer = c.posts.loc[3]
    assert (answer["side"], answer["member_id"], answer["status"]) == ("offer", 8, "closed")
    assert answer["text"] == "Try Citra & Mosaic."
    about = c.posts[c.posts["external_id"] == "u8-about"].iloc[0]
    assert about["text"] == "Homebrewer since 2001."
    assert about["created_at"] == pd.Timestamp("2019-07-01", tz="UTC")
    assert (c.posts["external_id"] == "u-1-about").sum() == 0
    helped = c.interactions
    assert sorted(helped.index) == [3, 4, 6, 8]  # the answer of the deleted user is skipped
    assert (helped.at[6, "from_member_id"], helped.at[6, "to_member_id"]) == (8, -3)
    assert set(helped["kind"]) == {"helped"}
    first = helped.loc[3]
    assert (first["from_member_id"], first["to_member_id"]) == (8, 7)
    assert (first["need_post_id"], first["offer_post_id"]) == (1, 3)
    # Scores and acceptance are kept apart, as the truth.
    truth = dump.truth.loc[1]
    assert truth["accepted"] == 8 and truth["asker"] == 7
    assert truth["relevant"] == [8, 10]  # score > 0, plus the accepted answerer
    assert truth["answerers"] == [8, 9, 10]


def test_without_users_the_members_are_the_post_owners(tmp_path):
    dump = load_stackexchange(write_dump(tmp_path / "site", SMALL_POSTS))
    assert sorted(dump.community.members.index) == [-3, 7, 8, 9, 10]
    assert dump.community.counts()["offers"] == 4  # the answers, no About Me


def test_a_folder_without_posts_is_refused(tmp_path):
    with pytest.raises(InvalidInput, match=r"no Posts\.xml"):
        load_stackexchange(tmp_path)
    (tmp_path / "Posts.xml").write_text("<posts><row Id=")
    with pytest.raises(InvalidInput, match="not a Stack Exchange XML"):
        load_stackexchange(tmp_path)
    write_dump(tmp_path, [row(Id=1, PostTypeId=1, CreationDate="2020-01-01T10:00:00")])
    with pytest.raises(InvalidInput, match=r"Posts\.xml: no questions"):  # none with an owner
        load_stackexchange(tmp_path)


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"CreationDate": "last tuesday"}, "CreationDate", "cannot read 'last tuesday'"),
        ({"CreationDate": None}, "CreationDate", "missing"),
        ({"ParentId": "one"}, "ParentId", "cannot read 'one'"),
        ({"Score": "1.5"}, "Score", "cannot read '1.5'"),
        ({"OwnerUserId": "u9"}, "OwnerUserId", "cannot read 'u9'"),
    ],
)
def test_a_bad_field_is_named_with_its_file_and_line(tmp_path, fields, field, reason):
    answer = {"Id": 30, "PostTypeId": 2, "ParentId": 1, "OwnerUserId": 8}
    answer["CreationDate"] = "2020-01-03T10:00:00"
    answer.update(fields)
    posts = [*SMALL_POSTS, row(**{k: v for k, v in answer.items() if v is not None})]
    folder = write_dump(tmp_path / "site", posts)
    line = 3 + len(posts) - 1  # the declaration and <posts> come first
    with pytest.raises(InvalidInput) as caught:
        load_stackexchange(folder)
    assert str(caught.value).startswith(f"{folder / 'Posts.xml'}:{line}: {field}: {reason}")
    assert caught.value.field == field


def test_users_are_checked_too_and_times_with_a_zone_are_read_as_utc(tmp_path):
    user = {"Id": 7, "DisplayName": "Ann", "CreationDate": "2019-12-01T10:00:00Z"}
    folder = write_dump(tmp_path / "site", SMALL_POSTS, [row(**user)])
    assert load_stackexchange(folder).community.members.loc[7, "joined_at"] == pd.Timestamp(
        "2019-12-01T10:00:00", tz="UTC"
    )
    user["Id"] = "seven"
    folder = write_dump(tmp_path / "site", SMALL_POSTS, [row(**user)])
    with pytest.raises(InvalidInput, match=r"Users\.xml:3: Id: cannot read 'seven'"):
        load_stackexchange(folder)


def synthetic_site(
    folder: Path, n_questions: int = 80, seed: int = 0, accepted: bool = True
) -> Path:
    """Questions on two topics; experts answer their own topic, the active ones first (and are
    accepted, unless `accepted` is False)."""
    rng = np.random.default_rng(seed)
    topics = {
        "hops": ["hops", "bitterness", "aroma", "dry hopping"],
        "yeast": ["yeast", "fermentation", "lager", "temperature"],
    }
    experts = {"hops": list(range(10, 16)), "yeast": list(range(20, 26))}
    posts, post_id = [], 1
    start = pd.Timestamp("2020-01-01")
    for q in range(n_questions):
        topic = "hops" if q % 2 else "yeast"
        asked = start + pd.Timedelta(days=q)
        words = " ".join(rng.choice(topics[topic], 3))
        qid, post_id = post_id, post_id + 1
        answerers = rng.choice(experts[topic], 2, replace=False)
        answer_ids = list(range(post_id, post_id + 2))
        posts.append(
            row(
                Id=qid,
                PostTypeId=1,
                CreationDate=asked.isoformat(),
                OwnerUserId=1 + q % 5,
                Title=f"question about {words}",
                Body=f"<p>{words}?</p>",
                Tags="<beer>",
                **({"AcceptedAnswerId": answer_ids[0]} if accepted else {}),
            )
        )
        for aid, who in zip(answer_ids, answerers, strict=True):
            posts.append(
                row(
                    Id=aid,
                    PostTypeId=2,
                    ParentId=qid,
                    OwnerUserId=int(who),
                    Score=1,
                    CreationDate=(asked + pd.Timedelta(hours=aid % 7 + 1)).isoformat(),
                    Body=f"<p>about {words}</p>",
                )
            )
        post_id += 2
    return write_dump(folder, posts)


def test_evaluate_stackexchange_prints_one_json_object(tmp_path, monkeypatch):
    folder = synthetic_site(tmp_path / "brewing")
    monkeypatch.setenv("MATCHER_MIN_TRAINING_LABELS", "20")
    result = CliRunner().invoke(
        main,
        [
            "--encoder",
            "hashing",
            "--data-dir",
            str(tmp_path / "var"),
            "evaluate",
            "stackexchange",
            str(folder),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["dataset"] == "brewing"
    assert report["n_queries"] == 24 and report["median_candidates"] == 12
    expected = {"random", "activity", "recency", "bm25", "embedding", "behaviour", "matcher"}
    assert set(report["rankers"]) == expected
    for metrics in report["rankers"].values():
        assert {"mrr", "recall@1", "recall@10", "ndcg@10"} <= set(metrics)
    # Twelve candidates of whom six know the topic: reading the question must help.
    assert report["rankers"]["random"]["mrr"] == pytest.approx(
        sum(1 / r for r in range(1, 13)) / 12, abs=1e-3
    )
    assert report["rankers"]["matcher"]["mrr"] > report["rankers"]["behaviour"]["mrr"]
    assert report["notes"] == []
    low, high = report["rankers"]["matcher"]["mrr_ci95"]
    assert low <= report["rankers"]["matcher"]["mrr"] <= high
    best = max(
        ("random", "activity", "recency", "bm25", "embedding"),
        key=lambda name: report["rankers"][name]["mrr"],
    )
    versus = report["comparisons"]["matcher_vs_best_baseline"]
    assert versus["reference"] == best
    assert versus["mrr_ratio"] == pytest.approx(
        report["rankers"]["matcher"]["mrr"] / report["rankers"][best]["mrr"], abs=1e-3
    )
    assert report["comparisons"]["matcher_vs_behaviour"]["reference"] == "behaviour"


def test_refits_are_spread_evenly_and_capped(tmp_path):
    dump = load_stackexchange(synthetic_site(tmp_path / "brewing"))
    vectors = encode_posts(dump.community, HashingEncoder())
    # 80 questions: the last 24 are the test, so a refit every 10 means 3 refits...
    every_ten = evaluate_stackexchange(dump, vectors, min_labels=20)
    assert every_ten.details["refits"] == 3
    # ... every 4 would mean 6, but a budget of 2 spreads 2 over the test questions.
    capped = evaluate_stackexchange(dump, vectors, min_labels=20, refit_every=4, max_refits=2)
    assert capped.details["refits"] == 2
    assert capped.n_queries == every_ten.n_queries
    assert (
        capped.details["last_fit_training_queries"] < every_ten.details["last_fit_training_queries"]
    )


def test_without_a_qualifying_test_question_the_evaluation_says_why(tmp_path):
    dump = load_stackexchange(synthetic_site(tmp_path / "brewing", accepted=False))
    evaluation = evaluate_stackexchange(dump, encode_posts(dump.community, HashingEncoder()))
    assert evaluation.n_queries == 0
    assert evaluation.notes[-1].startswith("no test question qualifies (an accepted answer by")
    assert evaluation.notes[-1].endswith(
        "of the last 24 questions, 0 have an accepted answer at all"
    )


def test_a_dump_without_an_answer_to_credit_is_evaluated_and_says_why(tmp_path):
    # Every answer is by a deleted user: no help to credit, so no interaction at all.
    posts = [
        row(Id=q, PostTypeId=1, CreationDate=f"2020-01-0{q}T10:00:00", OwnerUserId=q, Title="?")
        for q in range(1, 6)
    ]
    posts.append(row(Id=9, PostTypeId=2, ParentId=5, CreationDate="2020-01-06T10:00:00"))
    dump = load_stackexchange(write_dump(tmp_path / "site", posts))
    assert dump.community.interactions.empty
    evaluation = evaluate_stackexchange(dump, encode_posts(dump.community, HashingEncoder()))
    assert evaluation.n_queries == 0
    assert evaluation.notes[-1].startswith("no test question qualifies")


def test_a_dump_of_one_question_says_how_many_it_has(tmp_path):
    posts = [row(Id=1, PostTypeId=1, CreationDate="2020-01-01T10:00:00", OwnerUserId=1, Title="?")]
    dump = load_stackexchange(write_dump(tmp_path / "site", posts))
    evaluation = evaluate_stackexchange(dump, encode_posts(dump.community, HashingEncoder()))
    assert evaluation.n_queries == 0
    assert evaluation.notes == [
        "too few questions to split: 1 question, none in the last 30% to test"
    ]


def test_too_few_labels_keep_the_content_score_and_say_so(tmp_path, monkeypatch):
    folder = synthetic_site(tmp_path / "brewing")
    monkeypatch.setenv("MATCHER_MIN_TRAINING_LABELS", "1000")  # the site has 160 answers
    result = CliRunner().invoke(
        main, ["--encoder", "hashing", "evaluate", "stackexchange", str(folder)]
    )
    assert result.exit_code == 0, result.output
    assert "matcher: no ranker" in result.stdout and "content score" in result.stdout
    assert "behaviour" in result.stdout and "recency" in result.stdout
    assert "matcher vs behaviour: MRR" in result.stdout and "95% CI" in result.stdout


@pytest.mark.realdata
def test_the_real_dumps_load(encoder):
    if not SITES.is_dir():
        pytest.skip(f"the Stack Exchange dumps are not here ({SITES})")
    beer = load_stackexchange(SITES / "beer")
    assert beer.community.counts()["needs"] == 663  # every question, 4 without an owner
    assert len(beer.truth) == 659  # the queries: those 4 are not
    assert beer.truth["accepted"].notna().sum() > 350
    sustainability = load_stackexchange(SITES / "sustainability")
    assert len(sustainability.community.members) > 1000
    abouts = sustainability.community.posts["external_id"].str.endswith("-about")
    assert abouts.sum() > 500


@pytest.mark.realdata
def test_no_feature_of_a_real_question_leaks_what_came_after_it(encoder):
    if not SITES.is_dir():
        pytest.skip(f"the Stack Exchange dumps are not here ({SITES})")
    from matcher.features.queries import experienced_helpers, query_features
    from matcher.snapshot import Community

    full = load_stackexchange(SITES / "sustainability").community
    question = int(full.posts[full.posts["side"] == "need"].index[300])
    at = full.posts.at[question, "created_at"]
    past = Community(
        full.members,
        full.posts[(full.posts["created_at"] < at) | (full.posts.index == question)],
        full.interactions[full.interactions["occurred_at"] < at],
    )
    blocks = []
    for c in (full, past):
        vectors = encoder.encode(c.posts["text"].tolist())
        [block] = query_features(c, vectors, [question], experienced_helpers(3))
        blocks.append(block)
    assert len(blocks[0].candidates) > 10
    np.testing.assert_array_equal(blocks[0].candidates, blocks[1].candidates)
    np.testing.assert_allclose(blocks[0].features, blocks[1].features, rtol=1e-6)
