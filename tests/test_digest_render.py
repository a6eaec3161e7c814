"""The weekly email: both bodies, reasons in plain words, consent-aware contact, unsubscribe."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from matcher.digest.content import DigestContent, Suggestion
from matcher.digest.ledger import message_id
from matcher.digest.render import Renderer, contact_href, to_bytes
from matcher.unsubscribe import read_token
from tests.test_digest_support import NOW

NEED = {
    "type": "need_offer",
    "need": {"id": "n1", "quote": "a drummer for <gigs> & tours"},
    "offer": {"id": "o1", "quote": "drums for gigs", "helped_before": False},
    "similarity": 0.71,
}


def content(**changes) -> DigestContent:
    people = [
        Suggestion("kit", "Kit Drums", "session_musician", "Leeds", "helps_you", False,
                   [NEED, {"type": "same_town", "town": "Leeds"}], "kit@drums.example"),
        Suggestion("lab/7", "Lab Records", "label", "Bristol", "you_help", True,
                   [{"type": "mutual"}, {**NEED, "type": "you_could_help"}, NEED,
                    {"type": "shared_tags", "tags": ["shoegaze"]}], None),
    ]  # fmt: skip
    values = {
        "week": "2026-W48",
        "member_id": "hum",
        "name": "Hum <b>Band</b>",
        "email": "hum@example.org",
        "message_id": message_id("hum", "2026-W48", "matches@community.example"),
        "suggestions": people,
    }
    return DigestContent(**{**values, **changes})


def parsed(settings, digest: DigestContent):
    data = to_bytes(Renderer(settings).message(digest, NOW))
    return data, message_from_bytes(data, policy=policy.default)


def test_a_digest_is_one_multipart_message_with_text_and_html(settings):
    data, message = parsed(settings, content())
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Subject"] == "2 people to meet this week (week of 23 November 2026)"
    assert message["From"].addresses[0].display_name == settings.organiser_name
    assert message["To"].addresses[0].addr_spec == "hum@example.org"
    assert message["Date"].datetime == NOW
    assert b"\r\n" in data and max(len(line) for line in data.split(b"\r\n")[12:]) <= 78


def test_reasons_are_in_plain_words_and_escaped_in_html(settings):
    _, message = parsed(settings, content())
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    said = 'You need "a drummer for <gigs> & tours"; they offer "drums for gigs".'
    assert said in text
    assert (
        said.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
        in html
    )
    assert "<gigs>" not in html and "<b>Band</b>" not in html
    assert "You are both in Leeds." in text and "Tags in common: shoegaze." in html
    assert "You could help each other" in text  # the mutual match is flagged
    assert "<img" not in html and "<style" not in html  # inline CSS, nothing to download


def test_each_other_is_said_only_where_the_email_quotes_both_ways(settings):
    they_need = {"type": "they_need", "need": {"id": "n9", "quote": "a photographer"}}
    sam = Suggestion("sam", "Sam", "studio", "Leeds", "helps_you", True,
                     [{"type": "mutual"}, NEED, they_need], None)  # fmt: skip
    _, message = parsed(settings, content(suggestions=[sam]))
    text = message.get_body(("plain",)).get_content()
    assert "each other" not in text and "Could help you" in text
    assert 'They need "a photographer"' in text  # still shown, for the reader to judge


def test_contact_only_where_shared_otherwise_the_introduce_link(settings):
    _, message = parsed(settings, content())
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Reach them: kit@drums.example" in text
    assert 'href="mailto:kit@drums.example"' in html
    introduce = "http://127.0.0.1:8000/members/lab%2F7/introduce"
    assert f"Introduce yourself: {introduce}" in text and f'href="{introduce}"' in html
    assert "members/kit/introduce" not in text


def test_contact_links_are_only_mail_or_web_addresses():
    assert contact_href("https://kit.example/drums") == "https://kit.example/drums"
    assert contact_href("kit@drums.example") == "mailto:kit@drums.example"
    assert contact_href("javascript:alert(1)") is None
    assert contact_href("07700 900123") is None
    assert contact_href("@the_copper_cinder") is None  # a handle, not an address
    assert contact_href("a@b.org,c@d.org") is None
    assert contact_href(None) is None


def test_unsubscribe_link_and_headers_carry_a_signed_token_for_the_member(settings):
    _, message = parsed(settings, content())
    header = message["List-Unsubscribe"]
    assert header.startswith("<") and header.endswith(">")
    token = header[1:-1].split("token=")[1]
    assert read_token(settings.secret_key, token) == "hum"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert header[1:-1] == f"http://127.0.0.1:8000/v1/unsubscribe?token={token}"  # POSTed to
    # The email's own link opens the page that asks first, with the same token.
    assert (
        f"http://127.0.0.1:8000/unsubscribe?token={token}"
        in message.get_body(("plain",)).get_content()
    )
    assert "Unsubscribe</a>" in message.get_body(("html",)).get_content()


def test_the_footer_names_the_organiser_and_their_address(settings):
    ours = settings.replace(organiser_name="Leeds DIY Collective", organiser_address="2 Mill St")
    _, message = parsed(ours, content())
    for kind in ("plain", "html"):
        body = message.get_body((kind,)).get_content()
        assert "Leeds DIY Collective" in body and "2 Mill St" in body


def test_the_message_id_is_stable_per_member_and_week(settings):
    one = message_id("hum", "2026-W48", "matches@community.example")
    assert one == message_id("hum", "2026-W48", "matches@community.example")
    assert one != message_id("hum", "2026-W49", "matches@community.example")
    assert one != message_id("kit", "2026-W48", "matches@community.example")
    assert one.startswith("<") and one.endswith("@community.example>")
    _, message = parsed(settings, content())
    assert message["Message-ID"] == one


def test_names_beyond_ascii_survive(settings):
    _, message = parsed(settings, content(name="Siobhán Ní Bhriain"))
    assert str(message["To"]) == "Siobhán Ní Bhriain <hum@example.org>"
    assert "Hi Siobhán Ní Bhriain," in message.get_body(("plain",)).get_content()


def test_without_a_secret_key_there_is_no_unsubscribe_link(settings):
    from matcher.errors import ConfigError

    with pytest.raises(ConfigError, match="SECRET_KEY"):
        Renderer(settings.replace(secret_key="")).message(content(), NOW)


def test_the_first_line_says_who_could_help_whom_as_the_matches_do():
    from matcher.digest.render import intro

    kit, lab = content().suggestions  # kit could help you; lab: you could help each other
    one_way = Suggestion("vee", "Vee", "venue", "Leeds", "you_help", False, [NEED], None)
    assert intro([kit, lab]).endswith("some could help you, and some you could help.")
    assert intro([kit]).endswith("they could help you.")
    assert intro([one_way]).endswith("you could help them.")
    assert intro([lab]).endswith("you could help each other.")
    # Mutual by the scores, but no quote of how the reader could help them: said one way.
    unsaid = Suggestion("sam", "Sam", "studio", "Leeds", "helps_you", True,
                        [{"type": "mutual"}, NEED, {"type": "they_need", "need": {"id": "n9",
                         "quote": "a photographer"}}], None)  # fmt: skip
    assert intro([unsaid]).endswith("they could help you.")
    # One person is one member, not "members" (found by a new user reading such an email).
    assert intro([kit]).startswith("Here is a member of the community ")
    assert intro([kit, lab]).startswith("Here are members of the community ")


@pytest.mark.parametrize(
    ("name", "hello"),
    [
        ("The Secret Ghosts", "Hi Secret Ghosts,"),
        ("Theo Lane", "Hi Theo Lane,"),
        ("The", "Hi The,"),
    ],
)
def test_a_band_is_greeted_without_its_the(settings, name, hello):
    """ "Hi The Secret Ghosts," read oddly in 18 of a demo's emails (a reviewer)."""
    _, message = parsed(settings, content(name=name))
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert hello in text and f">{hello}<" in html


ACOUSTIC = {"need": {"id": "n7", "quote": "Somewhere to play acoustic sets"}}


def test_each_match_says_which_of_the_readers_posts_it_is_for(settings):
    """Maya was told Kit Shaw "Could help you: They offer 'Lead guitar...'", and not which of
    her needs that was for (a new user's 40-member community)."""
    they_offer = {
        "type": "they_offer",
        "offer": {"id": "o4", "quote": "Lead guitar for gigs", "helped_before": False},
    }
    kit = Suggestion("kit", "Kit Shaw", "session_musician", "Leeds", "helps_you", False,
                     [they_offer], None, ACOUSTIC)  # fmt: skip
    _, message = parsed(settings, content(suggestions=[kit]))
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert 'For your need: "Somewhere to play acoustic sets"' in text
    assert "For your need: &#34;Somewhere to play acoustic sets&#34;" in html
    assert text.index("For your need") < text.index("They offer")
    # One the reader could help: which of their offers it is for.
    amp = {"offer": {"id": "o2", "quote": "Mixing <demos>", "helped_before": False}}
    they_need = {"type": "they_need", "need": {"id": "n9", "quote": "a mix"}}
    vee = Suggestion("vee", "Vee", "venue", "Leeds", "you_help", False, [they_need], None, amp)
    _, message = parsed(settings, content(suggestions=[vee]))
    assert 'For your offer: "Mixing <demos>"' in message.get_body(("plain",)).get_content()
    assert (
        "For your offer: &#34;Mixing &lt;demos&gt;&#34;"
        in message.get_body(("html",)).get_content()
    )


def test_the_post_a_match_is_for_is_not_said_again_where_its_reason_quotes_it(settings):
    kit = Suggestion("kit", "Kit", "session_musician", "Leeds", "helps_you", False,
                     [NEED], None, {"need": NEED["need"]})  # fmt: skip
    yours = {**NEED, "type": "you_could_help"}
    lab = Suggestion("lab", "Lab", "label", "Leeds", "you_help", False,
                     [yours], None, {"offer": NEED["offer"]})  # fmt: skip
    # Another of the reader's needs than the one its first reason quotes: said.
    other = Suggestion("sam", "Sam", "studio", "Leeds", "helps_you", False,
                       [NEED], None, ACOUSTIC)  # fmt: skip
    _, message = parsed(settings, content(suggestions=[kit, lab, other]))
    text = message.get_body(("plain",)).get_content()
    assert 'For your need: "a drummer' not in text and "For your offer" not in text
    assert text.count("For your ") == 1 and 'For your need: "Somewhere to play' in text


def test_a_week_recorded_without_the_posts_answered_still_renders(settings):
    """The ledger of a week chosen before it kept `answers` holds reasons alone: a re-run or a
    resend of that week renders as it did."""
    _, message = parsed(settings, content())
    text = message.get_body(("plain",)).get_content()
    assert "For your " not in text and 'You need "a drummer for <gigs> & tours"' in text


def test_a_reader_of_miles_reads_distances_in_miles(settings):
    # A member in the US read "They are about 13 km away (Vancouver, WA)."
    near = {"type": "nearby", "km": 13.1, "town": "Vancouver, WA"}
    kit = Suggestion("kit", "Kit", "session_musician", "Vancouver, WA", "helps_you", False,
                     [NEED, near], None)  # fmt: skip
    for miles, said in ((True, "about 8 miles away"), (False, "about 13 km away")):
        _, message = parsed(settings, content(suggestions=[kit], miles=miles))
        for kind in ("plain", "html"):
            assert said in message.get_body((kind,)).get_content()
