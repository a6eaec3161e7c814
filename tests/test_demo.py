"""The demo community: variety, plausibility, a valid and meaningful history, the command."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from matcher.cli import main
from matcher.demo import GOOD_MATCH, DemoTruth, generate
from matcher.domain import INTERACTION_KINDS, MEMBER_KINDS

NOW = datetime(2026, 5, 1, tzinfo=UTC)

# What the offers of each kind must talk about, written independently of the generator.
PLAYERS = r"drum|percussion|bass|guitar|steel|banjo|mandolin|key|synth|piano|organ|sing|vocal|violin|cell|fiddle|viola|string|horn|trumpet|sax|trombone|brass"  # noqa: E501
RELEASES = r"music|single|\bep\b|\blp\b|album|record|track|song|demo|promo"
OFFER_WORDS: dict[str, str] = {
    "band": rf"gig|show|play|set|support|open for|book|{RELEASES}",
    "artist": rf"gig|show|play|set|support|open for|book|{RELEASES}|writ|lyric|{PLAYERS}",
    "session_musician": rf"{PLAYERS}|lesson|teach|tutor|writ|song|lyric",
    "producer": r"produc|beat|mix|record|track|writ|song|lyric|studio",
    "engineer": r"mix|master|sound|record|studio|track|desk|foh|monitor|engineer|front of house",
    "venue": r"gig|show|stage|night|slot|hire|room|space|book|mic|play",
    "promoter": r"gig|show|slot|stage|book|promot|night|mic|play|recommend|refer|connect|introduc|pass|send",  # noqa: E501
    "studio": r"record|rehears|practi|studio|room|backline|hire|session|track|mix",
    "label": rf"label|releas|put out|vinyl|tape|cassette|submission|{RELEASES}|recommend|refer|connect|introduc|send|pass",  # noqa: E501
    "manager": r"manag|book|tour|recommend|refer|introduc|connect|send|pass",
    "photographer": r"photo|shoot|shot|portrait|film|35mm",
    "videographer": r"video|film",
    "designer": r"design|poster|art|logo|cover|illustrat|merch",
    "teacher": r"lesson|teach|tutor|learn|student",
    "writer": r"review|writ|interview|press|blog|zine|feature|roundup",
    "radio": r"radio|air|show|session|play",
    "fan": r"poster|flyer|promo|spread|street|share|volunteer|merch|room|floor|sofa|crash|put up|host|van|transit|drive|car\b|backline",  # noqa: E501
}
# What each kind could plausibly need.
PLAYER_ROLES = {"drummer", "bassist", "guitarist", "keyboardist", "singer"}
PLAYER_ROLES |= {"string_player", "horn_player"}
ACT_NEEDS = PLAYER_ROLES | {"gig", "recording", "mixing", "mastering", "production", "photos"}
ACT_NEEDS |= {"video", "design", "press", "airplay", "release", "management", "booking"}
ACT_NEEDS |= {"street_team", "accommodation", "van", "rehearsal", "live_sound"}
PROMO_NEEDS = {"photos", "video", "design", "press", "street_team"}
KIND_NEEDS: dict[str, set[str]] = {
    "band": ACT_NEEDS,
    "artist": ACT_NEEDS | {"songwriting", "lessons"},
    "session_musician": {"clients", "rehearsal", "recording", "photos", "design", "lessons"},
    "producer": PLAYER_ROLES | {"clients", "mastering", "songwriting", "design"},
    "engineer": {"clients", "design"},
    "venue": PROMO_NEEDS | {"live_act", "live_sound", "booking"},
    "promoter": PROMO_NEEDS | {"live_act", "live_sound", "venue_hire"},
    "studio": PROMO_NEEDS | {"clients"},
    "label": PROMO_NEEDS | {"new_music", "mastering", "airplay"},
    "manager": PROMO_NEEDS | {"new_music", "gig", "recording", "airplay", "booking"},
    "photographer": {"clients", "design"},
    "videographer": {"clients", "design", "live_act"},
    "designer": {"clients", "photos"},
    "teacher": {"clients", "rehearsal"},
    "writer": {"new_music", "photos", "design"},
    "radio": {"new_music", "live_act", "design"},
    "fan": {"lessons", "live_act", "venue_hire"},
}
# What a post of each intent must mention, whoever wrote it.
INTENT_WORDS = {
    "drummer": r"drum|percussion",
    "bassist": r"bass",
    "guitarist": r"guitar|steel|banjo|mandolin",
    "keyboardist": r"key|synth|piano|organ",
    "singer": r"sing|vocal",
    "string_player": r"violin|cell|fiddle|viola|string",
    "horn_player": r"horn|trumpet|sax|trombone|brass",
    "gig": r"gig|show|slot|stage|play|night|book|mic|support",
    "live_act": r"act|band|artist|perform|play|gig|show|set|headlin|support",
    "venue_hire": r"venue|room|space|hire|hall",
    "booking": r"book|promot|tour",
    "live_sound": r"sound|desk|foh|engineer|monitor|front of house|\bpa\b",
    "rehearsal": r"rehears|practi|room|jam",
    "recording": r"record|studio|track",
    "production": r"produc|beat",
    "mixing": r"mix",
    "mastering": r"master",
    "songwriting": r"writ|song|lyric",
    "lessons": r"lesson|teach|learn|tutor|student",
    "photos": r"photo|shoot|shot|pic",
    "video": r"video|film|\bdoc\b|session",
    "design": r"design|art|poster|logo|cover|merch|flyer|website|illustrat",
    "press": r"review|writ|press|feature|blog|interview|zine|pr\b|cover",
    "airplay": r"radio|air|spin|play",
    "new_music": r"music|track|song|demo|submi|band|artist|act|releas|single|record|\beps?\b|\blp\b|album",  # noqa: E501
    "street_team": r"poster|flyer|street|spread|promo|hype|volunteer|share|merch",
    "release": r"label|releas|vinyl|tape|put out|cassette",
    "management": r"manag",
    "clients": r"client|work|book|refer|recommend|diary|calendar|project|my way",
    "referrals": r"recommend|refer|connect|introduc|send|pass",
    "accommodation": r"floor|sofa|couch|room|crash|stay|sleep|accommodation|put .*up|host",
    "van": r"van|backline|lift|transport|transit|driv|kit|amps|car\b",
    "backline": r"backline|kit|amp|cab|gear",
}


@pytest.fixture(scope="module")
def demo():
    """A community of 2,000 members (about a second and a half to make)."""
    return generate(2000, 11, now=NOW)


def test_every_kind_is_present_in_sensible_proportions(demo):
    kinds = demo.members["kind"].value_counts(normalize=True)
    assert set(kinds.index) == set(MEMBER_KINDS) - {"other"}
    assert kinds.idxmax() == "band"
    assert kinds.max() < 0.3
    assert kinds["fan"] > kinds["radio"]
    countries = set(demo.members["country"])
    assert {"UK", "Ireland"} <= countries and countries & {"USA", "Canada"}
    assert demo.members["town"].nunique() >= 30


def test_need_and_offer_texts_are_varied(demo):
    posts = demo.posts
    for side in ("need", "offer"):
        texts = posts.loc[posts["side"] == side, "text"]
        assert texts.nunique() / len(texts) >= 0.9, side
    words = posts["text"].str.split().str.len()
    assert words.min() <= 4 and words.max() >= 40
    assert (words <= 8).mean() > 0.05 and (words >= 25).mean() > 0.1
    assert posts["text"].str.match(r"^[a-z]").mean() > 0.03  # some write all in lower case
    assert posts["text"].str.contains("\n").mean() > 0.05  # some start with a greeting line


def test_one_intent_is_phrased_many_ways(demo):
    intents = pd.Series([demo.intent(p) for p in demo.posts["id"]], index=demo.posts.index)
    for intent in ("need:drummer", "need:mixing", "offer:gig", "offer:photos"):
        texts = demo.posts.loc[intents == intent, "text"].str.lower()
        openings = texts.str.extract(r"^\W*(\w+\W+\w+\W+\w+)")[0]
        assert len(texts) >= 20, intent
        assert openings.nunique() >= 0.5 * len(texts), intent


def test_each_kind_offers_what_that_kind_would(demo):
    posts = demo.posts.merge(demo.members[["id", "kind"]], left_on="member_id", right_on="id")
    offers = posts[posts["side"] == "offer"]
    for kind, words in OFFER_WORDS.items():
        texts = offers.loc[offers["kind"] == kind, "text"]
        off = texts[~texts.str.contains(words, flags=re.IGNORECASE)]
        assert len(texts) > 0 and off.empty, f"{kind}: {off.head(3).tolist()}"


def test_each_kind_needs_what_that_kind_would(demo):
    kinds = demo.members.set_index("id")["kind"]
    needs = demo.posts[demo.posts["side"] == "need"]
    seen: dict[str, set[str]] = {}
    for post_id, member_id in zip(needs["id"], needs["member_id"], strict=True):
        kind, service = kinds[member_id], demo.intent(post_id).split(":", 1)[1]
        assert service in KIND_NEEDS[kind], (kind, service)
        seen.setdefault(kind, set()).add(service)
    assert len(seen["band"]) >= 15 and seen["venue"] >= {"live_act", "live_sound"}


def test_every_text_talks_about_its_intent(demo):
    for post_id, text in zip(demo.posts["id"], demo.posts["text"], strict=True):
        service = demo.intent(post_id).split(":", 1)[1]
        assert re.search(INTENT_WORDS[service], text, re.IGNORECASE), (service, text)


def test_members_look_like_a_real_community(demo):
    m = demo.members
    assert m["capacity"].between(1, 6).all()
    assert 0.6 < m["email_consent"].mean() < 0.9
    assert 0.2 < m["share_contact"].mean() < m["email_consent"].mean()
    assert m["email"].str.fullmatch(r"[\w.]+@([\w-]+\.)*example(\.(org|com|net))?").all()
    assert 0.03 < (~m["active"]).mean() < 0.2
    assert ((NOW - m["joined_at"]).dt.days.between(0, 731)).all()
    assert (m["last_active_at"] >= m["joined_at"]).all() and (m["last_active_at"] <= NOW).all()
    recent = (NOW - m["last_active_at"]).dt.days
    assert (recent <= 7).mean() > 0.1 and (recent >= 60).mean() > 0.05
    assert m["name"].nunique() > 0.9 * len(m)
    p = demo.posts
    assert 0.01 < (p["status"] == "closed").mean() < 0.2
    assert 0 < (p["expires_at"] < NOW).sum() < 0.15 * len(p)
    assert p["tags"].map(len).gt(0).mean() > 0.95


def test_interactions_are_valid(demo):
    m = demo.members.set_index("id")
    p = demo.posts.set_index("id")
    i = demo.interactions
    assert set(i["kind"]) <= set(INTERACTION_KINDS)
    assert i["id"].is_unique
    assert i["from_member_id"].isin(m.index).all() and i["to_member_id"].isin(m.index).all()
    assert (i["from_member_id"] != i["to_member_id"]).all()
    assert i["need_id"].notna().all() and i["need_id"].isin(p.index[p["side"] == "need"]).all()
    offers = i["offer_id"].dropna()
    assert offers.isin(p.index[p["side"] == "offer"]).all()
    by_seeker = i["kind"].isin(["shown", "contacted"])
    seeker = i["from_member_id"].where(by_seeker, i["to_member_id"])
    helper = i["to_member_id"].where(by_seeker, i["from_member_id"])
    reported_by_seeker = i["kind"].isin(["reported", "blocked"]) & (
        p.loc[i["need_id"], "member_id"].to_numpy() == i["from_member_id"].to_numpy()
    )
    seeker = seeker.where(~reported_by_seeker, i["from_member_id"])
    helper = helper.where(~reported_by_seeker, i["to_member_id"])
    assert (p.loc[i["need_id"], "member_id"].to_numpy() == seeker.to_numpy()).all()
    with_offer = i["offer_id"].notna()
    assert (
        p.loc[i.loc[with_offer, "offer_id"], "member_id"].to_numpy()
        == helper[with_offer].to_numpy()
    ).all()
    at = i["occurred_at"]
    assert (at <= NOW).all() and ((NOW - at).dt.days <= 190).all()
    assert (at.to_numpy() >= m.loc[i["from_member_id"], "joined_at"].to_numpy()).all()
    assert (at.to_numpy() >= m.loc[i["to_member_id"], "joined_at"].to_numpy()).all()
    assert (at.to_numpy() >= p.loc[i["need_id"], "created_at"].to_numpy()).all()
    assert (at[with_offer].to_numpy() >= p.loc[offers, "created_at"].to_numpy()).all()
    assert at.is_monotonic_increasing
    latest = i.groupby("from_member_id")["occurred_at"].max()
    assert (m.loc[latest.index, "last_active_at"] >= latest).all()


def test_history_is_a_funnel_of_sensible_size(demo):
    counts = demo.interactions["kind"].value_counts()
    assert 3000 < len(demo.interactions) < 15000
    assert 150 < counts["helped"] < 800
    assert counts["shown"] > counts["contacted"] > counts["accepted"] >= counts["helped"]
    assert counts["declined"] > 0 and counts.get("reported", 0) + counts.get("blocked", 0) > 0


def _pairs(demo, kind: str) -> tuple[np.ndarray, np.ndarray]:
    rows = demo.interactions[demo.interactions["kind"] == kind]
    helper = rows["to_member_id"] if kind in ("shown", "contacted") else rows["from_member_id"]
    return rows["need_id"].to_numpy(), helper.to_numpy()


def test_helped_pairs_are_far_more_compatible_and_local_than_random_pairs(demo):
    needs, helpers = _pairs(demo, "helped")
    helped = np.array([demo.compatibility(n, h) for n, h in zip(needs, helpers, strict=True)])
    rng = np.random.default_rng(0)
    all_needs = demo.posts.loc[demo.posts["side"] == "need", "id"].to_numpy()
    r_needs = rng.choice(all_needs, 3000)
    r_members = rng.choice(demo.members["id"].to_numpy(), 3000)
    random = np.array([demo.compatibility(n, h) for n, h in zip(r_needs, r_members, strict=True)])
    assert helped.mean() > 0.3 and helped.mean() > 10 * random.mean()
    assert (helped >= GOOD_MATCH).mean() > 0.4
    town = demo.members.set_index("id")["town"]
    seekers = demo.posts.set_index("id").loc[needs, "member_id"]
    same_helped = (town[seekers].to_numpy() == town[helpers].to_numpy()).mean()
    r_seekers = demo.posts.set_index("id").loc[r_needs, "member_id"]
    same_random = (town[r_seekers].to_numpy() == town[r_members].to_numpy()).mean()
    assert same_helped > 0.2 and same_helped > 4 * same_random


def test_reliable_helpers_accept_more_and_good_helpers_still_decline_sometimes(demo):
    outcome = {}
    for kind in ("accepted", "declined"):
        for n, h in zip(*_pairs(demo, kind), strict=True):
            outcome[(n, h)] = kind == "accepted"
    keys = [k for k in outcome if demo.compatibility(*k) > 0]
    reliability = np.array([demo.truth.reliability[demo.truth.member_index(h)] for _, h in keys])
    accepted = np.array([outcome[k] for k in keys])
    low, high = np.quantile(reliability, [1 / 3, 2 / 3])
    assert accepted[reliability >= high].mean() > accepted[reliability <= low].mean() + 0.1
    declined = [demo.compatibility(n, h) for n, h in zip(*_pairs(demo, "declined"), strict=True)]
    assert sum(c >= GOOD_MATCH for c in declined) > 10  # a full week or bad luck


def test_truth_scores_good_helpers_and_survives_json(demo, tmp_path: Path):
    need = demo.posts.loc[demo.posts["side"] == "need", "id"].iloc[0]
    scores = demo.truth.scores(need)
    assert ((scores >= 0) & (scores <= 1)).all()
    good = demo.good_helpers(need)
    assert good == {m for m, s in zip(demo.truth.member_ids, scores, strict=True) if s >= 0.4}
    assert all(demo.intent(p).startswith(s + ":") for p, s in demo.posts[["id", "side"]].values)
    copy = DemoTruth.load(demo.truth.save(tmp_path / "truth.json"))
    for n in demo.posts.loc[demo.posts["side"] == "need", "id"].iloc[:50]:
        np.testing.assert_allclose(copy.scores(n), demo.truth.scores(n), atol=1e-3)
        assert copy.intent(n) == demo.intent(n)


def test_the_same_seed_gives_the_same_community_and_another_seed_another():
    first, again, other = (generate(300, s, now=NOW) for s in (5, 5, 6))
    for name in ("members", "posts", "interactions"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(again, name))
    assert first.truth.to_json() == again.truth.to_json()
    assert not first.posts["text"].equals(other.posts["text"])
    assert not first.members["name"].equals(other.members["name"])


def test_the_frames_pass_import_validation(sessions):
    from matcher.io import import_frames

    demo = generate(300, 2, now=NOW)
    result = import_frames(sessions, demo.frames(), source="test")
    counts = demo.counts()
    assert result.counts["members"]["inserted"] == 300
    assert result.counts["posts"]["inserted"] == counts["needs"] + counts["offers"]
    assert result.counts["interactions"]["inserted"] == counts["interactions"]


def test_demo_data_command_fills_the_store_once(tmp_path: Path):
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path / "var")]
    args = [*base, "demo-data", "--members", "150", "--seed", "3", "--as-of", "2026-05-01"]
    result = runner.invoke(main, [*args, "--format", "jsonl"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "var" / "demo"
    names = ("members.jsonl", "posts.jsonl", "interactions.jsonl", "truth.json")
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)
    assert "members: 150 new" in result.stdout
    reread = runner.invoke(main, [*base, "import", str(folder)], catch_exceptions=False)
    assert re.search(r"members\s.*\b0\b\s.*\b0\b\s.*\b150\b", reread.stdout)  # files == store
    again = runner.invoke(main, [*args, "--if-empty"], catch_exceptions=False)
    assert again.exit_code == 0 and "already has members" in again.stdout
    # Without a flag, a store with members (real ones, perhaps) is not written over.
    refused = runner.invoke(main, args, catch_exceptions=False)
    assert refused.exit_code == 1 and "already has 150 members" in refused.output
    forced = runner.invoke(main, [*args, "--force", "--format", "jsonl"], catch_exceptions=False)
    assert forced.exit_code == 0 and "members: 0 new" in " ".join(forced.stdout.split())
    assert not (folder / "members.csv").exists()
    stats = runner.invoke(main, [*base, "stats", "--json"], catch_exceptions=False)
    assert '"total": 150' in stats.stdout
