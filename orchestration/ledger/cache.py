"""Results that depend only on this Python build and its libraries, kept between processes (under
XDG_CACHE_HOME, else ~/.cache) so that a check of a few documents does not spend most of its time
recomputing them. A missing, unreadable or unwritable cache only costs the computation."""

import hashlib
import os
import sys
from collections.abc import Callable
from pathlib import Path

FOLDER = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ai-market-ledger"


def remembered(kind: str, key: object, compute: Callable[[], str]) -> str:
    """compute(), or what it gave before for the same `kind` and `key` under this Python."""
    digest = hashlib.sha256(repr((sys.version, sys.maxunicode, key)).encode()).hexdigest()[:24]
    path = FOLDER / f"{kind}-{digest}"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    value = compute()
    try:
        FOLDER.mkdir(parents=True, exist_ok=True)
        written = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        written.write_text(value, encoding="utf-8")
        written.replace(path)
    except OSError:
        pass
    return value
