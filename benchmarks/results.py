"""The benchmark's results: medians and ratios of timed rounds, results files merged by size, and
the tables they write into docs/performance.md."""

import statistics
from dataclasses import dataclass
from pathlib import Path

PERFORMANCE_DOC = Path(__file__).resolve().parents[1] / "docs" / "performance.md"
SCENARIOS = ["bare_dbt_build", "raw_sql_floor", "full_pipeline", "noop_rerun", "add_one_document"]


@dataclass(frozen=True)
class Timing:
    seconds: float
    peak_rss_mb: float


RATIOS = (
    ("full_pipeline", "bare_dbt_build"),
    ("full_pipeline", "raw_sql_floor"),
    ("bare_dbt_build", "raw_sql_floor"),
    ("noop_rerun", "full_pipeline"),
    ("add_one_document", "full_pipeline"),
)


def summarise(timings: dict[str, list[Timing]]) -> dict:
    """Medians, peaks and the target ratios of the scenarios measured (a ratio needs both of its own)."""
    scenarios = {
        name: {
            "seconds": [round(t.seconds, 2) for t in runs],
            "median_seconds": round(statistics.median(t.seconds for t in runs), 2),
            "peak_rss_mb": round(max(t.peak_rss_mb for t in runs), 1),
        }
        for name, runs in timings.items()
        if runs
    }
    median = {name: s["median_seconds"] for name, s in scenarios.items()}
    ratios = {f"{a} / {b}": round(median[a] / median[b], 2) for a, b in RATIOS if a in median and b in median}
    return {"scenarios": scenarios, "ratios": ratios}


def table_markers(engine: str) -> tuple[str, str]:
    """Where docs/performance.md holds an engine's table."""
    name = "benchmark" if engine == "duckdb" else f"benchmark-{engine}"
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def merged(previous: dict, results: dict) -> dict:
    """`results` with the sizes of an earlier results file that it did not measure (each keeps its own date)."""
    return {**results, "sizes": {**previous.get("sizes", {}), **results["sizes"]}}


def results_table(results: dict) -> str:
    m = results["machine"]
    engine = m.get("engine", "duckdb")
    start, end = table_markers(engine)
    on_spark = f", on Spark {m['pyspark']} (dbt-spark {m['dbt_spark']}, local master)" if engine == "spark" else ""
    lines = [
        start,
        f"DuckDB {m['duckdb']}, dbt-core {m['dbt_core']}, Dagster {m['dagster']}{on_spark}; "
        "each figure the median of its row's interleaved rounds; — is not measured.",
        "",
        "| corpus | facts | measured | bare dbt build | raw SQL floor | full pipeline | no-op rerun | +1 document "
        "| full / dbt | no-op / full | +1 doc / full | peak RSS (full) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, size in results["sizes"].items():
        s, r = size["scenarios"], size["ratios"]
        seconds = {key: f"{s[key]['median_seconds']} s" if key in s else "—" for key in SCENARIOS}
        ratio = {
            key: str(r.get(key, "—"))
            for key in ("full_pipeline / bare_dbt_build", "noop_rerun / full_pipeline", "add_one_document / full_pipeline")
        }
        rounds = f"{size['repeat']} round{'s' if size['repeat'] != 1 else ''}"
        peak = f"{s['full_pipeline']['peak_rss_mb']:.0f} MB" if "full_pipeline" in s else "—"
        lines.append(
            f"| {name} | {size['facts']:,} | {size['measured_at'][:10]}, {rounds}, {size['cpu']} "
            f"| {seconds['bare_dbt_build']} | {seconds['raw_sql_floor']} "
            f"| {seconds['full_pipeline']} | {seconds['noop_rerun']} | {seconds['add_one_document']} "
            f"| {ratio['full_pipeline / bare_dbt_build']} | {ratio['noop_rerun / full_pipeline']} "
            f"| {ratio['add_one_document / full_pipeline']} | {peak} |"
        )
    lines.append(end)
    return "\n".join(lines)


def write_table(results: dict, document: Path) -> None:
    """Replace the table between the engine's benchmark markers of `document` with these results."""
    start_marker, end_marker = table_markers(results["machine"].get("engine", "duckdb"))
    text = document.read_text(encoding="utf-8")
    start, end = text.index(start_marker), text.index(end_marker) + len(end_marker)
    document.write_text(text[:start] + results_table(results) + text[end:], encoding="utf-8")
