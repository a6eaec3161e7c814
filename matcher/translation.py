"""The language the weekly email is written in: its catalogue of words (a `.po` read at run
time, matcher/locale/), and dates and numbers as its locale writes them (Babel)."""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from matcher.errors import ConfigError

SOURCE = "en"  # the templates' and the code's own words: no catalogue
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"


def N_(message: str) -> str:
    """A message marked for the catalogue, translated where it is used (`Language.gettext`)."""
    return message


@dataclass(frozen=True)
class Language:
    """A locale and its translations, as the email's words, dates and numbers use them."""

    locale: str
    translations: gettext.NullTranslations

    def gettext(self, message: str) -> str:
        """`message` in this language."""
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural of a message for `n`, in this language."""
        return self.translations.ngettext(singular, plural, n)

    def date(self, day: date) -> str:
        """A day as people write it: `30 November 2026`, `30 novembre 2026`."""
        return _date(day, self.locale)

    def whole(self, number: float) -> str:
        """A number rounded to a whole one with the locale's grouping: `5,461`, `5 461`."""
        return _whole(number, self.locale)


# Babel takes ~0.1 ms a call; a week's emails say the same few dates and distances again.
@lru_cache(maxsize=64)
def _date(day: date, locale: str) -> str:
    from babel.dates import format_date

    return format_date(day, "d MMMM y", locale=locale)


@lru_cache(maxsize=4096)
def _whole(number: float, locale: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(number, format="#,##0", locale=locale)


ENGLISH = Language(SOURCE, gettext.NullTranslations())


def catalogues() -> list[str]:
    """The locales the email can be written in: English and those with a catalogue."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return [SOURCE, *found]


def language(name: str) -> Language:
    """The email's language for a locale name (`fr`, `fr_CA`, `fr-CA`): a regional locale
    without its own catalogue takes its language's; none at all is a ConfigError."""
    return _language(name)


@lru_cache(maxsize=8)
def _language(name: str) -> Language:
    from babel import Locale, UnknownLocaleError

    there = ", ".join(catalogues())
    try:
        locale = Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise ConfigError(
            f"setting digest_locale (MATCHER_DIGEST_LOCALE) is {name!r}, which is no locale; "
            f"the email can be written in: {there}"
        ) from None
    tag = str(locale)
    if locale.language == SOURCE:
        return Language(tag, gettext.NullTranslations())
    for candidate in (tag, locale.language):
        po = LOCALE_DIR / candidate / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.is_file():
            return Language(tag, _translations(po, tag))
    raise ConfigError(
        f"setting digest_locale (MATCHER_DIGEST_LOCALE) is {name!r}, which has no catalogue; "
        f"the email can be written in: {there}"
    )


def _translations(po: Path, locale: str) -> gettext.NullTranslations:
    """A `.po` catalogue as translations, compiled in memory (no `.mo` for an install to miss)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    with po.open("rb") as f:
        catalog = read_po(f, locale=locale, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)
