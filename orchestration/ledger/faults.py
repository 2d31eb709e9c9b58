"""Pause points, for the tests of crashes and of changes made while a run reads.

With AI_MARKET_PAUSE_AT=<name> in its environment, a process that reaches pause_point(<name>) writes
its pid to AI_MARKET_PAUSE_FILE and waits there until that file is removed: a test kills it at
exactly that point (between two renames of a publish, say), or changes something (a source file,
after it was hashed) and removes the file to let the run go on. Unset, as in every normal run, it
does nothing."""

import os
import time
from pathlib import Path


def pause_point(name: str) -> None:
    if os.environ.get("AI_MARKET_PAUSE_AT") != name:
        return
    signal = Path(os.environ["AI_MARKET_PAUSE_FILE"])
    signal.write_text(f"{os.getpid()} {name}\n", encoding="utf-8")
    while signal.exists():
        time.sleep(0.05)
