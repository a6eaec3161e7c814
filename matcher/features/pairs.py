"""Pair features of one need against its candidate helpers, read from a `MemberState` at time t."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from matcher.domain import POSITIVE_KINDS
from matcher.features.decay import (
    EVENT_HALF_LIVES,
    LOAD_HALF_LIFE,
    decay,
    decayed,
    decayed_total,
)
from matcher.features.history import KIND, MemberState, to_days
from matcher.features.lexical import term_counts
from matcher.features.text import TOPIC_HALF_LIVES, Helped, helped_before, text_features
from matcher.geo import distance_km, same_town

# Features that read what needs and offers say, their words and their tags; the "behaviour"
# model is trained without them.
# Chosen by rolling validation inside the training period of the Stack Exchange dumps (every
# question from 20% to 70% by time ranked by a model refitted on what was known before it):
# shares decayed on the help clock beat the same shares decayed by days, and percentile ranks
# and gaps to the best candidate (tried) added nothing but variance, so they are not here.
TEXT_FEATURES: tuple[str, ...] = (
    "sim_offer_max",  # cosine of the need to the candidate's closest offer
    "sim_offer_mean",  # ... to the centroid of their offers
    "sim_helped_max",  # ... to the closest need they helped with
    "sim_helped_mean",  # ... to the centroid of the needs they helped with
    "sim_best",  # the content score: the best of the above maxima
    "knn_votes",  # share of the K past needs most like this one that the candidate helped with
    # Needs helped, weighted by likeness to this one and by age on the help clock (half-life:
    # h helps by anyone), as a share of the candidates'.
    *(f"topic_share_{int(h)}" for h in TOPIC_HALF_LIVES),
    "sim_reverse",  # reciprocity: the seeker's offers against the candidate's needs
    "bm25_offer",  # BM25 of the need against the candidate's offers
    "bm25_helped",  # ... against the needs they helped with
    # The same as a share of the best candidate's: BM25 grows with the need's length and the
    # rarity of its words, so its values compare within a need, not across needs.
    "bm25_offer_rel",
    "bm25_helped_rel",
    # The need's tags are part of what it says (DATA.md: a question's title, body and tags):
    "tag_overlap",  # share of the need's tags the candidate helped with or lists
    "tag_helps",  # sum over the need's tags of log(1 + helps given on that tag)
    "tag_share",  # the candidate's largest share of the help given on one of the need's tags
    "tag_recent",  # helps on the need's tags lately (a month's half-life), as a share
)
BEHAVIOUR_FEATURES: tuple[str, ...] = (
    "log_helped",  # log(1 + helps given)
    # The candidate's share of the community's recent helps, decayed on the help clock
    # (half-life: h helps by anyone): how much of the helping they do lately.
    *(f"help_share_{int(h)}" for h in EVENT_HALF_LIVES),
    "log_days_since_help",
    "log_days_since_active",
    "log_days_since_joined",
    "log_needs",  # needs the candidate posted
    "accept_rate",  # (accepted + 1) / (accepted + declined + 2)
    "log_declined",
    "load",  # requests received lately (decayed, a week) per unit of weekly capacity
    "same_town",  # the same town name, unless known to be over 50 km apart or in two countries
    "distance_km",
    "pair_helped",  # helps from the candidate to the seeker before
    "pair_reverse",  # helps from the seeker to the candidate before (reciprocity)
    "pair_contacted",  # times the seeker contacted the candidate
    "pair_declined",  # times the candidate declined the seeker
    "mutual",  # people both have helped or been helped by
)
FEATURE_NAMES: tuple[str, ...] = (*BEHAVIOUR_FEATURES, *TEXT_FEATURES)
# Raised when what a feature means changes, so that `matcher build --if-stale` makes a new
# build for a ranker that learned the old meaning (2: BM25's average length is the candidates';
# 3: BM25 relative to the best candidate's; 4: same_town not for towns of one name far apart;
# 5: nor in two countries; 6: countries compared by ISO code, GB and United Kingdom alike;
# 7: an open need's features leave out the contacts and help on the need itself, `left_out`,
# and BM25 does not count the need among its documents; 8: a town written with its country,
# "Leeds, UK", is that town, in that country when the member gave none; towns and tags are
# compared in one Unicode form, NFC; 9: a town that names only a country, "Poland", is that
# country and no town).
FEATURES_VERSION = 9
COLUMN = {name: i for i, name in enumerate(FEATURE_NAMES)}
_POSITIVE = [KIND["helped"], KIND["accepted"]]


@dataclass(frozen=True)
class Need:
    """A need as the features see it: its vector, words, tags, and who asked (None: anyone)."""

    vector: np.ndarray
    term_ids: np.ndarray
    tags: tuple[str, ...] = ()
    seeker: int | None = None
    post_row: int = field(default=-1, compare=False)  # its row in the state; -1: not a post
    tag_ids: np.ndarray | None = field(default=None, compare=False)  # when known to the state


def make_need(
    text: str, vector: np.ndarray, tags: Sequence[str] = (), seeker: int | None = None
) -> Need:
    """A need from its text and normalized vector (serving: a post or a typed query)."""
    terms = term_counts([text])
    term_ids = np.unique(terms.indices).astype(np.int64)
    return Need(np.asarray(vector, dtype=np.float32), term_ids, tuple(tags), seeker)


def need_from_post(state: MemberState, row: int) -> Need:
    """The need stored as post row `row` of the state (training and evaluation)."""
    seeker = state.post_member[row]
    tag_ids = state.post_tags.row(row)
    return Need(
        state.post_vectors[row],
        state.term_ids(row),
        tuple(str(i) for i in tag_ids),
        int(state.member_ids[seeker]) if seeker >= 0 else None,
        row,
        tag_ids,
    )


def pair_features(
    state: MemberState, need: Need, candidates: Sequence[int] | np.ndarray, at
) -> np.ndarray:
    """Features (rows: candidates by member id; columns: FEATURE_NAMES) of `need` at time `at`."""
    t = at if isinstance(at, float) else float(to_days(at))
    cand = state.positions(candidates)
    known = cand >= 0
    # The seeker's row in the state: -1 (no row, as `positions` gives a member it does not
    # know) for a need of anyone's. Not the engine's NO_SEEKER, which is a store member id.
    seeker = -1 if need.seeker is None else int(state.positions([need.seeker])[0])
    out = np.full((len(cand), len(FEATURE_NAMES)), np.nan)
    if len(cand) == 0:
        return out
    f: dict[str, np.ndarray] = {}
    helped = helped_before(state, need, cand)
    _behaviour(state, cand, known, seeker, t, left_out(state, need, cand, seeker, t), helped, f)
    _tags(state, need, cand, helped, t, f)
    f.update(text_features(state, need, cand, seeker, helped))
    for name, values in f.items():
        out[:, COLUMN[name]] = values
    return out


def _pick(values: np.ndarray, cand: np.ndarray, known: np.ndarray, missing=np.nan) -> np.ndarray:
    out = np.full(len(cand), missing, dtype=np.float64)
    out[known] = values[cand[known]]
    return out


@dataclass
class LeftOut:
    """What happened on the need itself, per candidate, which its features leave out.

    The ranker learned from needs whose features were read just before they were posted, so
    nothing that happened on them; a build scores open needs after some of it (a contact, a
    help). Their features then leave out the contacts and help on the need itself (as the
    text features leave out the need as help given, `helped_before`), so a helper of the
    need does not top its list for that help, nor does a contact sink a candidate. A decline
    of the need stays: it counts as any earlier decline between the two. Left as they are:
    the time a candidate was last active, the help clock's place, and mutual connections
    the help made.
    """

    helped: np.ndarray  # helps given with the need by each candidate
    accepted: np.ndarray
    recent: np.ndarray  # those helps as they count in the decayed shares (candidates x half-lives)
    total: np.ndarray  # ... and in the community's decayed total (half-lives), anyone's
    last_help: np.ndarray  # whether the candidate's last help was with the need
    load: np.ndarray  # the seeker's contacts about the need, as they count in the load
    pair_helped: np.ndarray  # help from the candidate to the seeker with the need
    pair_contacted: np.ndarray  # the seeker's contacts of the candidate about the need
    # (Help the other way, `pair_reverse`, never names the seeker's need: nothing to leave out.)

    @classmethod
    def nothing(cls, n: int) -> LeftOut:
        """Nothing to leave out, for `n` candidates."""
        h = len(EVENT_HALF_LIVES)
        zeros = [np.zeros(n), np.zeros(n), np.zeros((n, h)), np.zeros(h)]
        return cls(*zeros, np.zeros(n, dtype=bool), np.zeros(n), np.zeros(n), np.zeros(n))


def left_out(state: MemberState, need: Need, cand: np.ndarray, seeker: int, t: float) -> LeftOut:
    """The interactions that name `need` among those the state holds (none when the state is
    read before the need was posted, as in training), per candidate at positions `cand`."""
    half_lives = np.array(EVENT_HALF_LIVES)
    out = LeftOut.nothing(len(cand))
    events = state.events_of(need.post_row)
    if not events:  # every need in training, most at serving
        return out
    where = {int(c): i for i, c in enumerate(cand.tolist()) if c >= 0}
    for kind, source, target, when, clock in events:
        helper, asked = where.get(source), where.get(target)
        if kind == "helped":
            share = decay(state.total_helps - clock, half_lives)
            out.total += share
            if helper is not None:
                out.helped[helper] += 1
                out.recent[helper] += share
                out.last_help[helper] |= when == state.last_help[source]
        elif kind == "accepted" and helper is not None:
            out.accepted[helper] += 1
        elif kind == "contacted" and asked is not None:
            out.load[asked] += decay(t - when, LOAD_HALF_LIFE)
            out.pair_contacted[asked] += source == seeker
        if kind in POSITIVE_KINDS and helper is not None and target == seeker:
            out.pair_helped[helper] += 1
    return out


def _behaviour(state, cand, known, seeker, t, own: LeftOut, helped: Helped, f) -> None:
    f["log_helped"] = np.log1p(np.maximum(_pick(state.n_helped, cand, known, 0.0) - own.helped, 0))
    half_lives = np.array(EVENT_HALF_LIVES)
    recent = np.zeros((len(cand), len(half_lives)))
    clock = state.total_helps
    recent[known] = decayed(
        state.recent_helps[cand[known]], state.recent_helps_at[cand[known]], clock, half_lives
    )
    recent = np.maximum(recent - own.recent, 0.0)
    recent /= np.maximum(decayed_total(clock, half_lives) - own.total, 1e-12)[None, :]
    for i, h in enumerate(EVENT_HALF_LIVES):
        f[f"help_share_{int(h)}"] = recent[:, i]
    last_help = _pick(state.last_help, cand, known)
    if own.last_help.any():  # their last help was with the need: the one before (or none)
        before = np.full(len(cand), np.nan)
        np.fmax.at(before, helped.owner, helped.times)
        last_help = np.where(own.last_help, before, last_help)
    f["log_days_since_help"] = np.log1p(np.maximum(t - last_help, 0))
    f["log_days_since_active"] = np.log1p(np.maximum(t - _pick(state.last_active, cand, known), 0))
    f["log_days_since_joined"] = np.log1p(np.maximum(t - _pick(state.joined, cand, known), 0))
    f["log_needs"] = np.log1p(_pick(state.n_needs, cand, known, 0.0))

    accepted = np.maximum(_pick(state.n_accepted, cand, known, 0.0) - own.accepted, 0)
    declined = _pick(state.n_declined, cand, known, 0.0)
    f["accept_rate"] = (accepted + 1) / (accepted + declined + 2)
    f["log_declined"] = np.log1p(declined)
    load = np.zeros(len(cand))
    load[known] = decayed(state.load[cand[known]], state.load_at[cand[known]], t, LOAD_HALF_LIFE)
    f["load"] = np.maximum(load - own.load, 0.0) / _pick(state.capacity, cand, known, 1.0)
    _seeker_pairs(state, cand, known, seeker, own, f)


def _seeker_pairs(state, cand, known, seeker, own: LeftOut, f) -> None:
    n = len(cand)
    for name in ("pair_helped", "pair_reverse", "pair_contacted", "pair_declined", "mutual"):
        f[name] = np.zeros(n)
    f["same_town"] = np.zeros(n)
    f["distance_km"] = np.full(n, np.nan)
    if seeker < 0:
        return
    f["distance_km"] = distance_km(
        state.latitude[seeker],
        state.longitude[seeker],
        _pick(state.latitude, cand, known),
        _pick(state.longitude, cand, known),
    )
    f["same_town"] = same_town(  # the same name, unless known to be far apart or in two countries
        state.town[seeker],
        _pick_obj(state.town, cand, known),
        f["distance_km"],
        state.country[seeker],
        _pick_obj(state.country, cand, known),
    ).astype(float)
    met = np.flatnonzero(np.isin(cand, state.partners.row(seeker)))  # any earlier interaction
    if len(met):
        seekers = np.full(len(met), seeker)
        forward = state.pair_counts(cand[met], seekers)  # what the candidate did to the seeker
        backward = state.pair_counts(seekers, cand[met])
        f["pair_helped"][met] = forward[:, _POSITIVE].sum(axis=1) - own.pair_helped[met]
        f["pair_reverse"][met] = backward[:, _POSITIVE].sum(axis=1)
        f["pair_contacted"][met] = backward[:, KIND["contacted"]] - own.pair_contacted[met]
        f["pair_declined"][met] = forward[:, KIND["declined"]]
    mine = state.neighbours.row(seeker)
    if len(mine):
        theirs, owner = state.neighbours.gather(cand)
        f["mutual"] = np.bincount(owner[np.isin(theirs, mine)], minlength=len(cand)).astype(float)


def _pick_obj(values, cand, known) -> np.ndarray:
    out = np.full(len(cand), "", dtype=object)
    out[known] = values[cand[known]]
    return out


def _tags(state, need, cand, helped, t, f) -> None:
    n = len(cand)
    wanted = state.tag_positions(need.tags) if need.tag_ids is None else need.tag_ids
    f["tag_overlap"] = np.zeros(n)
    f["tag_helps"] = np.zeros(n)
    f["tag_share"] = np.zeros(n)
    f["tag_recent"] = np.zeros(n)
    if len(wanted) == 0:
        return
    rows, owner = helped.rows, helped.owner
    tags, which = state.post_tags.gather(rows)
    hit = np.isin(tags, wanted)
    flat = owner[which[hit]] * len(wanted) + np.searchsorted(wanted, tags[hit])
    counts = np.bincount(flat, minlength=n * len(wanted)).reshape(n, len(wanted)).astype(float)
    listed, lister = state.member_tags.gather(cand)
    has = counts > 0
    keep = np.isin(listed, wanted)
    has[lister[keep], np.searchsorted(wanted, listed[keep])] = True
    f["tag_overlap"] = has.sum(axis=1) / len(need.tags)
    f["tag_helps"] = np.log1p(counts).sum(axis=1)
    given = state.tag_helps[wanted] - helped.helpers_of_need  # wanted: the need's own tags
    f["tag_share"] = (counts / np.maximum(given, 1)[None, :]).max(axis=1)
    on_topic = np.unique(which[hit])  # helped needs sharing a tag with this one
    age = np.maximum(t - helped.times[on_topic], 0.0)  # since each was helped
    recent = np.bincount(owner[on_topic], weights=np.exp2(-age / 30.0), minlength=n)
    f["tag_recent"] = recent / max(recent.sum(), 1e-12)
