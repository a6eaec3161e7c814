"""What is known about each member at a time t: posts, help, requests, pairs and tags so far.

One `MemberState` serves both paths (see `matcher.features.replay`): training replays the
community once and reads the state at every query time; serving builds it once up to the
build time, freezes it into arrays and saves it beside the build.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from scipy import sparse

from matcher.domain import INTERACTION_KINDS, NEED, POSITIVE_KINDS, fold_tag
from matcher.errors import BuildError
from matcher.features.decay import EVENT_HALF_LIVES, LOAD_HALF_LIFE, decay
from matcher.features.lexical import term_counts
from matcher.features.ragged import Growing, Ragged
from matcher.features.versions import first_versions
from matcher.geo import fold_places, member_points
from matcher.revisions import MEMBER_FIELDS
from matcher.snapshot import Community

KIND = {kind: i for i, kind in enumerate(INTERACTION_KINDS)}
STATE_FILE = "member_state.joblib"
FORMAT = 4  # 4: the interactions that name each need (`need_events`)
_EPOCH = pd.Timestamp(0, tz="UTC")
_DAY = pd.Timedelta(days=1)


def to_days(times: pd.Series | pd.Timestamp | Sequence) -> np.ndarray | float:
    """UTC times as float days since 1970 (NaN for missing), the state's clock."""
    if isinstance(times, pd.Timestamp):
        return (times.tz_convert("UTC") - _EPOCH) / _DAY
    series = pd.to_datetime(pd.Series(times), utc=True)
    return ((series - _EPOCH) / _DAY).to_numpy(dtype=np.float64, na_value=np.nan)


class MemberState:
    """Members' history up to a time: posts, help given and received, requests, pairs and tags."""

    # Set while replaying a community whose posts or profiles were edited (`edit_post`,
    # `edit_member`); a frozen state holds each post's and member's last version only.
    post_version: np.ndarray | None = None
    _version_vectors: np.ndarray | None = None
    _version_tags: list[list[int]] | None = None
    _version_length: np.ndarray | None = None
    _profiles: dict[str, np.ndarray | list] | None = None

    def __init__(self, community: Community, post_vectors: np.ndarray):
        """`post_vectors`: one row per text of `community.texts()` (the posts', then the
        earlier texts of `post_revisions`). Posts and members start at their first version,
        the one an edit replaced first (`versions.first_versions`); the replay applies each
        edit at its time."""
        members, posts = community.members, community.posts
        post_revisions, member_revisions = community.post_revisions, community.member_revisions
        if len(post_vectors) != len(posts) + len(post_revisions):
            raise ValueError(
                "post_vectors needs one row per post, in the order of posts, then one per"
                " earlier text of a post (post_revisions): Community.texts()"
            )
        n = len(members)
        self.member_ids = members.index.to_numpy(dtype=np.int64)
        self._index: pd.Index | None = None
        profiles = members[list(MEMBER_FIELDS)]
        if len(member_revisions):  # current profiles, then the earlier ones
            profiles = pd.concat([profiles, member_revisions[list(MEMBER_FIELDS)]])
        town, country = fold_places(profiles["town"], profiles["country"])
        latitude, longitude = member_points(
            profiles["town"],
            profiles["country"],
            pd.to_numeric(profiles["latitude"], errors="coerce").to_numpy(np.float64),
            pd.to_numeric(profiles["longitude"], errors="coerce").to_numpy(np.float64),
        )
        capacity = pd.to_numeric(profiles["capacity"], errors="coerce").fillna(1)
        capacity = np.maximum(capacity.to_numpy(np.float64), 1.0)
        self.tag_ids: dict[str, int] = {}
        tags = [self._tag_list(t) for t in profiles["tags"]]
        first = first_versions(
            members.index, member_revisions["member_id"], to_days(member_revisions["replaced_at"])
        )
        self.town, self.country = town[first], country[first]
        self.latitude, self.longitude = latitude[first], longitude[first]
        self.capacity = capacity[first]
        self.member_tags = Ragged.from_lists([tags[v] for v in first])
        if len(member_revisions):
            self._profiles = {
                "town": town,
                "country": country,
                "latitude": latitude,
                "longitude": longitude,
                "capacity": capacity,
                "tags": tags,
            }
        self.joined = np.asarray(to_days(members["joined_at"]), dtype=np.float64)

        # Every post's text as vectors, words and tags; reachable only once the post is added.
        # The words and tags of earlier texts (post_revisions) follow the posts' own.
        self.post_ids = posts.index.to_numpy(dtype=np.int64)
        self.post_terms = term_counts(community.texts())  # the rows of `post_vectors`
        lengths = np.asarray(self.post_terms.sum(axis=1)).ravel()
        tags = [self._tag_list(t) for t in [*posts["tags"], *post_revisions["tags"]]]
        first = first_versions(
            posts.index, post_revisions["post_id"], to_days(post_revisions["replaced_at"])
        )
        if len(post_revisions):
            self.post_version = first.copy()
            self._version_vectors = np.asarray(post_vectors, dtype=np.float32)
            self._version_tags = tags
            self._version_length = lengths
            self.post_vectors = np.ascontiguousarray(self._version_vectors[first])
        else:
            self.post_vectors = np.ascontiguousarray(post_vectors, dtype=np.float32)
        self.post_length = lengths[first]
        self.post_tags = Ragged.from_lists([tags[v] for v in first])
        self.post_member = members.index.get_indexer(posts["member_id"]).astype(np.int64)
        self.post_is_need = (posts["side"] == NEED).to_numpy()
        self.post_time = np.asarray(to_days(posts["created_at"]), dtype=np.float64)
        self._post_added = np.zeros(len(posts), dtype=bool)
        self.edited_posts = Growing()  # the rows of the posts edited so far, in order

        # Corpus statistics of the posts added so far (BM25's idf).
        self.n_docs = 0
        self.doc_freq = np.zeros(self.post_terms.shape[1], dtype=np.int32)
        # Each member's posts and the needs they helped with, as post rows.
        self.offers = Ragged(n)
        self.needs = Ragged(n)
        self.helped = Ragged(n)
        self.helped_clock = Ragged(n)  # the help clock when each of `helped` was first helped
        self.helped_time = Ragged(n, np.float64)  # ... and the time (days), for ages of help
        self.neighbours = Ragged(n)  # the undirected help graph
        self.partners = Ragged(n)  # everyone a member interacted with, either way
        # Every text a member can be matched on: offers and needs helped (post row, member).
        self.helpers_of_need = np.zeros(len(posts), dtype=np.int32)  # by post row
        self.match_rows = Growing()
        self.match_owners = Growing()
        self.offer_length = np.zeros(n)  # each member's offers as one document (BM25)
        self.helped_length = np.zeros(n)  # ... and the needs they helped with
        # Counters per member.
        self.n_helped = np.zeros(n)
        self.n_needs = np.zeros(n)
        self.n_offers = np.zeros(n)
        self.n_accepted = np.zeros(n)
        self.n_declined = np.zeros(n)
        self.n_requests = np.zeros(n)
        self.last_help = np.full(n, np.nan)
        self.last_active = np.full(n, np.nan)
        self.recent_helps = np.zeros((n, len(EVENT_HALF_LIVES)))  # decayed at recent_helps_at
        self.recent_helps_at = np.zeros(n)  # on the help clock
        self.load = np.zeros(n)  # decayed requests received at load_at
        self.load_at = np.zeros(n)
        self.tag_helps = np.zeros(len(self.tag_ids))  # helps given on needs with each tag
        self.total_helps = 0  # the help clock: helps given by anyone so far
        self.pairs: dict[tuple[int, int], np.ndarray] = {}  # (from, to) -> count per kind
        self._pair_keys: np.ndarray | None = None  # frozen: sorted from * n + to
        self._pair_values: np.ndarray | None = None
        # The interactions that name each need (post row): (kind, source, target, time, the
        # help clock before it), which the need's own features leave out (`pairs.left_out`).
        self.need_events: dict[int, list[tuple[str, int, int, float, int]]] = {}
        self._need_helpers: dict[int, list[int]] = {}  # post row -> who helped with it
        self._edges: set[tuple[int, int]] = set()
        self.at = -np.inf  # every event before this time (days) has been added

    def _tag_list(self, tags: object) -> list[int]:
        out = []
        for tag in tags if isinstance(tags, list | tuple | np.ndarray) else []:
            key = fold_tag(tag)
            if key:
                out.append(self.tag_ids.setdefault(key, len(self.tag_ids)))
        return sorted(set(out))

    def positions(self, member_ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """Each member's row in the state, -1 for members it does not know."""
        if self._index is None:
            self._index = pd.Index(self.member_ids)
        return self._index.get_indexer(np.asarray(member_ids, dtype=np.int64))

    def tag_positions(self, tags: Sequence[str]) -> np.ndarray:
        """The known tags among `tags`, as tag ids."""
        keys = {fold_tag(t) for t in tags}
        return np.array(sorted(self.tag_ids[k] for k in keys if k in self.tag_ids), dtype=np.int64)

    def terms(self, rows: np.ndarray) -> sparse.csr_matrix:
        """The word counts of posts `rows` (their texts as of now), one row each."""
        rows = np.asarray(rows, dtype=np.int64)
        return self.post_terms[rows if self.post_version is None else self.post_version[rows]]

    def term_ids(self, row: int) -> np.ndarray:
        """The words of post `row` (as of now), as sorted unique term ids."""
        version = row if self.post_version is None else self.post_version[row]
        start, end = self.post_terms.indptr[version], self.post_terms.indptr[version + 1]
        return np.unique(self.post_terms.indices[start:end]).astype(np.int64)

    def add_post(self, row: int) -> None:
        """Record that post `row` was written (at its creation time)."""
        self._writable()
        member = self.post_member[row]
        self.doc_freq[self.term_ids(row)] += 1
        self.n_docs += 1
        self._post_added[row] = True
        if member < 0:
            return
        if self.post_is_need[row]:
            self.needs.append(member, row)
            self.n_needs[member] += 1
        else:
            self.offers.append(member, row)
            self.match_rows.append(row)
            self.match_owners.append(member)
            self.n_offers[member] += 1
            self.offer_length[member] += self.post_length[row]
        self._touch(member, self.post_time[row])

    def edit_post(self, row: int, version: int) -> None:
        """Record that post `row` was edited to read its text and tags of `version` (see
        `matcher.features.versions`): the corpus, its writer's and its helpers' documents and
        the help counted on its tags follow."""
        self._writable()
        if self.post_version is None:
            raise ValueError("this state was made without the posts' earlier versions")
        old_terms, old_tags = self.term_ids(row), self.post_tags.row(row)
        length = self._version_length[version]
        change = length - self.post_length[row]
        self.post_version[row] = version
        new_tags = np.asarray(self._version_tags[version], dtype=np.int64)
        if self._post_added[row]:
            self.doc_freq[old_terms] -= 1
            self.doc_freq[self.term_ids(row)] += 1
            member = self.post_member[row]
            if member >= 0 and not self.post_is_need[row]:
                self.offer_length[member] += change
            for helper in self._need_helpers.get(row, ()):
                self.helped_length[helper] += change
            self.tag_helps[old_tags] -= self.helpers_of_need[row]
            self.tag_helps[new_tags] += self.helpers_of_need[row]
        self.post_length[row] = length
        self.post_tags.set_row(row, new_tags.tolist())
        self.post_vectors[row] = self._version_vectors[version]
        self.edited_posts.append(row)

    def edit_member(self, member: int, version: int) -> None:
        """Record that the member at position `member` changed their profile to `version`
        (see `matcher.features.versions`): town, country, coordinates, tags, capacity."""
        self._writable()
        if self._profiles is None:
            raise ValueError("this state was made without the members' earlier profiles")
        for name in ("town", "country", "latitude", "longitude", "capacity"):
            getattr(self, name)[member] = self._profiles[name][version]
        self.member_tags.set_row(member, self._profiles["tags"][version])

    def add_interaction(self, kind: str, source: int, target: int, need_row: int, t: float) -> None:
        """Record that member `source` did `kind` to member `target` at time `t` (positions)."""
        self._writable()
        if source < 0 or target < 0:
            return
        counts = self.pairs.get((source, target))
        if counts is None:
            counts = self.pairs[(source, target)] = np.zeros(len(KIND), dtype=np.int32)
            if (target, source) not in self.pairs:
                self.partners.append(source, target)
                self.partners.append(target, source)
        counts[KIND[kind]] += 1
        if need_row >= 0:
            self.need_events.setdefault(need_row, []).append(
                (kind, source, target, t, self.total_helps)
            )
        self._touch(source, t)
        if kind in POSITIVE_KINDS:
            self._add_help(kind, source, target, need_row, t)
        elif kind == "declined":
            self.n_declined[source] += 1
        elif kind == "contacted":
            self.load[target] = self.load[target] * decay(t - self.load_at[target], LOAD_HALF_LIFE)
            self.load[target] += 1
            self.load_at[target] = t
            self.n_requests[target] += 1

    def _add_help(self, kind: str, helper: int, seeker: int, need_row: int, t: float) -> None:
        clock = self.total_helps  # this help's place on the help clock
        if kind == "accepted":
            self.n_accepted[helper] += 1
        else:
            self.n_helped[helper] += 1
            elapsed = clock - self.recent_helps_at[helper]
            self.recent_helps[helper] = (
                self.recent_helps[helper] * decay(elapsed, np.array(EVENT_HALF_LIVES)) + 1
            )
            self.recent_helps_at[helper] = clock
            self.last_help[helper] = t
            self.total_helps += 1
        helpers = self._need_helpers.setdefault(need_row, []) if need_row >= 0 else None
        if helpers is not None and helper not in helpers:
            helpers.append(helper)
            self.helped.append(helper, need_row)
            self.helped_clock.append(helper, clock)
            self.helped_time.append(helper, t)
            self.match_rows.append(need_row)
            self.match_owners.append(helper)
            self.helpers_of_need[need_row] += 1
            self.helped_length[helper] += self.post_length[need_row]
            self.tag_helps[self.post_tags.row(need_row)] += 1
        edge = (min(helper, seeker), max(helper, seeker))
        if helper != seeker and edge not in self._edges:
            self._edges.add(edge)
            self.neighbours.append(helper, seeker)
            self.neighbours.append(seeker, helper)

    def _touch(self, member: int, t: float) -> None:
        if not t <= self.last_active[member]:
            self.last_active[member] = t

    def _writable(self) -> None:
        if self.frozen:
            raise ValueError("a frozen member state is read-only")

    @property
    def frozen(self) -> bool:
        """Whether this state is a read-only snapshot (no more events can be added)."""
        return self._pair_keys is not None

    def pair_counts(self, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """Interactions of each kind that `sources[i]` did to `targets[i]` (positions)."""
        out = np.zeros((len(sources), len(KIND)), dtype=np.int64)
        if not self.frozen:
            for i, key in enumerate(zip(sources.tolist(), targets.tolist(), strict=True)):
                counts = self.pairs.get(key)
                if counts is not None:
                    out[i] = counts
            return out
        wanted = sources.astype(np.int64) * len(self.member_ids) + targets
        at = np.minimum(np.searchsorted(self._pair_keys, wanted), len(self._pair_keys) - 1)
        found = self._pair_keys[at] == wanted if len(self._pair_keys) else np.zeros(0, bool)
        out[found] = self._pair_values[at[found]]
        return out

    def events_of(self, need_row: int) -> list[tuple[str, int, int, float, int]]:
        """The interactions that name the need at post row `need_row`, as `need_events`
        holds them: (kind, source, target, time, the help clock before it)."""
        if need_row < 0:
            return []
        if not self.frozen:
            return self.need_events.get(need_row, [])
        ptr, kinds, sources, targets, times, clocks = self._need_event_arrays
        lo, hi = int(ptr[need_row]), int(ptr[need_row + 1])
        return [
            (INTERACTION_KINDS[k], int(a), int(b), float(t), int(c))
            for k, a, b, t, c in zip(
                kinds[lo:hi],
                sources[lo:hi],
                targets[lo:hi],
                times[lo:hi],
                clocks[lo:hi],
                strict=True,
            )
        ]

    def _need_event_arrays_now(self) -> tuple[np.ndarray, ...]:
        """`need_events` as arrays by post row (CSR): compact to save, quick to load."""
        rows = sorted(self.need_events)
        events = [e for row in rows for e in self.need_events[row]]
        counts = np.zeros(len(self.post_ids), dtype=np.int64)
        counts[rows] = [len(self.need_events[row]) for row in rows]
        ptr = np.concatenate(([0], np.cumsum(counts)))
        return (
            ptr,
            np.array([KIND[e[0]] for e in events], dtype=np.int8),
            np.array([e[1] for e in events], dtype=np.int32),
            np.array([e[2] for e in events], dtype=np.int32),
            np.array([e[3] for e in events], dtype=np.float64),
            np.array([e[4] for e in events], dtype=np.int64),
        )

    def freeze(self) -> MemberState:
        """A read-only copy in compact arrays, for saving beside a build."""
        if self.frozen:
            return self
        out = copy.copy(self)
        for name, value in vars(self).items():
            if isinstance(value, np.ndarray) and not name.startswith(("post_", "_version")):
                setattr(out, name, value.copy())
            elif isinstance(value, Ragged):
                setattr(out, name, value.freeze())
        keys = np.array(list(self.pairs), dtype=np.int64).reshape(-1, 2)
        flat = keys[:, 0] * len(self.member_ids) + keys[:, 1]
        order = np.argsort(flat)
        out._pair_keys = flat[order]
        out._pair_values = np.array(list(self.pairs.values()), dtype=np.int32).reshape(
            -1, len(KIND)
        )[order]
        out.pairs = {}
        out.need_events = {}
        out._need_event_arrays = self._need_event_arrays_now()
        out._need_helpers = {}
        if self.post_version is not None:  # each post's text as of now, the earlier ones gone
            out.post_terms = self.post_terms[self.post_version]
            out.post_vectors = self.post_vectors.copy()
            out.post_length = self.post_length.copy()
            out.post_version = out._version_vectors = None
            out._version_tags = out._version_length = None
        out._profiles = None
        out._edges = set()
        out._index = None
        return out

    def save(self, folder: Path | str) -> Path:
        """Write the frozen state into `folder`; returns the file."""
        path = Path(folder) / STATE_FILE
        joblib.dump({"format": FORMAT, "state": self.freeze()}, path)
        return path

    @classmethod
    def load(cls, folder: Path | str) -> MemberState:
        """The state saved in `folder` by `save`."""
        path = Path(folder) / STATE_FILE
        try:
            saved = joblib.load(path)
        except (OSError, EOFError, ValueError) as exc:
            raise BuildError(f"cannot read the member state {path}: {exc}") from exc
        if not isinstance(saved, dict) or saved.get("format") != FORMAT:
            raise BuildError(f"{path} was written by another version of the matcher")
        return saved["state"]
