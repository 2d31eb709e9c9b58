"""Each invariant's one gate (docs/gates.md) refuses a violating input: DuckDB's constraints on the
contracted marts, in the build database and in the published file; the ingest's rules on the
reference lists; a dbt unit test on a broken derivation; a GX reconciliation on a moved figure.
Real DuckDB files in temp folders, the real dbt project and real GX."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.gx_suites import load_suites, run_suite
from orchestration.ledger import ingest, reading
from orchestration.ledger.violations import SourceValidationError, Violation

from .conftest import PROJECT, SOURCES, build_path

DBT = Path(sys.executable).with_name("dbt")
MARTS = [
    "claim_audit",
    "country_rankings",
    "documents",
    "facts",
    "figure_comparisons",
    "funding_by_period",
    "funding_deals",
    "fx_rates",
    "indicators",
    "investment_plans",
    "market_size",
    "sector_performance",
]


def declared_constraints() -> set[tuple[str, str, str]]:
    """(mart, constraint type, columns or expression) for every constraint the marts' contracts
    declare, as dbt parsed them (dbt_project/target/manifest.json)."""
    manifest = json.loads((PROJECT / "dbt_project" / "target" / "manifest.json").read_text(encoding="utf-8"))
    declared = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["config"]["schema"] != "marts":
            continue
        for column in node["columns"].values():
            for constraint in column["constraints"]:
                declared.add((node["name"], constraint["type"], constraint.get("expression") or column["name"]))
        for constraint in node["constraints"]:
            declared.add((node["name"], constraint["type"], constraint.get("expression") or ", ".join(constraint["columns"])))
    return declared


def enforced_constraints(database: Path) -> set[tuple[str, str, str]]:
    """The same, as DuckDB enforces them in `database` (duckdb_constraints()). A primary key is
    also listed as not-null constraints on its columns, which are left out here."""
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            """select table_name, constraint_type, constraint_text, constraint_column_names, expression
            from duckdb_constraints() where schema_name = 'marts'"""
        ).fetchall()
        keys = {(table, column) for table, kind, _, columns, _ in rows if kind == "PRIMARY KEY" for column in columns}
    found = set()
    for table, kind, text, columns, expression in rows:
        if kind == "NOT NULL" and (table, columns[0]) in keys:
            continue
        name = kind.lower().replace(" ", "_")
        found.add((table, name, text.removeprefix("CHECK(").removesuffix(")") if kind == "CHECK" else ", ".join(columns)))
    return found


def writable_copy(database: Path, folder: Path) -> Path:
    copy = folder / database.name
    shutil.copyfile(database, copy)
    copy.chmod(0o644)
    return copy


def test_every_constraint_a_mart_contract_declares_is_enforced_in_the_build_and_the_published_file(built):
    _, published = built
    declared = declared_constraints()
    assert len(declared) == 142
    assert {(mart, kind) for mart, kind, _ in declared if kind == "primary_key"} == {
        (mart, "primary_key") for mart in MARTS if mart != "indicators"
    }
    # DuckDB writes a check back with its expression parenthesised; compare them as it stores them.
    with duckdb.connect() as con:
        normalised = {
            (m, k, con.execute(f"select 1 where {e}").description and e) if k != "check" else (m, k, e) for m, k, e in declared
        }
    build = enforced_constraints(build_path(published))
    assert {(m, k, c) for m, k, c in build if k != "check"} == {(m, k, c) for m, k, c in normalised if k != "check"}
    assert len([c for c in build if c[1] == "check"]) == len([c for c in declared if c[1] == "check"]) == 31
    assert enforced_constraints(published) == build


def test_a_null_in_a_contracted_column_of_the_published_file_is_refused(built, tmp_path: Path):
    copy = writable_copy(built[1], tmp_path)
    with duckdb.connect(str(copy)) as con:
        con.execute("create temp table row_of_facts as select * from marts.facts limit 1")
        con.execute("update row_of_facts set fact_id = 'd000.new', evidence = null")
        with pytest.raises(duckdb.ConstraintException, match=r"NOT NULL constraint failed: facts\.evidence"):
            con.execute("insert into marts.facts select * from row_of_facts")


def test_a_second_row_for_a_fact_id_in_the_build_is_refused_by_the_primary_key(built, tmp_path: Path):
    copy = writable_copy(build_path(built[1]), tmp_path)
    with duckdb.connect(str(copy)) as con:
        with pytest.raises(duckdb.ConstraintException, match=r"Duplicate key \"fact_id: d000\.databricks_series_j\""):
            con.execute("insert into marts.facts select * from marts.facts where fact_id = 'd000.databricks_series_j'")
        assert con.execute("select count(*) from marts.facts").fetchone() == (65,)


def test_a_share_above_one_in_funding_by_period_is_refused_by_its_check(built, tmp_path: Path):
    copy = writable_copy(built[1], tmp_path)
    with duckdb.connect(str(copy)) as con:
        with pytest.raises(duckdb.ConstraintException, match=r"CHECK constraint failed on table funding_by_period"):
            con.execute("update marts.funding_by_period set share_of_whole = 1.5 where share_of_whole is not null")


@pytest.mark.parametrize(
    ("listing", "key", "line", "rule"),
    [
        ("metrics", "metric", "funding_amount,", "unique_metric"),
        ("regions", "region_code", "KR,", "unique_region"),
        ("currencies", "currency_code", "KRW,", "unique_currency"),
    ],
)
def test_an_id_listed_twice_in_a_reference_list_fails_the_ingest_with_its_line(tmp_path: Path, listing, key, line, rule):
    root = tmp_path / "sources"
    shutil.copytree(SOURCES, root)
    path = root / "reference" / f"{listing}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    first = next(i for i, text in enumerate(lines) if text.startswith(line))
    path.write_text("\n".join([*lines, lines[first]]) + "\n", encoding="utf-8")
    with duckdb.connect(str(tmp_path / "ai_market.duckdb")) as con:
        reading.hash_files(con, reading.SourceTree(root))
        with pytest.raises(SourceValidationError) as refused:
            ingest.validate(con, reading.SourceTree(root))
    value = lines[first].split(",")[0]
    noun = {"metrics": "metric", "regions": "region", "currencies": "currency"}[listing]
    assert refused.value.violations == [
        Violation(f"reference/{listing}.csv", len(lines) + 1, key, rule, f"{noun} '{value}' is listed twice")
    ]


def test_a_percentage_normalised_as_a_whole_number_fails_its_dbt_unit_test(built, tmp_path: Path):
    project = tmp_path / "dbt_project"
    shutil.copytree(PROJECT / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs"))
    model = project / "models" / "staging" / "articles" / "stg_articles__facts.sql"
    sql = model.read_text(encoding="utf-8")
    assert sql.count("then value / 100") == 1
    model.write_text(sql.replace("then value / 100", "then value"), encoding="utf-8")
    database = writable_copy(build_path(built[1]), tmp_path)
    env = {**os.environ, "AI_MARKET_DBT_BUILD_PATH": str(database), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    command = [str(DBT), "test", "--select", "stg_articles__facts,test_type:unit", "--project-dir", str(project)]
    command += ["--profiles-dir", str(project), "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path)]
    finished = subprocess.run(command, env=env, capture_output=True, text=True)
    assert finished.returncode == 1, finished.stdout
    results = json.loads((tmp_path / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    assert {r["unique_id"].rsplit(".", 1)[1]: r["status"] for r in results} == {
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
