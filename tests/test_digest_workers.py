"""Explaining and rendering in worker processes gives what the main process gives."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from matcher.digest import workers as workers_module
from matcher.digest.content import contents
from matcher.digest.ledger import due
from matcher.digest.render import Renderer, to_bytes
from matcher.digest.workers import Workers
from tests.test_digest_support import NOW, WEEK, add_people, build_matcher, choose


@pytest.mark.slow
def test_worker_processes_explain_and_render_like_the_main_process(
    sessions, settings, encoder, monkeypatch
):
    add_people(sessions)
    matcher = build_matcher(sessions, settings, encoder)
    here = choose(sessions, settings, matcher, dry_run=True)
    monkeypatch.setattr(workers_module, "MIN_ITEMS", 1)
    renderer = Renderer(settings)
    with Workers(settings, 2, renderer) as pool:
        there = choose(sessions, settings, matcher, explainer=pool.explain_for)
        assert pool._pool is not None  # the work really went to other processes
        with sessions() as s:
            recorded = contents(s, [i for i, _ in due(s, WEEK, ["chosen"])])
        rendered = pool.render(list(recorded.values()), NOW)
    assert there.recorded == len(here.people.recipients)
    by_member = {c.member_id: c for c in here.previews}
    for content in recorded.values():
        assert content.suggestions == by_member[content.member_id].suggestions
    for content, data in zip(recorded.values(), rendered, strict=True):
        mine = message_from_bytes(data, policy=policy.default)
        theirs = message_from_bytes(to_bytes(renderer.message(content, NOW)), policy=policy.default)
        assert mine["Message-ID"] == content.message_id
        for kind in ("plain", "html"):
            assert mine.get_body((kind,)).get_content() == theirs.get_body((kind,)).get_content()
