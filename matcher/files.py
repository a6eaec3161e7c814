"""Files that hold members' data: written whole or not at all, readable by their owner only."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO


def write_private(target: Path, write: Callable[[IO[str]], object]) -> None:
    """Write `target` through `write(handle)`: a reader never sees half a file, and the file
    is the owner's alone (0600, as `mkstemp` makes it), whatever the umask."""
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            write(handle)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
