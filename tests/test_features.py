from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matcher.features import (
    FEATURE_NAMES,
    MemberState,
    make_need,
    member_state,
    pair_features,
    replay,
    training_set,
)
from matcher.features.pairs import COLUMN
from matcher.features.queries import content_candidates, experienced_helpers, query_features
from matcher.features.ragged import Ragged
from matcher.snapshot import Community

T0 = pd.Timestamp("2024-01-01", tz="UTC")


def day(n: float) -> pd.Timestamp:
    return T0 + pd.Timedelta(days=n)


MEMBERS = [
    # id, town, lat, lon, tags
    (1, "Leeds", 53.80, -1.55, ["shoegaze"]),  # the seeker
    (2, "Leeds", 53.80, -1.55, ["drums"]),  # a drummer in town who helped the seeker before
    (3, "Bristol", 51.45, -2.59, ["mixing"]),  # a mix engineer far away
    (4, "Leeds", 53.80, -1.55, []),  # a quiet member
    (5, None, np.nan, np.nan, ["drums"]),  # a drummer with no town
]
POSTS = [
    # id, member, side, text, tags, day
    (10, 2, "offer", "session drummer, shoegaze and post-rock drums", ["drums"], 1),
    (11, 3, "offer", "I mix and master EPs in my studio", ["mixing"], 1),
    (12, 5, "offer", "drummer for hire, any genre", ["drums"], 2),
    (13, 1, "need", "need a drummer for a gig", ["drums"], 3),
    (14, 4, "need", "need our demo mixed", ["mixing"], 4),
    (15, 1, "offer", "I can design gig posters", ["design"], 4),
    (16, 3, "need", "need a poster designed", ["design"], 5),
    (20, 1, "need", "looking for a shoegaze drummer in Leeds", ["drums", "shoegaze"], 10),
]
INTERACTIONS = [
    # id, kind, from, to, need, offer, day
    (100, "helped", 2, 1, 13, 10, 3.5),
    (101, "helped", 3, 4, 14, 11, 4.5),
    (102, "helped", 1, 3, 16, 15, 6),
    (103, "contacted", 4, 5, None, None, 7),
    (104, "declined", 5, 4, None, None, 7.5),
    (105, "helped", 5, 4, None, 12, 8),
]
QUERY = 20


def community(posts=POSTS, interactions=INTERACTIONS) -> Community:
    members = pd.DataFrame(
        {
            "external_id": [f"m{m[0]}" for m in MEMBERS],
            "name": [f"member {m[0]}" for m in MEMBERS],
            "kind": "artist",
            "town": [m[1] for m in MEMBERS],
            "country": "UK",
            "latitude": [m[2] for m in MEMBERS],
            "longitude": [m[3] for m in MEMBERS],
            "tags": [m[4] for m in MEMBERS],
            "bio": None,
            "capacity": 2,
            "active": True,
            "share_contact": False,
            "joined_at": T0,
            "last_active_at": pd.NaT,
        },
        index=pd.Index([m[0] for m in MEMBERS], name="id"),
    )
    post_frame = pd.DataFrame(
        {
            "external_id": [f"p{p[0]}" for p in posts],
            "member_id": [p[1] for p in posts],
            "side": [p[2] for p in posts],
            "text": [p[3] for p in posts],
            "tags": [p[4] for p in posts],
            "status": "open",
            "created_at": [day(p[5]) for p in posts],
            "expires_at": pd.NaT,
            "updated_at": [day(p[5]) for p in posts],
        },
        index=pd.Index([p[0] for p in posts], name="id"),
    )
    events = pd.DataFrame(
        {
            "external_id": [f"i{i[0]}" for i in interactions],
            "kind": [i[1] for i in interactions],
            "from_member_id": [i[2] for i in interactions],
            "to_member_id": [i[3] for i in interactions],
            "need_post_id": [i[4] for i in interactions],
            "offer_post_id": [i[5] for i in interactions],
            "occurred_at": [day(i[6]) for i in interactions],
        },
        index=pd.Index([i[0] for i in interactions], name="id"),
    )
    return Community.from_frames(members, post_frame, events)


def vectors(c: Community, encoder) -> np.ndarray:
    return encoder.encode(c.texts())


def open_need_20(encoder, interactions, candidates=(2, 3, 4, 5)) -> np.ndarray:
    """The features of need 20 as a build on day 12 scores it; the same from the state
    frozen as a build saves it (the needs' own interactions then held as arrays)."""
    from matcher.features import need_from_post

    c = community(interactions=interactions)
    state = member_state(c, vectors(c, encoder), day(12))
    row = int(np.flatnonzero(state.post_ids == QUERY)[0])
    f = pair_features(state, need_from_post(state, row), list(candidates), day(12))
    frozen = state.freeze()
    np.testing.assert_array_equal(
        pair_features(frozen, need_from_post(frozen, row), list(candidates), day(12)), f
    )
    return f


def features_of(c: Community, encoder, need=QUERY, rule=None) -> tuple[np.ndarray, np.ndarray]:
    rule = rule or experienced_helpers(0)
    [block] = query_features(c, vectors(c, encoder), [need], rule)
    return block.candidates, block.features


def column(features: np.ndarray, candidates: np.ndarray, member: int, name: str) -> float:
    return features[list(candidates).index(member), COLUMN[name]]


def test_features_are_named_and_the_text_ones_declared():
    from matcher.features import BEHAVIOUR_FEATURES, TEXT_FEATURES

    assert len(set(FEATURE_NAMES)) == len(FEATURE_NAMES)
    assert set(TEXT_FEATURES) | set(BEHAVIOUR_FEATURES) == set(FEATURE_NAMES)
    assert not set(TEXT_FEATURES) & set(BEHAVIOUR_FEATURES)
    assert {"sim_offer_max", "bm25_offer", "knn_votes"} <= set(TEXT_FEATURES)
    # The need's tags are part of what it says: "behaviour" reads none of them.
    assert {"tag_overlap", "tag_helps", "tag_share", "tag_recent"} <= set(TEXT_FEATURES)


def test_no_feature_leaks_the_future(encoder):
    base = community()
    candidates, before = features_of(base, encoder)
    assert len(candidates) == 4 and 1 not in candidates

    later_posts = [
        *POSTS,
        (30, 4, "offer", "looking for a shoegaze drummer in Leeds? I drum", ["drums"], 10.5),
        (31, 1, "need", "another need a day later", ["drums"], 11),
        (32, 4, "need", "need a shoegaze drummer", ["shoegaze"], 12),
    ]
    later_events = [
        *INTERACTIONS,
        (200, "helped", 4, 1, 20, 30, 10.6),
        (201, "accepted", 3, 1, 20, None, 10.7),
        (202, "contacted", 1, 2, 20, None, 10.8),
        (203, "declined", 2, 1, 20, None, 10.9),
        (204, "helped", 2, 4, 32, 10, 12.5),
        (205, "blocked", 1, 5, None, None, 13),
    ]
    _, after = features_of(community(later_posts, later_events), encoder)
    np.testing.assert_array_equal(before, after)

    # The same events a little before the need do change its features: the test can fail.
    earlier_posts = [(*p[:5], 9.0) if p[0] >= 30 else p for p in later_posts]
    earlier_events = [(*e[:6], 9.5) if e[0] >= 200 else e for e in later_events]
    _, changed = features_of(community(earlier_posts, earlier_events), encoder)
    assert not np.array_equal(np.nan_to_num(before), np.nan_to_num(changed[: len(before)]))


def _edited(table: str, row: int, at: float | None = None, **values) -> Community:
    """The community with one member's profile or one post edited on day `at`, as the store
    keeps it: the new values, and the old ones in a revision replaced at that time (None: no
    revision, as if the new values had always been there)."""
    base = community()
    frames = {"members": base.members.copy(), "posts": base.posts.copy()}
    old = frames[table].loc[row].copy()
    for name, value in values.items():
        frames[table].at[row, name] = value
    if at is None:
        return Community(frames["members"], frames["posts"], base.interactions)
    if table == "posts":
        frames["posts"].at[row, "updated_at"] = day(at)
        revisions = {"post_revisions": _revision(base.post_revisions, "post_id", row, at, old)}
    else:
        revisions = {
            "member_revisions": _revision(base.member_revisions, "member_id", row, at, old)
        }
    return Community(frames["members"], frames["posts"], base.interactions, **revisions)


def _revision(empty: pd.DataFrame, owner: str, row: int, at: float, old: pd.Series) -> pd.DataFrame:
    fields = [c for c in empty.columns if c not in (owner, "replaced_at")]
    values = {owner: row, "replaced_at": day(at), **{f: old[f] for f in fields}}
    return pd.DataFrame([values], index=pd.Index([1], name="id"))


# An edit made after a need is read as of the need's time: the store keeps what each profile
# and post was before each edit (`post_revisions`, `member_revisions`), and the replay
# applies every edit at its time (matcher.features.versions).
EDITS = {
    "moved town": ("members", 2, {"town": "Bristol", "latitude": 51.45, "longitude": -2.59}),
    "profile tags": ("members", 3, {"tags": ["drums", "shoegaze"]}),
    "capacity": ("members", 5, {"capacity": 1}),
    "offer reworded": ("posts", 12, {"text": "shoegaze drummer in Leeds, post-rock"}),
    "need reworded": ("posts", QUERY, {"text": "found our drummer, thanks to member 2!"}),
    "need retagged": ("posts", QUERY, {"tags": ["mixing"]}),
    "helped need reworded": ("posts", 13, {"text": "need our EP mastered"}),
    "helped need retagged": ("posts", 13, {"tags": ["mixing", "shoegaze"]}),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edit_after_the_need_changes_none_of_its_features(encoder, edit):
    table, row, values = EDITS[edit]
    _, before = features_of(community(), encoder)
    _, after = features_of(_edited(table, row, at=11, **values), encoder)
    np.testing.assert_array_equal(before, after)

    # The same edit a day before the need is read as if the new values had always been there
    # (and changes its features: the test can fail).
    _, earlier = features_of(_edited(table, row, at=9, **values), encoder)
    _, always = features_of(_edited(table, row, **values), encoder)
    np.testing.assert_array_equal(earlier, always)
    assert not np.array_equal(np.nan_to_num(before), np.nan_to_num(earlier))


def _erased(c: Community, member: int) -> Community:
    """`c` with `member` erased as `matcher erase` leaves them: every post of theirs reads
    "(erased)", without tags, closed; their profile emptied."""
    from matcher.erase import ERASED

    members, posts = c.members.copy(), c.posts.copy()
    theirs = posts.index[posts["member_id"] == member]
    posts.loc[theirs, "text"], posts.loc[theirs, "status"] = ERASED, "closed"
    for row in theirs:
        posts.at[row, "tags"] = []
    members.loc[member, ["town", "country", "latitude", "longitude"]] = [None, None, np.nan, np.nan]
    members.at[member, "tags"], members.at[member, "active"] = [], False
    return Community(members, posts, c.interactions)


def test_a_need_whose_words_were_erased_is_no_query(encoder):
    """Every post of an erased member reads "(erased)": read as words, an erased need was a
    perfect match for every erased member's offer (and for whoever had helped another erased
    member's need), in the build's training and in `matcher evaluate` alike."""
    from matcher.features.training import labelled_needs, training_set

    c = _erased(_erased(community(), 1), 3)  # the seeker of 13, and the mix engineer
    candidates, f = features_of(c, encoder, need=13, rule=content_candidates(200))
    assert column(f, candidates, 3, "sim_offer_max") == pytest.approx(1.0)  # "(erased)" twice
    # Such a need teaches nothing and tests nothing: no query (the help given on it still
    # counts in the helpers' history, as `matcher erase` keeps it).
    assert labelled_needs(community()).index.tolist() == [13, 14, 16]
    assert labelled_needs(c).index.tolist() == [14]
    trained = training_set(c, vectors(c, encoder), at=day(20), candidates=200)
    assert trained.need_post_ids == [14]


@pytest.mark.parametrize("offer_day", [None, 10])  # an offer posted with the need, too
def test_serving_path_gives_the_training_path_features(encoder, tmp_path, offer_day):
    posts = [(*p[:5], offer_day) if p[0] == 12 and offer_day else p for p in POSTS]
    c = community(posts=posts)
    candidates, trained = features_of(c, encoder)
    at = day(10)
    state = member_state(c, vectors(c, encoder), at)
    state.save(tmp_path)
    loaded = MemberState.load(tmp_path)
    post = c.posts.loc[QUERY]
    need = make_need(post["text"], encoder.encode([post["text"]])[0], post["tags"], seeker=1)
    for s in (state, loaded):
        served = pair_features(s, need, candidates, at)
        np.testing.assert_allclose(served, trained, rtol=1e-6, atol=1e-9)


def test_behaviour_features_say_what_happened_before(encoder):
    candidates, f = features_of(community(), encoder)
    assert column(f, candidates, 2, "pair_helped") == 1  # 2 helped the seeker
    assert column(f, candidates, 3, "pair_reverse") == 1  # the seeker helped 3
    assert column(f, candidates, 3, "pair_helped") == 0
    assert column(f, candidates, 2, "same_town") == 1
    assert column(f, candidates, 3, "same_town") == 0
    assert column(f, candidates, 3, "distance_km") == pytest.approx(270, abs=30)
    assert np.isnan(column(f, candidates, 5, "distance_km"))
    assert column(f, candidates, 2, "log_helped") == pytest.approx(np.log1p(1))
    assert column(f, candidates, 4, "log_helped") == 0
    assert column(f, candidates, 5, "accept_rate") == pytest.approx(1 / 3)  # one decline
    assert column(f, candidates, 5, "load") > 0  # contacted three days ago
    assert column(f, candidates, 2, "load") == 0
    # Recency: 5 helped on day 8, 2 on day 3.5; 4 never helped.
    assert column(f, candidates, 5, "log_days_since_help") == pytest.approx(np.log1p(2))
    assert np.isnan(column(f, candidates, 4, "log_days_since_help"))
    # Shares of the recent helps on the help clock: four helps so far (by 2, 3, the seeker,
    # 5), the latest weighing r = 2^(-1/h), the first r^4.
    r = 2 ** (-1 / 10)
    total = r * (1 - r**4) / (1 - r)
    assert column(f, candidates, 5, "help_share_10") == pytest.approx(r / total)
    assert column(f, candidates, 2, "help_share_10") == pytest.approx(r**4 / total)
    assert column(f, candidates, 4, "help_share_10") == 0
    # Everyone's shares add up to 1; the seeker's (the third help) is not among the candidates.
    r = 2 ** (-1 / 300)
    shares = sum(column(f, candidates, m, "help_share_300") for m in candidates)
    assert shares == pytest.approx(1 - r**2 / (r * (1 - r**4) / (1 - r)))
    # Tags: the need's tags (drums, shoegaze) against what 2 helped with and lists (drums).
    assert column(f, candidates, 2, "tag_overlap") == 0.5
    assert column(f, candidates, 3, "tag_overlap") == 0
    # Mutual connections: the seeker's helpers and helped are 2 and 3; 4 was helped by 3.
    assert column(f, candidates, 4, "mutual") == 1
    assert column(f, candidates, 2, "mutual") == 0


def test_mutual_connections_count_shared_people_in_the_help_graph(encoder):
    events = [*INTERACTIONS, (106, "helped", 2, 4, 14, 10, 9)]  # 2 now also helped 4
    candidates, f = features_of(community(interactions=events), encoder)
    # The seeker's neighbours are 2 and 3; 4's are now 2, 3 and 5; 5's only 4.
    assert column(f, candidates, 4, "mutual") == 2
    assert column(f, candidates, 5, "mutual") == 0


def test_text_features_prefer_the_offer_that_meets_the_need(encoder):
    candidates, f = features_of(community(), encoder)
    for name in ("sim_offer_max", "bm25_offer"):
        values = {m: column(f, candidates, m, name) for m in (2, 3, 5)}
        assert max(values, key=values.get) == 2, name  # "session drummer, shoegaze ..."
    best = {m: column(f, candidates, m, "sim_best") for m in candidates}
    assert max(best, key=best.get) == 2
    votes = {m: column(f, candidates, m, "knn_votes") for m in candidates}
    assert max(votes, key=votes.get) == 2  # helped the past need most like this one
    assert sum(votes.values()) == pytest.approx(1.0)
    assert np.isnan(column(f, candidates, 4, "sim_offer_max"))  # no offers yet
    assert column(f, candidates, 4, "bm25_offer") == 0


def test_reciprocity_reads_the_candidates_needs_against_the_seekers_offers(encoder):
    candidates, f = features_of(community(), encoder)
    # 3 needs a poster designed; the seeker offers gig posters. 4 needs a demo mixed.
    assert column(f, candidates, 3, "sim_reverse") > column(f, candidates, 4, "sim_reverse")
    assert np.isnan(column(f, candidates, 2, "sim_reverse"))  # 2 posted no need


def test_content_candidates_are_the_closest_members_but_the_seeker(encoder):
    candidates, _ = features_of(community(), encoder, rule=content_candidates(2))
    assert candidates[0] == 2
    assert len(candidates) == 2 and 1 not in candidates


def test_a_need_from_someone_unknown_still_gets_features(encoder):
    c = community()
    state = member_state(c, vectors(c, encoder), day(10))
    need = make_need("a drummer please", encoder.encode(["a drummer please"])[0])
    f = pair_features(state, need, np.array([2, 3, 99]), day(10))
    assert f.shape == (3, len(FEATURE_NAMES))
    assert f[2, COLUMN["log_helped"]] == 0  # 99 is not a member the state knows
    assert f[0, COLUMN["pair_helped"]] == 0 and np.isnan(f[0, COLUMN["distance_km"]])


def test_ragged_rows_read_the_same_growing_or_frozen():
    rows = Ragged(4)
    for row, value in [(0, 5), (2, 7), (0, 6), (3, 1), (2, 8)]:
        rows.append(row, value)
    frozen = rows.freeze()
    for ragged in (rows, frozen):
        values, owner = ragged.gather(np.array([2, -1, 0, 1]))
        np.testing.assert_array_equal(values, [7, 8, 5, 6])
        np.testing.assert_array_equal(owner, [0, 0, 2, 2])
        np.testing.assert_array_equal(ragged.row(0), [5, 6])
    with pytest.raises(ValueError):
        frozen.append(0, 1)


def test_topic_and_tag_history_weigh_likeness_and_age(encoder):
    candidates, f = features_of(community(), encoder)
    for name in ("topic_share_30", "topic_share_100", "topic_share_300"):
        shares = {m: column(f, candidates, m, name) for m in candidates}
        assert max(shares, key=shares.get) == 2, name  # helped the drum need of day 3
        assert sum(shares.values()) == pytest.approx(1.0)
    # Only 2 helped with a need tagged like this one (drums).
    assert column(f, candidates, 2, "tag_recent") == pytest.approx(1.0)
    assert column(f, candidates, 3, "tag_recent") == 0
    # Had 300 other helps come between the drum help and 3's unrelated mixing help, the drum
    # help would weigh far less at a half-life of 30 helps (3 takes over) but still count at 300.
    busy = [(1000 + i, "helped", 4, 5, None, None, 4 + i / 1000) for i in range(300)]
    candidates, g = features_of(community(interactions=[*INTERACTIONS, *busy]), encoder)
    assert (
        column(g, candidates, 2, "topic_share_30")
        < 0.01
        < column(g, candidates, 3, "topic_share_30")
    )
    assert column(g, candidates, 2, "topic_share_300") > 0.3


def test_how_recent_a_help_on_the_needs_tags_is_counts_from_the_help_not_the_need(encoder):
    # 2 and 5 each helped with a drum need half a day before this one: 2 with an old need
    # (asked on day 3), 5 with a new one (day 299). Both helps are as recent.
    posts = [
        (13, 1, "need", "need a drummer for a gig", ["drums"], 3),
        (14, 4, "need", "need a drummer too", ["drums"], 299),
        (20, 3, "need", "looking for a drummer", ["drums"], 300),
    ]
    helps = [(100, "helped", 2, 1, 13, None, 299.5), (101, "helped", 5, 4, 14, None, 299.5)]
    candidates, f = features_of(community(posts, helps), encoder, need=20)
    assert column(f, candidates, 2, "tag_recent") == pytest.approx(0.5)
    assert column(f, candidates, 5, "tag_recent") == pytest.approx(0.5)


def test_a_training_set_labels_the_helpers_of_earlier_needs(encoder):
    from matcher.features import training_set

    c = community()
    rows = training_set(c, vectors(c, encoder), at=day(5.5), candidates=10)
    # Needs 13 and 14 were helped before day 5.5; need 16 only on day 6.
    assert rows.need_post_ids == [13, 14]
    assert rows.positives == 2 and rows.X.shape == (len(rows.y), len(FEATURE_NAMES))
    assert list(np.unique(rows.groups)) == [0, 1]


def test_help_already_given_to_an_open_need_is_no_evidence_of_who_fits_it(encoder):
    # Scored by a build on day 12, need 20 was already helped by 3 on day 11. The features the
    # ranker learned from were computed before any help on their need, so the text features of
    # 20 must read the candidates' history without that help (else 3 looks a perfect fit: the
    # need they helped with is this one); BM25 of what they helped with too.
    from matcher.features import TEXT_FEATURES

    def text_of_need_20(interactions):
        f = open_need_20(encoder, interactions)
        return {n: f[:, COLUMN[n]] for n in TEXT_FEATURES}, f

    helped = [*INTERACTIONS, (106, "helped", 3, 1, QUERY, None, 11)]
    without, _ = text_of_need_20(INTERACTIONS)
    given, f = text_of_need_20(helped)
    assert f[1, COLUMN["sim_helped_max"]] < 0.99  # not the need itself
    for name, values in without.items():
        np.testing.assert_allclose(given[name], values, err_msg=name)
    # Nor does it count among 3's helps for this need (see the next test).
    assert f[1, COLUMN["log_helped"]] == pytest.approx(np.log1p(1))


def test_an_open_need_reads_bm25_as_it_was_trained_not_counting_itself(encoder):
    # Need 20 (day 10), nothing after it: a build's features of it on day 12 give BM25 as the
    # training path gives it on day 10, when the corpus did not hold the need.
    from matcher.features import need_from_post

    c = community()
    [block] = query_features(c, vectors(c, encoder), [QUERY], experienced_helpers(0))
    state = member_state(c, vectors(c, encoder), day(12))
    need = need_from_post(state, int(np.flatnonzero(state.post_ids == QUERY)[0]))
    served = pair_features(state, need, block.candidates, day(12))
    for name in ("bm25_offer", "bm25_helped", "bm25_offer_rel", "bm25_helped_rel"):
        np.testing.assert_allclose(served[:, COLUMN[name]], block.features[:, COLUMN[name]])


def test_a_candidates_tag_share_does_not_depend_on_who_else_is_a_candidate(encoder):
    # 4 helped need 20 (drums, shoegaze) on day 11; the build reads it on day 12. The help
    # given on the need's tags leaves that help out whether or not 4 is among the candidates.
    from matcher.features import need_from_post

    c = community(interactions=[*INTERACTIONS, (106, "helped", 4, 1, QUERY, None, 11)])
    state = member_state(c, vectors(c, encoder), day(12))
    need = need_from_post(state, int(np.flatnonzero(state.post_ids == QUERY)[0]))
    with_4 = pair_features(state, need, [2, 3, 4, 5], day(12))[:, COLUMN["tag_share"]]
    without_4 = pair_features(state, need, [2, 3, 5], day(12))[:, COLUMN["tag_share"]]
    np.testing.assert_allclose(with_4[[0, 1, 3]], without_4)
    assert without_4[0] == 1.0  # 2 gave the only earlier help on drums


def test_what_happened_on_an_open_need_is_left_out_of_its_features(encoder):
    # Scored by a build on day 12, need 20 (the seeker is 1) was already at work: 1 contacted
    # 3 and 5 about it, 3 helped, 5 declined. The ranker learned from needs read before any of
    # that, so the features read it as if the contacts and help had not happened (a helper of
    # the need does not top its list for that help, a contact does not sink anyone); the
    # decline stays, as any earlier decline between the two.
    def need_20(interactions):
        return open_need_20(encoder, interactions)

    on_it = [
        (106, "contacted", 1, 3, QUERY, None, 10.5),
        (107, "contacted", 1, 5, QUERY, None, 10.5),
        (108, "helped", 3, 1, QUERY, None, 11),
        (109, "declined", 5, 1, QUERY, None, 11),
    ]
    before, after = need_20(INTERACTIONS), need_20([*INTERACTIONS, *on_it])
    kept = {"pair_declined", "log_declined", "accept_rate"}  # 5's decline
    moved = {"log_days_since_active"}  # 3 and 5 were active on day 11: that stays
    for name in sorted(set(FEATURE_NAMES) - kept - moved):
        np.testing.assert_allclose(after[:, COLUMN[name]], before[:, COLUMN[name]], err_msg=name)
    assert after[3, COLUMN["pair_declined"]] == 1 and before[3, COLUMN["pair_declined"]] == 0
    # Another need of 1's, read on the same day, counts all of it.
    c = community(interactions=[*INTERACTIONS, *on_it])
    state = member_state(c, vectors(c, encoder), day(12))
    other = make_need("a drummer for a second gig", vectors(c, encoder)[0], ["drums"], seeker=1)
    f = pair_features(state, other, [2, 3, 4, 5], day(12))
    assert f[1, COLUMN["pair_helped"]] == 1 and f[1, COLUMN["pair_contacted"]] == 1
    assert f[1, COLUMN["log_helped"]] == pytest.approx(np.log1p(2))


def test_offers_dated_the_same_day_as_the_needs_they_met_are_known_to_them(encoder):
    # An organiser's files date every post by the day: offers and the needs they then met
    # all on day 1, the help later. The helpers' offers are known to the needs (they are
    # candidates, so the outcomes label training rows); the help is not.
    posts = [(pid, member, side, text, tags, 1) for pid, member, side, text, tags, _ in POSTS]
    c = community(posts=posts)
    rows = training_set(c, vectors(c, encoder), at=day(9), candidates=10)
    assert rows.need_post_ids == [13, 14, 16] and rows.positives == 3
    candidates, f = features_of(c, encoder, need=13, rule=content_candidates(10))
    assert 2 in candidates and column(f, candidates, 2, "sim_offer_max") > 0
    assert (
        column(f, candidates, 2, "log_helped") == 0 and column(f, candidates, 2, "pair_helped") == 0
    )


def test_a_need_dated_after_the_help_it_got_is_read_as_of_before_that_help(encoder):
    # A need imported without its date is dated by the import, after the help it got: its
    # features are those before the help, which must never show in them.
    posts = [(*p[:5], 20) if p[0] == 13 else p for p in POSTS]  # need 13 "posted" on day 20
    c = community(posts=posts)
    [block] = query_features(c, vectors(c, encoder), [13], content_candidates(10))
    assert block.at == day(3.5)  # when 2 helped with it
    assert column(block.features, block.candidates, 2, "pair_helped") == 0
    assert column(block.features, block.candidates, 2, "log_helped") == 0


def test_a_town_of_the_same_name_far_away_is_no_same_town_for_the_ranker(encoder):
    # Member 2 moves to London, Ontario and the seeker to London, UK: one name, 5,000 km.
    c = community()
    members = c.members.copy()
    members.loc[[1, 4], "town"] = "London"
    members.loc[1, ["latitude", "longitude"]] = (51.507, -0.128)
    members.loc[4, ["latitude", "longitude"]] = (51.372, -0.100)  # Croydon's place: 15 km
    members.loc[2, ["town", "latitude", "longitude"]] = ("London", 42.984, -81.246)
    c = Community.from_frames(members, c.posts, c.interactions)
    candidates, f = features_of(c, encoder)
    assert column(f, candidates, 2, "same_town") == 0
    assert column(f, candidates, 4, "same_town") == 1


@pytest.mark.parametrize("country", [None, "United Kingdom", "uk"])
def test_a_town_of_the_same_name_in_another_country_is_no_same_town_for_the_ranker(
    encoder, country
):
    # No coordinates: the seeker in London, GB; member 2 in London, CA; member 4 in London
    # with no country given, or GB written another way.
    c = community()
    members = c.members.copy()
    members["country"] = None
    members.loc[[1, 2, 4], "town"] = "London"
    members.loc[[1, 2, 4], ["latitude", "longitude"]] = np.nan
    members.loc[1, "country"], members.loc[2, "country"] = "GB", "CA"
    members.loc[4, "country"] = country
    c = Community.from_frames(members, c.posts, c.interactions)
    candidates, f = features_of(c, encoder)
    assert column(f, candidates, 2, "same_town") == 0
    assert column(f, candidates, 4, "same_town") == 1


def test_the_content_candidates_of_a_need_read_the_offers_as_edited_by_then(encoder):
    """The candidates of many needs are found a block at a time (`ContentCandidates.plan`):
    an offer edited between two needs is read by the later one as edited."""
    table, row, values = EDITS["offer reworded"]
    needs = [13, 14, 16, QUERY]

    def blocks(c: Community) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        found = query_features(c, vectors(c, encoder), needs, content_candidates(2))
        return {b.need_post_id: (b.candidates, b.features) for b in found}

    edited = blocks(_edited(table, row, at=7, **values))
    before, always = blocks(community()), blocks(_edited(table, row, **values))
    for need in needs:
        expected = before[need] if need != QUERY else always[need]
        np.testing.assert_array_equal(edited[need][0], expected[0])
        np.testing.assert_array_equal(edited[need][1], expected[1])
    assert not np.array_equal(before[QUERY][0], always[QUERY][0])  # the edit matters


def test_a_build_reads_each_profile_and_post_as_of_its_time(encoder):
    """`member_state` (what a build saves) holds the versions as of its time, an edit after
    it not yet made, and keeps only those once frozen."""
    from matcher.features import need_from_post

    def scored(c: Community, at: pd.Timestamp) -> np.ndarray:
        def features(state: MemberState) -> np.ndarray:
            row = int(np.flatnonzero(state.post_ids == QUERY)[0])
            return pair_features(state, need_from_post(state, row), [2, 3, 4, 5], at)

        # The replay's state just before `at` (versions and all), against the frozen one a
        # build saves (`member_state` freezes it: only the last versions kept).
        ((_, state),) = replay(c, vectors(c, encoder), [at])
        live = features(state)
        frozen = member_state(c, vectors(c, encoder), at)
        assert frozen.post_version is None and frozen.post_terms.shape[0] == len(frozen.post_ids)
        np.testing.assert_array_equal(features(frozen), live)
        return live

    for edit in ("offer reworded", "need reworded", "moved town", "helped need retagged"):
        table, row, values = EDITS[edit]
        edited = _edited(table, row, at=11, **values)
        np.testing.assert_array_equal(scored(edited, day(10.5)), scored(community(), day(10.5)))
        always = _edited(table, row, **values)
        np.testing.assert_array_equal(scored(edited, day(12)), scored(always, day(12)))


def test_the_text_each_post_read_at_a_time_is_its_version_then():
    """`texts_at` (what the store evaluation calibrates on as of its split): a post edited on
    day 11 read its earlier text, the first revision's row of `Community.texts`, before."""
    from matcher.features.replay import texts_at

    table, row, values = EDITS["offer reworded"]
    edited = _edited(table, row, at=11, **values)
    position = edited.posts.index.get_loc(row)
    before, after = texts_at(edited, day(10.5)), texts_at(edited, day(12))
    assert before[position] == len(edited.posts)  # the revision, after every post's own text
    assert edited.texts()[before[position]] == "drummer for hire, any genre"
    np.testing.assert_array_equal(after, np.arange(len(edited.posts)))
    np.testing.assert_array_equal(np.delete(before, position), np.delete(after, position))
