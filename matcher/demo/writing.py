"""Writing posts the way members would: templates with choices, a voice, a tone, the odd typo."""

from __future__ import annotations

import re
from datetime import datetime

import numpy as np

from matcher.demo import phrases_common as common
from matcher.demo.names import pick
from matcher.demo.phrases_live import PHRASES as LIVE
from matcher.demo.phrases_media import PHRASES as MEDIA
from matcher.demo.phrases_players import PHRASES as PLAYERS
from matcher.demo.phrases_studio import PHRASES as STUDIO
from matcher.demo.services import SERVICES
from matcher.demo.slots import Author, Slots

PHRASES = {**PLAYERS, **LIVE, **STUDIO, **MEDIA}
# Nobody pays for these, so posts about them never talk money.
UNPAID_NEEDS = frozenset({"gig", "new_music", "clients", "release", "management", "songwriting"})
UNPAID_OFFERS = frozenset(
    {"live_act", "new_music", "street_team", "accommodation", "referrals", "airplay", "release"}
    | {"management", "gig", "booking"}
)

_CHOICE = re.compile(r"<([^<>\[\]]*)>")
_OPTION = re.compile(r"\[([^<>\[\]]*)\]")
_NEW_SENTENCE = re.compile(r"([.!?] )([a-z])")
_A_AN = re.compile(r"\b([Aa]) (?=[aeiouAEIOU](?!ne\b|ni|se|sb|u))")
_CHATTY_WORDS = (
    (r"\bplease\b", "pls"),
    (r"\bthanks\b", "thx"),
    (r"\bwith\b", "w/"),
    (r"\bgoing to\b", "gonna"),
    (r"\bwant to\b", "wanna"),
    (r"\bbecause\b", "cos"),
    (r"\byou\b", "u"),
    (r"\bprobably\b", "prob"),
    (r"\bsomething\b", "smth"),
)
_MISSPELLINGS = {
    "definitely": "definately",
    "separate": "seperate",
    "really": "realy",
    "probably": "probly",
    "interested": "intrested",
    "available": "availible",
    "experience": "experiance",
    "beginner": "begginer",
    "their": "there",
    "until": "untill",
    "weird": "wierd",
    "tomorrow": "tommorow",
    "across": "accross",
}
# Words that carry a post's meaning are never misspelt (a test checks texts by them).
_KEY_STEMS = re.compile(
    r"drum|percussion|bass|guitar|steel|banjo|mandolin|key|synth|piano|organ|sing"
    r"|vocal|violin|cell|fiddle|viola|string|horn|trumpet|sax|trombone|brass|gig|show"
    r"|slot|stage|play|night|book|mic|support|act|band|artist|perform|set|headlin"
    r"|venue|room|space|hire|hall|promo|tour|sound|desk|foh|engineer|monitor|front"
    r"|rehears|practi|jam|record|studio|track|produc|beat|mix|master|writ|song|lyric"
    r"|lesson|teach|learn|tutor|student|photo|shoot|shot|pic|portrait|video|film|doc"
    r"|session|design|art|poster|logo|cover|merch|flyer|website|illustrat|review|press"
    r"|feature|blog|interview|zine|roundup|radio|air|spin|music|demo|submi|releas"
    r"|single|album|street|spread|hype|volunteer|share|label|vinyl|tape|cassette|manag"
    r"|client|work|refer|recommend|diary|calendar|project|connect|introduc|send|pass"
    r"|floor|sofa|couch|crash|stay|sleep|accommodation|host|van|backline|lift"
    r"|transport|transit|driv|kit|amp|car|open|house",
    re.IGNORECASE,
)


def expand(template: str, slots: Slots, rng: np.random.Generator) -> str:
    """Resolve `<a|b>` choices and `[optional]` parts, then fill `{slots}`."""
    text = template
    while True:
        m = _CHOICE.search(text)
        if m:
            text = text[: m.start()] + pick(rng, m.group(1).split("|")) + text[m.end() :]
            continue
        m = _OPTION.search(text)
        if m:
            keep = rng.random() < 0.5
            text = text[: m.start()] + (m.group(1) if keep else "") + text[m.end() :]
            continue
        break
    return text.format_map(slots)


def write_post(
    author: Author,
    side: str,
    service: str,
    rng: np.random.Generator,
    *,
    place: str | None = None,
    instrument: str | None = None,
    created: datetime | None = None,
) -> str:
    """The text of a need or offer for `service`, in the author's voice and tone."""
    block = PHRASES[service][side]
    slots = Slots(author, rng, service=service, place=place, instrument=instrument, created=created)
    tone = author.tone
    if rng.random() < {"formal": 0.04, "plain": 0.12, "chatty": 0.25}[tone]:
        parts = [expand(pick(rng, block["short"]), slots, rng)]
        if rng.random() < 0.3:
            parts.append(expand(pick(rng, block["extra"]), slots, rng))
    else:
        parts = _body(author, side, service, block, slots, rng)
    text = " ".join(tidy_sentence(p) for p in parts)
    if rng.random() < {"formal": 0.5, "plain": 0.3, "chatty": 0.5}[tone]:
        text = _join(_opening(author, rng), text)
    if rng.random() < {"formal": 0.6, "plain": 0.4, "chatty": 0.5}[tone]:
        text = _join(tidy_sentence(text), expand(pick(rng, common.CLOSINGS[tone]), slots, rng))
    if tone == "chatty":
        text = _chatty(text, rng)
    return _typos(text, rng, {"formal": 0.04, "plain": 0.1, "chatty": 0.22}[tone])


def _body(author, side, service, block, slots, rng) -> list[str]:
    """The core sentence and a few clauses about sound, place, time, money and details."""
    remote = SERVICES[service].reach_km is None
    pools: list[tuple[str, ...]] = [block["extra"], common.SOUND[_group(author)]]
    if side == "need":
        pools += [common.NEED_PLACE, common.WHEN]
        pools += [] if service in UNPAID_NEEDS else [common.NEED_PAY]
    else:
        pools += [common.REMOTE_OFFER if remote else common.OFFER_PLACE]
        pools += [] if service in UNPAID_OFFERS else [common.OFFER_PAY]
    n_clauses = int(rng.choice(5, p=[0.2, 0.3, 0.27, 0.15, 0.08]))
    picks = [int(i) for i in rng.permutation(len(pools))[:n_clauses]]
    n_extra = (0 in picks) + (0 in picks and rng.random() < 0.3)
    templates = [pick(rng, pools[i]) for i in picks if i != 0]
    templates += [block["extra"][j] for j in rng.permutation(len(block["extra"]))[:n_extra]]
    clauses = [expand(templates[k], slots, rng) for k in rng.permutation(len(templates))]
    core = expand(pick(rng, block["core"]), slots, rng)
    at = 1 if clauses and rng.random() < 0.25 else 0
    return [*clauses[:at], core, *clauses[at:]]


def _group(author: Author) -> str:
    if author.kind in ("band", "artist"):
        return "act"
    if author.voice == "we":
        return "org"
    return "person"


def _opening(author: Author, rng: np.random.Generator) -> str:
    pool = common.OPENINGS[author.tone]
    if author.tone != "formal" and rng.random() < 0.35:
        key = "Scotland" if author.region == "Scotland" else author.country
        pool = common.REGIONAL_OPENINGS[key]
    return pick(rng, pool)


def _join(first: str, second: str) -> str:
    return f"{first}\n{second}" if first.endswith(",") else f"{first} {second}"


def tidy_sentence(part: str) -> str:
    """Tidy spacing and articles, capitalise, and end with punctuation."""
    part = re.sub(r"[ \t]+", " ", part).strip()
    part = re.sub(r" +([,.?!)])", r"\1", part)
    part = _A_AN.sub(r"\1n ", part)
    if part[-1:].isalnum():
        part += "."
    part = _NEW_SENTENCE.sub(lambda m: m.group(1) + m.group(2).upper(), part)
    return part[:1].upper() + part[1:] if part[:1].islower() else part


def _chatty(text: str, rng: np.random.Generator) -> str:
    for pattern, short in _CHATTY_WORDS:
        if rng.random() < 0.4:
            text = re.sub(pattern, short, text, flags=re.IGNORECASE)
    if rng.random() < 0.35:
        text = text.lower()
    if rng.random() < 0.3:
        text = text.rstrip(".")
    if rng.random() < 0.2:
        text = text.replace("!", "!!")
    return text


def _typos(text: str, rng: np.random.Generator, rate: float) -> str:
    n = int(rng.random() < rate) + int(rng.random() < rate / 4)
    for _ in range(n):
        words = text.split(" ")
        spots = [
            i
            for i, w in enumerate(words)
            if len(w) >= 4 and w.isalpha() and w.islower() and not _KEY_STEMS.search(w)
        ]
        if not spots:
            break
        i = int(pick(rng, spots))
        words[i] = _misspell(words[i], rng)
        text = " ".join(words)
    return text


def _misspell(word: str, rng: np.random.Generator) -> str:
    if word in _MISSPELLINGS:
        return _MISSPELLINGS[word]
    j = int(rng.integers(1, len(word) - 1))
    how = int(rng.integers(3))
    if how == 0:  # swap two letters
        return word[: j - 1] + word[j] + word[j - 1] + word[j + 1 :]
    if how == 1:  # drop a letter
        return word[:j] + word[j + 1 :]
    return word[:j] + word[j] + word[j:]  # double a letter
