"""What a loaded build costs each API worker: its big arrays are read through memory maps (the
page cache, shared by every worker). How much of each worker's own memory a build takes is a
benchmark's figure (`bench/served_memory.py`), not a test's."""

from __future__ import annotations

import mmap

import numpy as np
import pytest

from matcher.build import build_model
from matcher.domain import NEED, OFFER, fold_tag
from matcher.engine import Matcher
from matcher.index import BuildIndex
from tests.factories import T0, add_member

KINDS = ("band", "session_musician", "engineer", "venue", "producer")
TOWNS = ("Leeds", "Glasgow", "Manchester")
TAGS = ("shoegaze", "drums", "jazz", "mixing", "Post-Punk", "live sound", "folk", "bass")
MEMBERS = 300


@pytest.fixture
def built(sessions, settings, encoder):
    """A community of MEMBERS members with tags, a need and an offer each, built."""
    with sessions.begin() as s:
        for i in range(MEMBERS):
            tags = [TAGS[(i + k) % len(TAGS)] for k in range(3)]
            add_member(
                s,
                f"m{i:04d}",
                KINDS[i % len(KINDS)],
                TOWNS[i % len(TOWNS)],
                needs=[f"looking for {tags[0]} help with our record number {i}"],
                offers=[f"I can do {tags[1]} and {tags[2]} for gigs, session {i}"],
                tags=tags,
            )
    build_model(sessions, encoder, settings, clock=lambda: T0)
    return sessions


def mapped(array: np.ndarray) -> bool:
    """Whether an array's memory is a memory map (its base chain ends in one)."""
    while array is not None:
        if isinstance(array, mmap.mmap):
            return True
        array = getattr(array, "base", None)
    return False


def test_a_loaded_build_reads_its_big_arrays_through_read_only_memory_maps(built, settings):
    index = BuildIndex.load(settings.models_dir)
    big = {
        "vectors": index.vectors,
        "candidate_members": index.candidate_members,
        "candidate_scores": index.candidate_scores,
        "helped_by_needs": index.helped_by_needs,
        "need_rows": index.need_rows,
        "helped_by_indptr": index.helped_by_indptr,
    }
    for name, array in big.items():
        assert mapped(array), f"{name} was read into this process's own memory"
        assert not array.flags.writeable, f"{name} could be written into"
        # A plain ndarray: numpy's memmap subclass adds Python work to every indexing.
        assert type(array) is np.ndarray, name


def test_matches_from_the_memory_mapped_build_are_those_of_one_read_in_whole(
    built, settings, encoder
):
    mapped_index = BuildIndex.load(settings.models_dir)
    whole = BuildIndex.load(settings.models_dir)
    for name in ("vectors", "candidate_members", "candidate_scores", "helped_by_needs"):
        setattr(whole, name, np.array(getattr(whole, name)))  # in this process's memory
        assert not mapped(getattr(whole, name))
    ask = [
        Matcher(i, built, settings, encoder=encoder, clock=lambda: T0)
        for i in (mapped_index, whole)
    ]
    for member in ("m0000", "m0007", "m0123", "m0299"):
        for direction in ("helps_you", "you_help", "both"):
            lists = [
                [
                    (m.member_id, round(m.score, 9))
                    for m in a.for_member(member, direction=direction)
                ]
                for a in ask
            ]
            assert lists[0] == lists[1] and lists[0], (member, direction)


def test_a_members_tags_read_back_from_the_build_are_those_they_listed_and_posted(built, settings):
    index = BuildIndex.load(settings.models_dir)
    row = index.external_row["m0001"]
    listed = {fold_tag(t) for t in index.member_tags[row]}
    assert listed == {"drums", "jazz", "mixing"}
    assert index.tagset(row) == frozenset(listed)
    assert index.tagset(row, NEED) == frozenset(listed)  # its posts have no tags of their own
    assert index.tagset(row, OFFER) == frozenset(listed)
    assert all(isinstance(t, str) for t in index.tagset(row))
