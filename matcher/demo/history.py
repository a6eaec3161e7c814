"""Months of interaction history, simulated as a funnel driven by the hidden compatibility.

Seekers look for help on their needs in sessions. Each session shows them a few candidates,
mostly what a naive word match on the posts finds (right words, maybe wrong town or genre) and
some at random; they also contact people they heard of locally. They contact those who look
right. Helpers answer if they are still around and active, accept by compatibility (which
includes their hidden reliability) unless a full week has saturated them, and then usually help.
Pointless contacts are now and then reported or blocked.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from dataclasses import dataclass

import numpy as np

from matcher.demo.members import Cast
from matcher.demo.posts import Posts
from matcher.demo.services import SERVICES
from matcher.demo.truth import DemoTruth

WINDOW_DAYS = 182.0
SHORTLIST = 300  # offers a naive word search would ever show for one need
FIT_CACHE = 512  # needs whose helper pools are kept between their sessions


@dataclass
class History:
    """Interactions as parallel arrays, in time order; post indices are -1 when absent."""

    kind: list[str]
    source: np.ndarray  # member index of `from`
    target: np.ndarray  # member index of `to`
    need: np.ndarray
    offer: np.ndarray
    at: np.ndarray  # days relative to now
    helped_needs: set[int]

    def __len__(self) -> int:
        return len(self.kind)


class _Funnel:
    """The state of the simulation while sessions are played in time order."""

    def __init__(self, cast: Cast, posts: Posts, truth: DemoTruth, rng: np.random.Generator):
        self.cast, self.posts, self.truth, self.rng = cast, posts, truth, rng
        self.events: list[tuple[float, str, int, int, int, int]] = []
        self.accepts: dict[int, list[float]] = defaultdict(list)
        self.done: set[int] = set()
        self.busy_until: dict[int, float] = {}
        self.seen: dict[int, set[int]] = defaultdict(set)
        self.apart: set[tuple[int, int]] = set()
        offers = [p for p in range(len(posts)) if posts.side[p] == "offer"]
        self.offers = np.array(offers, dtype=np.int64)
        self.offer_member = posts.member[self.offers]
        self.offer_created = posts.created[self.offers]
        self.offer_service = np.array([posts.service[p] for p in offers])
        self.member_offers: dict[int, list[int]] = defaultdict(list)
        for p in offers:
            self.member_offers[int(posts.member[p])].append(p)
        # fit() is pure, so a bounded cache keeps memory linear in the community's size.
        self._fit: OrderedDict[int, tuple[np.ndarray, ...]] = OrderedDict()
        self._word_weights: dict[int, tuple[np.ndarray, ...]] = {}
        self._bases: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def fit(self, p: int) -> tuple[np.ndarray, ...]:
        """For need `p`: possible helpers, their role, how right they look, compatibility,
        and the cumulative weights by which word of mouth finds them."""
        if p in self._fit:
            self._fit.move_to_end(p)
            return self._fit[p]
        idx, role, genre, distance = self.truth.factors(p)
        compat = role * genre * distance * (0.55 + 0.45 * self.truth.reliability[idx])
        looks = genre * distance
        heard = np.cumsum(role * looks * np.sqrt(looks))
        self._fit[p] = (idx, role, looks, compat, heard)
        if len(self._fit) > FIT_CACHE:
            self._fit.popitem(last=False)
        return self._fit[p]

    def word_weights(self, p: int) -> tuple[np.ndarray, ...]:
        """A shortlist of what a naive word match finds for need `p` (blind to where and who):
        members, weights, and when the offer and its member appeared."""
        if p not in self._word_weights:
            candidates, cdf = self._word_base(self.posts.service[p])
            draws = np.searchsorted(cdf, self.rng.random(SHORTLIST * (len(cdf) > 0)) * cdf[-1:])
            drawn, times = np.unique(draws, return_counts=True)  # times ~ the word-match weight
            candidates = candidates[drawn]
            seeker = int(self.posts.member[p])
            members = self.offer_member[candidates]
            masks = self.cast.genre_mask
            shared = np.bitwise_count(masks[members] & masks[seeker]).astype(float)
            same_town = self.cast.town[members] == self.cast.town[seeker]
            weights = times * (1 + 0.6 * shared) * (1 + 0.5 * same_town) * (members != seeker)
            since = np.maximum(self.offer_created[candidates], self.cast.joined[members])
            self._word_weights[p] = (members, weights, since)
        return self._word_weights[p]

    def _word_base(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Offers that share words with a service (1 for the same service, 0.8 x how well it
        serves, 0.2 for a look-alike of the same family), as positions and cumulative weights."""
        if name not in self._bases:
            service = SERVICES[name]
            kinds = sorted(set(self.offer_service.tolist()))
            score = {
                s: max(float(s == name), 0.8 * service.serves.get(s, 0.0),
                       0.2 * (SERVICES[s].family == service.family))
                for s in kinds
            }  # fmt: skip
            base = np.array([score[s] for s in self.offer_service])
            candidates = np.flatnonzero(base)
            self._bases[name] = (candidates, np.cumsum(base[candidates]))
        return self._bases[name]

    def session(self, p: int, t: float) -> None:
        """One look for help with need `p` at time `t`: shown, then contacted."""
        cast, rng = self.cast, self.rng
        seeker = int(self.posts.member[p])
        members, weights, since = self.word_weights(p)
        weights = weights * (since < t)
        shown = [int(m) for m in _draw(rng, members, weights, int(rng.integers(1, 4)))]
        if rng.random() < 0.5:
            shown.append(int(rng.integers(len(cast))))
        shown = [m for m in dict.fromkeys(shown) if self._eligible(m, seeker, t, p)]
        for m in shown:
            self.seen[p].add(m)
            self.emit(t, "shown", seeker, m, p)
        idx, role, looks, _, heard = self.fit(p)
        contacts = [m for m in shown if rng.random() < 0.05 + 0.6 * _at(idx, role * looks, m)]
        n_heard = int(rng.poisson(1.0))
        if n_heard and len(heard) and heard[-1] > 0:
            picks = idx[np.searchsorted(heard, rng.random(n_heard) * heard[-1])]
            contacts += [int(m) for m in picks if cast.joined[m] < t]
        for m in dict.fromkeys(contacts):
            if m in shown or self._eligible(m, seeker, t, p):
                self.contact(p, seeker, m, t + float(rng.exponential(0.4)))
            if p in self.done or self.busy_until.get(p, -np.inf) > t:
                break

    def contact(self, p: int, seeker: int, helper: int, t: float) -> None:
        """The seeker writes to a helper, who may answer, accept, help, or take offence."""
        cast, rng = self.cast, self.rng
        if t >= 0 or t > cast.present_until[seeker]:
            return
        self.seen[p].add(helper)
        self.emit(t, "contacted", seeker, helper, p)
        if t > cast.present_until[helper] or rng.random() > 0.45 + 0.5 * cast.activity[helper]:
            return  # never answered
        reply = t + float(rng.exponential(1.5))
        if reply >= 0:
            return
        idx, _, _, compat, _ = self.fit(p)
        fit = _at(idx, compat, helper)
        week = [a for a in self.accepts[helper] if reply - 7 < a <= reply]
        full = len(week) >= cast.capacity[helper]
        reliable = 0.3 + 0.7 * cast.reliability[helper]  # flaky people say yes less often
        accept = 0.02 if fit == 0 else min(0.97, (0.15 + 0.85 * fit**0.5) * reliable)
        if rng.random() < accept * (0.12 if full else 1.0):
            self.emit(reply, "accepted", helper, seeker, p)
            self.accepts[helper].append(reply)
            self._follow_through(p, seeker, helper, reply)
            return
        self.emit(reply, "declined", helper, seeker, p)
        if fit == 0 and rng.random() < 0.09:
            kind = "reported" if rng.random() < 0.55 else "blocked"
            self.emit(reply + 0.01, kind, helper, seeker, p)
            self.apart.add((min(seeker, helper), max(seeker, helper)))

    def _follow_through(self, p: int, seeker: int, helper: int, accepted: float) -> None:
        """After a yes: the reliable usually help; a flake may get reported by the seeker."""
        cast, rng = self.cast, self.rng
        when = accepted + 0.5 + float(rng.exponential(6.0))
        self.busy_until[p] = when
        if when >= 0:
            return  # still in progress
        if rng.random() < 0.35 + 0.6 * cast.reliability[helper]:
            self.emit(when, "helped", helper, seeker, p)
            self.done.add(p)
        elif rng.random() < 0.12:
            self.emit(when, "reported", seeker, helper, p)
            self.apart.add((min(seeker, helper), max(seeker, helper)))

    def emit(self, t: float, kind: str, source: int, target: int, p: int) -> None:
        """Record `source` did `kind` to `target` about need `p` (and the helper's offer)."""
        seeker_acts = kind in ("shown", "contacted") or source == int(self.posts.member[p])
        helper = target if seeker_acts else source
        self.events.append((t, kind, source, target, p, self._offer_of(helper, p, t)))

    def _offer_of(self, helper: int, p: int, t: float) -> int:
        """The helper's offer that best serves need `p` and existed at `t`, or -1."""
        serves = SERVICES[self.posts.service[p]].serves
        best, best_w = -1, 0.0
        for q in self.member_offers.get(helper, ()):
            w = serves.get(self.posts.service[q], 0.0)
            if self.posts.created[q] <= t and w > best_w:
                best, best_w = q, w
        return best

    def _eligible(self, m: int, seeker: int, t: float, p: int) -> bool:
        return (
            m != seeker
            and self.cast.joined[m] < t
            and m not in self.seen[p]
            and (min(seeker, m), max(seeker, m)) not in self.apart
        )


def _at(idx: np.ndarray, values: np.ndarray, member: int) -> float:
    """The value of `member` in a sparse vector (sorted `idx`, `values`), 0 when absent."""
    at = int(np.searchsorted(idx, member))
    return float(values[at]) if at < len(idx) and idx[at] == member else 0.0


def _draw(rng: np.random.Generator, items: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    """Up to `k` distinct items, drawn with probability proportional to `weights`."""
    live = np.flatnonzero(weights > 0)
    if k <= 0 or len(live) == 0:
        return items[:0]
    keys = rng.exponential(size=len(live)) / weights[live]  # smallest k: a weighted sample
    k = min(k, len(live))
    picks = np.argpartition(keys, k - 1)[:k]
    return items[live[picks[np.argsort(keys[picks])]]]


def simulate(cast: Cast, posts: Posts, truth: DemoTruth, rng: np.random.Generator) -> History:
    """The interactions of the last ~6 months, drawn from the hidden compatibility."""
    funnel = _Funnel(cast, posts, truth, rng)
    sessions: list[tuple[float, int]] = []
    for p in range(len(posts)):
        if posts.side[p] != "need":
            continue
        seeker = int(posts.member[p])
        end = min(float(cast.present_until[seeker]), -0.05)
        if np.isfinite(posts.expires[p]):
            end = min(end, float(posts.expires[p]))
        k = min(5, int(rng.poisson(1.0 + 3.0 * cast.activity[seeker])))
        t = float(posts.created[p])
        for j in range(k):
            t += float(rng.exponential(2.0 if j == 0 else 14.0))
            if t > end:
                break
            if t >= -WINDOW_DAYS:
                sessions.append((t, p))
    sessions.sort()
    for t, p in sessions:
        if p in funnel.done or funnel.busy_until.get(p, -np.inf) > t:
            continue
        funnel.session(p, t)
    events = sorted(e for e in funnel.events if e[0] >= -WINDOW_DAYS)
    return History(
        kind=[e[1] for e in events],
        source=np.array([e[2] for e in events], dtype=np.int64),
        target=np.array([e[3] for e in events], dtype=np.int64),
        need=np.array([e[4] for e in events], dtype=np.int64),
        offer=np.array([e[5] for e in events], dtype=np.int64),
        at=np.array([e[0] for e in events], dtype=float),
        helped_needs=set(funnel.done),
    )
