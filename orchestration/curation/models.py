"""dbt's own model SQL, rendered for an in-memory DuckDB, so a check before any run computes the claim
audit with the very statements the warehouse builds it with (one owner of the arithmetic).

dbt itself is slow to start and parse; the models the audit needs use only `ref`, `source`, `config`,
`is_incremental`, the project's plain macros and its cross-engine ones (adapter.dispatch, here always
to their default__ DuckDB versions), which Jinja renders alone."""

from pathlib import Path

import duckdb
import jinja2

from ..settings import DBT_PROJECT_DIR

MODELS = DBT_PROJECT_DIR / "models"
MACROS = DBT_PROJECT_DIR / "macros"


def _macros() -> str:
    texts = [path.read_text(encoding="utf-8") for path in sorted(MACROS.glob("*.sql"))]
    # test macros use dbt's own {% test %} tag; the models never call them
    return "".join(text for text in texts if "{% test" not in text)


def _model_path(name: str) -> Path:
    (path,) = MODELS.rglob(f"{name}.sql")
    return path


class _DuckDBMacros:
    """dbt's `adapter` as far as the models' macros use it: dispatch to a macro's default__ version."""

    module = None

    def dispatch(self, name: str, _namespace: str | None = None):  # noqa: ANN201 - a Jinja macro
        return getattr(self.module, f"default__{name}")


def create_views(con: duckdb.DuckDBPyConnection, *names: str, schema: str = "models") -> list[str]:
    """Create `schema.<name>` for each model named and every model they refer to, as views over the
    raw schema; return their names."""
    con.execute(f"create schema if not exists {schema}")
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, extensions=["jinja2.ext.do"])
    macros = _DuckDBMacros()
    environment.globals.update({"adapter": macros, "return": lambda value: value})
    macros.module = environment.from_string(_macros()).module
    created: set[str] = set()

    def ref(name: str) -> str:
        if name not in created:
            created.add(name)
            render(name)
        return f"{schema}.{name}"

    context = {
        **{name: getattr(macros.module, name) for name in dir(macros.module) if not name.startswith("_")},
        "ref": ref,
        "source": lambda _source, table: f"raw.{table}",
        "config": lambda **_: "",
        "incremental_by_document": lambda _fingerprint: {},
        "is_incremental": lambda: False,
    }

    def render(name: str) -> None:
        sql = environment.from_string(_model_path(name).read_text(encoding="utf-8")).render(context)
        con.execute(f"create or replace view {schema}.{name} as {sql}")

    return [ref(name) for name in names]
