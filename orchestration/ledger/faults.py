"""Crash points, for the kill -9 tests only.

With AI_MARKET_PAUSE_AT=<name> in its environment, a process that reaches pause_point(<name>) writes
its pid to AI_MARKET_PAUSE_FILE and sleeps there, so that a test can kill it at exactly that point
(between two renames of a publish, say). Unset, as in every normal run, it does nothing."""

import os
import time
from pathlib import Path


def pause_point(name: str) -> None:
    if os.environ.get("AI_MARKET_PAUSE_AT") != name:
        return
    Path(os.environ["AI_MARKET_PAUSE_FILE"]).write_text(f"{os.getpid()} {name}\n", encoding="utf-8")
    while True:
        time.sleep(3600)
