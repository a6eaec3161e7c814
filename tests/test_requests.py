"""The request and decline windows (`matcher.requests`), read from the store alone."""

from __future__ import annotations

from datetime import timedelta

from matcher.domain import DECLINE_DAYS
from matcher.requests import (
    REQUEST_DAYS,
    askers_per_member,
    recent_declines,
    recent_requests,
    requests_received,
)
from tests.factories import T0, add_interaction, add_member


def test_requests_count_for_request_days_and_declines_for_decline_days(sessions):
    hour = timedelta(hours=1)
    with sessions.begin() as s:
        band, kit, ava, mo = (add_member(s, m, "band") for m in ("band", "kit", "ava", "mo"))
        ids = {m.external_id: m.id for m in (band, kit, ava, mo)}
        add_interaction(s, "contacted", band, kit, T0 - timedelta(days=REQUEST_DAYS) + hour)
        add_interaction(s, "contacted", band, kit, T0 - hour)  # the same asker twice
        add_interaction(s, "contacted", ava, kit, T0 - hour)
        add_interaction(s, "contacted", mo, ava, T0 - timedelta(days=REQUEST_DAYS) - hour)
        add_interaction(s, "contacted", mo, band, T0 + hour)  # after `now`: not yet
        add_interaction(s, "declined", kit, band, T0 - timedelta(days=DECLINE_DAYS) + hour)
        add_interaction(s, "declined", ava, mo, T0 - timedelta(days=DECLINE_DAYS) - hour)
        add_interaction(s, "declined", kit, band, T0 - 2 * hour)  # the last: said when
    with sessions() as s:
        asked = recent_requests(s, T0)
        assert asked == {(ids["band"], ids["kit"]), (ids["ava"], ids["kit"])}
        assert requests_received(s, T0) == {ids["kit"]: 2} == askers_per_member(asked)
        assert recent_declines(s, T0) == {(ids["kit"], ids["band"]): T0 - 2 * hour}
