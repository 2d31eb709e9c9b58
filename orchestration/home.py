"""The Dagster instance `ai-market-ledger refresh` records its run in, set up as `make run` sets it
up, so that the command works from a plain shell: DAGSTER_HOME defaults to the project's
.dagster_home, a fresh home gets the project's dagster.yaml, and the writer pool gets its limit."""

import os
import shutil
from pathlib import Path

from . import settings

PROJECT_CONFIG = settings.PROJECT_ROOT / "orchestration" / "dagster.yaml"


def default_dagster_home() -> Path:
    return settings.PROJECT_ROOT / ".dagster_home"


def prepare_dagster_home() -> Path:
    """DAGSTER_HOME (set to the project's .dagster_home when unset), holding a dagster.yaml: the
    project's, copied into a home that has none, and kept equal to it in the project's own home (as
    the Makefile's rule does). A home elsewhere that has its own dagster.yaml is left as it is."""
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(default_dagster_home())))
    config = home / "dagster.yaml"
    own_home = home.resolve() == default_dagster_home().resolve()
    if not config.is_file() or (own_home and config.read_bytes() != PROJECT_CONFIG.read_bytes()):
        home.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PROJECT_CONFIG, config)
    return home


def limit_writer_pool(instance) -> None:  # noqa: ANN001 - a DagsterInstance; dagster is imported by the caller
    """Give the writer pool its limit of one run if the instance has none yet (Dagster creates the
    default limit lazily, after its queue has looked at the first runs: see the Makefile)."""
    storage = instance.event_log_storage
    if settings.WRITER_POOL not in storage.get_concurrency_keys():
        storage.set_concurrency_slots(settings.WRITER_POOL, 1)
