"""The benchmark: in one run, interleaved, for each corpus size, time

1. bare_dbt_build   `dbt build` of the same project on the same raw tables (what a dbt user runs)
2. raw_sql_floor    the same marts computed by DuckDB alone (benchmarks/floor.py)
3. full_pipeline    `ai-market-ledger refresh` (what `make run` runs: the Dagster job, recorded in
                    DAGSTER_HOME): ingest with every rule, dbt build, every gate, publish, report
4. noop_rerun       the same command again with nothing changed (it stops after hashing the sources)
5. add_one_document the full pipeline after one new article

Each round runs 1..5 once per size, so that drift of the machine hits every scenario alike; the
median over rounds is reported with the peak RSS of the command's whole process tree (dagster and
the dbt it starts, say), sampled every 50 ms. Results go to benchmarks/results.json, where they
replace the sizes measured and keep the others, each with its own date, rounds and machine; with
--doc, into the table of docs/performance.md. --scenarios measures some of the five (a 10M-fact
Spark run is hours: `--scenarios full_pipeline`).

A size's corpus and raw tables (work/corpora/<size>) are prepared once, untimed, and shared by
both engines; they are kept while the generator, the real sources and the ingest's code are
unchanged, because at 10M facts generating and ingesting them takes about 15 minutes.

    python -m benchmarks.bench --sizes real,100k,1m --repeat 3 --doc

With --engine spark (make bench BENCH_ENGINE=spark) dbt builds on Spark (pyspark's local master):
1, 3, 4 and 5 run on it, and the floor stays DuckDB's own, so the table reads next to DuckDB's.
"""

import argparse
import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import duckdb

from .corpus import add_one_document, generate
from .results import PERFORMANCE_DOC, SCENARIOS, Timing, merged, results_table, summarise, write_table

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FACTS_PER_DOCUMENT = 100
SIZES = {"real": 0, "10k": 100, "100k": 1_000, "1m": 10_000, "10m": 100_000}  # generated documents of 100 facts
ENGINES = ("duckdb", "spark")
# what a prepared corpus and its raw tables are made by
PREPARED_BY = ("benchmarks/corpus.py", "sources", "orchestration/ledger")


PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def tree_rss_bytes(root: int) -> int:
    """Resident memory of a process and all its descendants, from /proc. (wait4's ru_maxrss would
    be wrong here: a child's high-water mark starts at its parent's RSS when it was forked.)"""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        with contextlib.suppress(OSError):  # the process may have ended since the scan
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_BYTES
        pending += children.get(pid, [])
    return total


def timed(command: list[str], env: dict[str, str], log: Path) -> Timing:
    """Run a command; its wall time, and the peak of its process tree's RSS sampled every 50 ms."""
    peak = 0
    with log.open("a") as out:
        out.write(f"\n$ {' '.join(command)}\n")
        out.flush()
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=out, stderr=subprocess.STDOUT)
        while process.poll() is None:
            peak = max(peak, tree_rss_bytes(process.pid))
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
    if process.returncode != 0:
        raise RuntimeError(f"{command[0]} exited with {process.returncode}; see {log}")
    return Timing(elapsed, peak / 2**20)


def preparation_key(documents: int) -> str:
    """sha256 of what a prepared corpus and its raw tables depend on: their size and the code and files that make them."""
    from orchestration.provenance import digest_files

    files = sorted(
        p for name in PREPARED_BY for p in [PROJECT / name, *(PROJECT / name).rglob("*")] if p.is_file() and "__pycache__" not in p.parts
    )
    return f"{documents}x{FACTS_PER_DOCUMENT}:{digest_files(PROJECT, files)}"


class Size:
    """One corpus size and its working folders."""

    def __init__(self, name: str, work: Path, engine: str = "duckdb"):
        self.name, self.documents, self.engine = name, SIZES[name], engine
        self.facts = 0
        self.root = work / name if engine == "duckdb" else work / engine / name
        self.prepared = work / "corpora" / name
        self.corpus = self.prepared / "corpus"
        self.log = self.root / "commands.log"

    def env(self, **variables: str) -> dict[str, str]:
        home = str(self.root / "dagster_home")
        return {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DAGSTER_HOME": home, "AI_MARKET_ENGINE": self.engine, **variables}

    def prepare(self) -> None:
        """Corpus, raw tables (for dbt and the floor), dbt's compiled manifest; none of it timed."""
        from orchestration.ledger.raw_parquet import write_raw_parquet

        self._prepare_corpus()
        self.facts = json.loads((self.prepared / "prepared.json").read_text())["facts"]
        parquet = self.prepared / "raw" / "spark" / "raw"
        if self.engine == "spark" and not parquet.exists():
            with duckdb.connect(str(self.prepared / "raw" / "ai_market.duckdb"), read_only=True) as con:
                write_raw_parquet(con, parquet.with_name("writing"))
            parquet.with_name("writing").rename(parquet)
        shutil.rmtree(self.root, ignore_errors=True)
        (self.root / "dagster_home").mkdir(parents=True)
        shutil.copy(PROJECT / "orchestration" / "dagster.yaml", self.root / "dagster_home" / "dagster.yaml")
        scratch = self._copy_raw("compile")
        # the floor runs DuckDB's SQL, whatever the engine measured
        dbt = [str(BIN / "dbt"), "compile", "--full-refresh", "--project-dir", "dbt_project", "--profiles-dir", "dbt_project"]
        env = self.env(AI_MARKET_DBT_BUILD_PATH=str(scratch), AI_MARKET_ENGINE="duckdb")
        timed([*dbt, "--target-path", str(self.root / "compiled")], env, self.log)
        shutil.rmtree(scratch.parent)

    def _prepare_corpus(self) -> None:
        """Generate and ingest the corpus, unless the one prepared already was made by the same code."""
        from orchestration.ledger.ingest import ingest

        record, key = self.prepared / "prepared.json", preparation_key(self.documents)
        if record.exists() and json.loads(record.read_text())["key"] == key:
            return
        shutil.rmtree(self.prepared, ignore_errors=True)
        generate(self.corpus, self.documents, FACTS_PER_DOCUMENT)
        raw = self.prepared / "raw" / "ai_market.duckdb"
        raw.parent.mkdir()
        with duckdb.connect(str(raw)) as con:
            facts = ingest(con, self.corpus).facts
        record.write_text(json.dumps({"key": key, "facts": facts}))

    def _copy_raw(self, purpose: str) -> Path:
        # The same file name everywhere: DuckDB names the catalog after it, and compiled SQL uses it.
        target = self.root / purpose / "ai_market.duckdb"
        shutil.rmtree(target.parent, ignore_errors=True)
        target.parent.mkdir(parents=True)
        shutil.copy(self.prepared / "raw" / "ai_market.duckdb", target)
        return target

    def bare_dbt_build(self, round_: int) -> Timing:
        database = self._copy_raw("bare")
        command = [str(BIN / "dbt"), "build", "--project-dir", "dbt_project", "--profiles-dir", "dbt_project", "--quiet"]
        command += ["--target-path", str(self.root / "bare" / "target")]
        if self.engine == "spark":  # a fresh Spark folder holding only the raw Parquet
            shutil.copytree(self.prepared / "raw" / "spark" / "raw", database.parent / "spark" / "raw")
        return timed(
            command, self.env(AI_MARKET_DBT_BUILD_PATH=str(database), AI_MARKET_DBT_SPARK_DIR=str(database.parent / "spark")), self.log
        )

    def raw_sql_floor(self, round_: int) -> Timing:
        database = self._copy_raw("floor")
        command = [sys.executable, "-m", "benchmarks.floor", str(self.root / "compiled" / "manifest.json"), str(database)]
        return timed(command, self.env(), self.log)

    def _pipeline(self, round_: int) -> Timing:
        data = self.root / f"run{round_}"
        env = self.env(AI_MARKET_SOURCES=str(self.root / f"corpus{round_}"), AI_MARKET_DATA_DIR=str(data))
        command = [str(BIN / "ai-market-ledger"), "refresh"]
        return timed(command, env, self.log)

    def full_pipeline(self, round_: int) -> Timing:
        shutil.rmtree(self.root / f"run{round_}", ignore_errors=True)
        shutil.rmtree(self.root / f"corpus{round_}", ignore_errors=True)
        shutil.copytree(self.corpus, self.root / f"corpus{round_}")
        return self._pipeline(round_)

    def noop_rerun(self, round_: int) -> Timing:
        return self._pipeline(round_)

    def add_one_document(self, round_: int) -> Timing:
        add_one_document(self.root / f"corpus{round_}", self.documents + round_, FACTS_PER_DOCUMENT)
        return self._pipeline(round_)


def machine(engine: str) -> dict:
    cpuinfo, meminfo = Path("/proc/cpuinfo").read_text().splitlines(), Path("/proc/meminfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    memory_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "duckdb": version("duckdb"),
        "dbt_core": version("dbt-core"),
        "dagster": version("dagster"),
        "engine": engine,
        **({"pyspark": version("pyspark"), "dbt_spark": version("dbt-spark")} if engine == "spark" else {}),
    }


def run(sizes: list[str], repeat: int, work: Path, engine: str = "duckdb", scenarios: list[str] = SCENARIOS) -> dict:
    if {"noop_rerun", "add_one_document"} & set(scenarios) and "full_pipeline" not in scenarios:
        raise SystemExit("noop_rerun and add_one_document rerun a round's full_pipeline: measure it too")
    prepared = [Size(name, work, engine) for name in sizes]
    for size in prepared:
        size.prepare()
    timings = {size.name: {name: [] for name in scenarios} for size in prepared}
    for round_ in range(repeat):
        for size in prepared:
            for name in scenarios:
                timing = getattr(size, name)(round_)
                timings[size.name][name].append(timing)
                seconds, rss = timing.seconds, timing.peak_rss_mb
                print(f"round {round_ + 1}/{repeat} {size.name:>5} {name:<17} {seconds:7.1f} s {rss:7.0f} MB", flush=True)
    measured_at, on = datetime.now(UTC).isoformat(timespec="seconds"), machine(engine)
    return {
        "measured_at": measured_at,
        "machine": on,
        "sizes": {
            size.name: {
                "generated_documents": size.documents,
                "facts": size.facts,
                "measured_at": measured_at,
                "repeat": repeat,
                "cpu": f"{on['cpu']} ({on['cores']} cores, {on['memory_gib']} GiB)",
                **summarise(timings[size.name]),
            }
            for size in prepared
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the pipeline against bare dbt build and raw DuckDB SQL.")
    parser.add_argument("--sizes", default="real,100k,1m", help=f"comma-separated, of {', '.join(SIZES)}")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=PROJECT / "data" / "bench")
    parser.add_argument("--engine", choices=ENGINES, default="duckdb", help="what dbt builds on (AI_MARKET_ENGINE)")
    parser.add_argument("--scenarios", default="all", help=f"comma-separated, of {', '.join(SCENARIOS)}; default all")
    parser.add_argument("--out", type=Path, help="default: benchmarks/results.json, results_<engine>.json for another engine")
    parser.add_argument("--doc", action="store_true", help="write the table into docs/performance.md")
    arguments = parser.parse_args()
    arguments.out = arguments.out or PROJECT / "benchmarks" / (
        "results.json" if arguments.engine == "duckdb" else f"results_{arguments.engine}.json"
    )
    scenarios = SCENARIOS if arguments.scenarios == "all" else arguments.scenarios.split(",")
    if unknown := set(scenarios) - set(SCENARIOS):
        parser.error(f"unknown scenarios {sorted(unknown)}; choose from {', '.join(SCENARIOS)}")
    results = run(arguments.sizes.split(","), arguments.repeat, arguments.work, arguments.engine, scenarios)
    if arguments.out.exists():
        results = merged(json.loads(arguments.out.read_text(encoding="utf-8")), results)
    arguments.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(results_table(results))
    if arguments.doc:
        write_table(results, PERFORMANCE_DOC)


if __name__ == "__main__":
    main()
