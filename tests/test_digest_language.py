"""The weekly email in another language (MATCHER_DIGEST_LOCALE): French words, dates and numbers;
English as it was; every word the email uses in the catalogue; a locale with none refused."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

import matcher
from matcher.config import Settings
from matcher.digest.content import Suggestion
from matcher.digest.render import KINDS, Renderer, to_bytes
from matcher.domain import MEMBER_KINDS
from matcher.errors import ConfigError
from matcher.translation import LOCALE_DIR, catalogues, language
from tests.test_digest_render import NEED, content
from tests.test_digest_support import NOW

FAR = {"type": "far", "km": 5461.2, "town": "Vancouver"}
TEMPLATES = ("digest/templates/digest.html", "digest/templates/digest.txt")
MODULES = ("digest/render.py", "wording.py")  # the Python that puts words in the email


def bodies(settings, digest):
    msg = message_from_bytes(
        to_bytes(Renderer(settings).message(digest, NOW)), policy=policy.default
    )
    return msg, msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()


def far_away():
    kit = Suggestion("kit", "Kit Drums", "session_musician", "Vancouver", "helps_you", False,
                     [NEED, FAR], None)  # fmt: skip
    return content(suggestions=[kit])


def test_a_french_email_says_its_words_dates_and_numbers_in_french(settings):
    msg, text, html = bodies(settings.replace(digest_locale="fr"), far_away())
    assert msg["Subject"] == "1 personne à rencontrer cette semaine (semaine du 23 novembre 2026)"
    assert "Bonjour Hum <b>Band</b>," in text and "Bonjour Hum &lt;b&gt;Band&lt;/b&gt;," in html
    assert "semaine du 23 novembre 2026" in text and '<html lang="fr">' in html
    assert "Pourrait vous aider" in text and "Pourrait vous aider" in html  # the badge
    assert "musicien de studio" in text  # the kind
    # A reason in French, quoting the member's own words as written.
    assert "Vous cherchez «\u00a0a drummer for <gigs> & tours\u00a0»" in text
    assert "ce membre propose «\u00a0drums for gigs\u00a0»." in text
    assert "À environ 5\u202f461 km (Vancouver)." in text  # fr groups with a narrow space
    assert "Se désabonner" in html and "Hi " not in text and "week of" not in html


def test_fr_ca_takes_the_french_catalogue_with_its_own_number_spaces(settings):
    msg, text, html = bodies(settings.replace(digest_locale="fr_CA"), far_away())
    assert msg["Subject"].startswith("1 personne à rencontrer")
    assert "À environ 5\u00a0461 km (Vancouver)." in text and '<html lang="fr-CA">' in html


def test_english_stays_the_default_and_says_what_it_said(settings):
    assert Settings().digest_locale == "en"
    msg, text, html = bodies(settings, far_away())
    assert msg["Subject"] == "1 person to meet this week (week of 23 November 2026)"
    assert "Hi Hum <b>Band</b>," in text and '<html lang="en">' in html
    assert "They are about 5,461 km away (Vancouver)." in text and "Could help you" in html


def test_french_plurals_and_counts(settings):
    helped = [
        NEED,
        {"type": "helped_others", "count": 2},
        {"type": "mutual_connections", "count": 1},
    ]
    kit = Suggestion("kit", "Kit", "band", "Laval", "helps_you", False, helped, None)
    _, text, _ = bodies(settings.replace(digest_locale="fr"), content(suggestions=[kit, kit]))
    assert "2 nouvelles personnes pour vous cette semaine" in text
    assert "Ce membre a déjà aidé 2 membres." in text and "Vous avez 1 relation en commun." in text


def _used_msgids() -> set[str]:
    root = Path(matcher.__file__).parent
    found = set()
    options = {"extensions": "jinja2.ext.i18n", "trim_blocks": "1", "lstrip_blocks": "1"}
    for name in TEMPLATES:
        with (root / name).open("rb") as f:
            found |= {m for _, m, _, _ in extract(babel_extract, f, DEFAULT_KEYWORDS, options)}
    for name in MODULES:
        with (root / name).open("rb") as f:
            found |= {m for _, m, _, _ in extract("python", f, DEFAULT_KEYWORDS)}
    return {m if isinstance(m, str) else m[0] for m in found}


def test_every_word_the_email_uses_is_in_the_french_catalogue():
    used = _used_msgids()
    assert len(used) > 50 and "Hi %(name)s," in used and "Could help you" in used
    with (LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and all(
        m.string if isinstance(m.string, tuple) else [m.string])}  # fmt: skip
    assert sorted(used - translated) == []


def test_every_kind_of_member_is_marked_for_the_catalogue():
    assert set(KINDS) == {kind.replace("_", " ") for kind in MEMBER_KINDS}


@pytest.mark.parametrize("name", ["de", "xx", "fr_XX_nonsense", ""])
def test_a_locale_without_a_catalogue_is_a_configuration_error(name):
    with pytest.raises(ConfigError, match=r"MATCHER_DIGEST_LOCALE.*can be written in: en, fr"):
        Settings.from_env({"MATCHER_DIGEST_LOCALE": name})


def test_the_locales_there_are():
    assert catalogues() == ["en", "fr"]
    assert language("fr-CA").locale == "fr_CA" and language("en_GB").gettext("Hi") == "Hi"


def test_the_french_catalogue_reads_without_complaint(capsys):
    from matcher.translation import _translations

    po = LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po"
    said = _translations(po, "fr").ngettext("%(num)d day ago", "%(num)d days ago", 2)
    assert said == "il y a %(num)d jours"
    assert capsys.readouterr().out == ""  # Babel prints a warning for each malformed entry
