"""Each invariant's one gate (docs/gates.md) refuses a violating input: DuckDB's constraints on the
contracted marts, in the build database and in the published file; dbt's tests of the models' keys; the ingest's rules on the
reference lists; a dbt unit test on a broken derivation; a GX reconciliation on a moved figure.
Real DuckDB files in temp folders, the real dbt project and real GX."""

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.gx_suites import Suite, _exception_message, load_suites, run_suite
from orchestration.ledger import ingest, reading
from orchestration.ledger.violations import SourceValidationError, Violation

from .conftest import MARTS, PROJECT, SOURCES, build_path

DBT = Path(sys.executable).with_name("dbt")


def declared_constraints() -> list[tuple[str, str, str]]:
    """(mart, constraint type, column) for every constraint the marts' contracts declare, as dbt
    parsed them (dbt_project/target/manifest.json); a check's column is its expression."""
    manifest = json.loads((PROJECT / "dbt_project" / "target" / "manifest.json").read_text(encoding="utf-8"))
    declared = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["config"]["schema"] != "marts":
            continue
        for column in node["columns"].values():
            declared += [(node["name"], c["type"], c.get("expression") or column["name"]) for c in column["constraints"]]
        declared += [(node["name"], c["type"], c.get("expression") or ", ".join(c["columns"])) for c in node["constraints"]]
    return sorted(declared)


def enforced_constraints(database: Path) -> list[tuple[str, str, str]]:
    """The same, as DuckDB enforces them in `database` (duckdb_constraints())."""
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select table_name, lower(replace(constraint_type, ' ', '_')), constraint_text, constraint_column_names"
            " from duckdb_constraints() where schema_name = 'marts'"
        ).fetchall()
    found = [(table, kind, text if kind == "check" else ", ".join(columns)) for table, kind, text, columns in rows]
    return sorted(found)


def dbt_results(folder: Path, database: Path, *arguments: str, project: Path = PROJECT / "dbt_project") -> dict[str, str]:
    """Run dbt on `database` (its target and logs in `folder`); returns each node's status by name."""
    env = {**os.environ, "AI_MARKET_DBT_BUILD_PATH": str(database), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    target = folder / "target"
    command = [str(DBT), *arguments, "--project-dir", str(project), "--profiles-dir", str(project)]
    subprocess.run([*command, "--target-path", str(target), "--log-path", str(folder)], env=env, capture_output=True, check=False)
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    # unit_test.<project>.<model>.<name>, test.<project>.<name>.<hash>; hooks are left out
    tests = [r for r in results if r["unique_id"].startswith(("test.", "unit_test."))]
    return {r["unique_id"].split(".")[3 if r["unique_id"].startswith("unit_test.") else 2]: r["status"] for r in tests}


def writable_copy(database: Path, folder: Path) -> Path:
    copy = folder / database.name
    shutil.copyfile(database, copy)
    copy.chmod(0o644)
    return copy


def test_every_constraint_a_mart_contract_declares_is_enforced_in_the_build_and_the_published_file(built):
    _, published = built
    declared = declared_constraints()
    build = enforced_constraints(build_path(published))
    assert Counter(kind for _, kind, _ in declared) == {"not_null": 86, "check": 29}
    assert {mart for mart, _, _ in declared} == set(MARTS)
    assert [c for c in build if c[1] != "check"] == [c for c in declared if c[1] != "check"]
    # DuckDB keeps a check as it parsed it ('(amount_usd > 0)'); each mart has the checks declared
    assert Counter(mart for mart, kind, _ in build if kind == "check") == Counter(mart for mart, kind, _ in declared if kind == "check")
    assert ("funding_by_period", "check", "CHECK(((share_of_whole >= 0) AND (share_of_whole <= 1)))") in build
    assert enforced_constraints(published) == build


def test_a_null_in_a_contracted_column_of_the_published_file_is_refused(built, tmp_path: Path):
    copy = writable_copy(built[1], tmp_path)
    with duckdb.connect(str(copy)) as con:
        con.execute("create temp table row_of_facts as select * from marts.facts limit 1")
        con.execute("update row_of_facts set fact_id = 'd000.new', evidence = null")
        with pytest.raises(duckdb.ConstraintException, match=r"NOT NULL constraint failed: facts\.evidence"):
            con.execute("insert into marts.facts select * from row_of_facts")


def test_a_share_above_one_in_funding_by_period_is_refused_by_its_check(built, tmp_path: Path):
    copy = writable_copy(built[1], tmp_path)
    expression = "CHECK(((share_of_whole >= 0) AND (share_of_whole <= 1)))"
    message = f'CHECK constraint failed on table "funding_by_period" with expression {expression}'
    refused = pytest.raises(duckdb.ConstraintException, match=re.escape(message))
    with duckdb.connect(str(copy)) as con, refused:
        con.execute("update marts.funding_by_period set share_of_whole = 1.5 where share_of_whole is not null")


@pytest.mark.parametrize(
    ("listing", "line", "refused"),
    [
        ("metrics", "funding_amount,", [("metric", "unique_metric", "metric 'funding_amount'")]),
        ("currencies", "KRW,", [("currency_code", "unique_currency", "currency 'KRW'")]),
        ("measures", "genai_vc_deal_value,", [("measure", "unique_measure", "measure 'genai_vc_deal_value'")]),
        ("providers", "pitchbook,", [("data_provider", "unique_data_provider", "provider 'pitchbook'")]),
        (
            "regions",
            "KR,",
            [("region_code", "unique_region", "region 'KR'"), ("region_name", "unique_region_name", "region name 'South Korea'")],
        ),
    ],
)
def test_an_id_listed_twice_in_a_reference_list_fails_the_ingest_with_its_line(tmp_path: Path, listing, line, refused):
    root = tmp_path / "sources"
    shutil.copytree(SOURCES, root)
    path = root / "reference" / f"{listing}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    first = next(text for text in lines if text.startswith(line))
    path.write_text("\n".join([*lines, first]) + "\n", encoding="utf-8")
    with duckdb.connect(str(tmp_path / "ai_market.duckdb")) as con:
        reading.hash_files(con, reading.SourceTree(root))
        with pytest.raises(SourceValidationError) as error:
            ingest.validate(con, reading.SourceTree(root))
    file, row = f"reference/{listing}.csv", len(lines) + 1  # the copy's line: the header is line 1
    assert error.value.violations == [Violation(file, row, field, rule, f"{what} is listed twice") for field, rule, what in refused]


@pytest.mark.slow
def test_a_percentage_normalised_as_a_whole_number_fails_its_dbt_unit_test(built, tmp_path: Path):
    project = tmp_path / "dbt_project"
    shutil.copytree(PROJECT / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs"))
    model = project / "models" / "staging" / "articles" / "stg_articles__facts.sql"
    sql = model.read_text(encoding="utf-8")
    assert sql.count("then value / 100") == 1
    model.write_text(sql.replace("then value / 100", "then value"), encoding="utf-8")
    database = writable_copy(build_path(built[1]), tmp_path)
    results = dbt_results(tmp_path, database, "test", "--select", "stg_articles__facts,test_type:unit", project=project)
    assert results == {
        "stg_facts_value_normalised_in_whole_units_and_percentages_as_fractions": "fail",
        "stg_facts_half_unit_in_the_last_written_place_and_whole_months": "pass",
    }


def test_a_quarter_above_its_year_fails_the_funding_by_period_reconciliation(built, tmp_path: Path):
    (suite,) = [s for s in load_suites(PROJECT / "expectations") if s.name == "funding_by_period"]
    with duckdb.connect(str(built[1]), read_only=True) as con:
        frame = con.sql("select * from marts.funding_by_period").df()
    assert run_suite(suite, frame, tmp_path, "as-published").success
    quarter = (frame["period"] == "2024-Q4") & (frame["scope"] == "generative AI companies")
    assert quarter.sum() == 1
    frame.loc[quarter, "amount_usd"] = 60e9  # more than the year's $56 billion it is part of
    outcome = run_suite(suite, frame, tmp_path, "quarter-above-year")
    assert [(f.expectation, f.column, f.unexpected_count) for f in outcome.failures] == [
        ("expect_column_pair_values_a_to_be_greater_than_b", "whole_amount_usd,amount_usd", 1)
    ]


@pytest.mark.slow
def test_a_fact_twice_a_negative_amount_and_a_second_rate_fail_exactly_their_dbt_tests(built, tmp_path: Path):
    """The models' keys, their arithmetic, and the one rate the audit and the marts share: each
    violation fails its own dbt test and no other."""
    database = writable_copy(build_path(built[1]), tmp_path)
    with duckdb.connect(str(database)) as con:
        (first,) = con.execute("select min(claim_fact_id) from intermediate.int_fx_pairs").fetchone()
        con.execute("insert into intermediate.int_fx_pairs select * from intermediate.int_fx_pairs where claim_fact_id = ?", [first])
        con.execute("update intermediate.int_fx_pairs set base_amount = -1 where claim_fact_id = ?", [first])
        con.execute("update marts.facts set fx_rate = 1400 where fact_id = 'd000.genai_vc_funding_2024_krw'")
        con.execute("insert into marts.facts select * from marts.facts where fact_id = 'd000.databricks_series_j'")
    selected = ["int_fx_pairs,test_type:data", "facts,test_type:data", "assert_claim_audit_and_marts_use_the_same_rate"]
    results = dbt_results(tmp_path, database, "test", "--select", *selected)
    assert sorted(name for name, status in results.items() if status == "fail") == [
        "assert_claim_audit_and_marts_use_the_same_rate",
        "unique_facts_fact_id",
        "unique_int_fx_pairs_claim_fact_id",
        "within_range_int_fx_pairs_base_amount__0",
    ]
    assert len(results) == 14


def suite_named(name: str):
    (suite,) = [s for s in load_suites(PROJECT / "expectations") if s.name == name]
    return suite


def test_a_won_rate_above_its_pairs_interval_fails_the_reconciliation_and_both_pins(built, tmp_path: Path):
    with duckdb.connect(str(built[1]), read_only=True) as con:
        frame = con.sql("select * from marts.fx_rates").df()
    assert run_suite(suite_named("fx_rates"), frame, tmp_path, "as-published").success
    moved = frame.assign(units_per_usd=frame["units_per_usd"] + 1000)  # 2470 won to the dollar
    outcome = run_suite(suite_named("fx_rates"), moved, tmp_path, "moved-rate")
    assert [(f.expectation, f.column, f.unexpected_count) for f in outcome.failures] == [
        ("expect_column_pair_values_a_to_be_greater_than_b", "units_per_usd_high,units_per_usd", 1),
        ("expect_column_values_to_be_between", "units_per_usd", 1),
        ("expect_column_values_to_be_between", "units_per_usd", 1),
    ]


def test_an_empty_mart_fails_its_suites_row_count(built, tmp_path: Path):
    with duckdb.connect(str(built[1]), read_only=True) as con:
        empty = con.sql("select * from marts.sector_performance limit 0").df()
    outcome = run_suite(suite_named("sector_performance"), empty, tmp_path, "empty")
    assert [(f.expectation, f.observed) for f in outcome.failures] == [("expect_table_row_count_to_be_between", "0")]


def test_an_expectation_whose_metric_raises_fails_naming_the_error_not_an_empty_observation(tmp_path: Path):
    # GX files a metric's error under the metric's id; on Spark at 10M facts the gate said "observed {}"
    definition = {
        "name": "metric_error",
        "meta": {"table": "marts.facts"},
        "expectations": [{"type": "expect_column_max_to_be_between", "kwargs": {"column": "value", "max_value": 10}}],
    }
    suite = Suite("metric_error", "marts.facts", "", tmp_path / "metric_error.json", definition)
    outcome = run_suite(suite, pd.DataFrame({"value": ["a", 1.5]}), tmp_path, "metric-error")
    [failure] = outcome.failures
    assert "'>=' not supported between instances of 'str' and 'float'" in failure.observed


def test_a_jvm_error_is_named_by_its_first_line_and_its_last_cause():
    trace = "An error occurred while calling o2000.collectToPython.\n: java.util.concurrent.ExecutionException: Boxed Exception\n"
    trace += "\tat scala.concurrent.impl.Promise$.resolve(Promise.scala:99)\n" * 40
    trace += "Caused by: java.lang.OutOfMemoryError: Java heap space\n"
    info = {"MetricConfigurationID(metric_name='column.distinct_values.missing_from_column')": {"exception_message": trace}}
    assert _exception_message(info) == (
        "An error occurred while calling o2000.collectToPython. Caused by: java.lang.OutOfMemoryError: Java heap space"
    )
