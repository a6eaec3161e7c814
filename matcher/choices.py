"""What to say of a value that is not one of its field's choices: the likely one, and all.

One wording for the import's rows, the API's fields and the command line's options.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

# How close a misspelling must be to a choice to be named ("bnad": band; "drumer": none).
CUTOFF = 0.75


def likely_choice(value: str, choices: Sequence[str]) -> str | None:
    """The choice closest to a misspelt value ("bnad": "band"), or None when none is close."""
    found = difflib.get_close_matches(value, choices, n=1, cutoff=CUTOFF)
    return found[0] if found else None


def unknown_choice(value: str, choices: Sequence[str], *, written: str | None = None) -> str:
    """Why `value` is refused: "unknown value 'bnad'; did you mean 'band'? expected one of
    band, artist, ..." (`written`: the value as given, when `value` is it folded)."""
    likely = likely_choice(value, choices)
    hint = f"did you mean {likely!r}? " if likely else ""
    shown = value if written is None else written
    return f"unknown value {shown!r}; {hint}expected one of {', '.join(choices)}"
