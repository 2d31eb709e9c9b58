"""Charts of the published warehouse: the series each chart shows (plain data, also written as JSON
so that what a picture shows can be checked), the PNGs drawn from them, and an HTML page."""

import html
import json
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    caption: str
    data: dict


MAX_BARS = 30  # a readable picture; with thousands of documents the chart shows the largest totals


def funding_by_period(con: duckdb.DuckDBPyConnection) -> Chart:
    # a period may state only a deal count: it has no amount to draw
    (total,) = con.execute("select count(*) from marts.funding_by_period where amount_usd is not null").fetchone()
    rows = con.execute(
        f"""select label, usd_billion from (
            select scope, region, period, document_id, scope || ' · ' || region || ' · ' || period as label,
                amount_usd / 1e9 as usd_billion
            from marts.funding_by_period where amount_usd is not null order by amount_usd desc, label, document_id limit {MAX_BARS}
        ) order by scope, region, period, document_id"""
    ).fetchall()
    shown = "Each bar" if total <= MAX_BARS else f"The {MAX_BARS} largest of {total:,} totals; each bar"
    return Chart(
        "funding_by_period",
        "Funding by period (USD billion)",
        f"{shown} is one funding total a document states, by the population funded, region and period "
        "(periods with a deal count and no amount have none).",
        {"bars": [{"label": label, "usd_billion": value} for label, value in rows]},
    )


def market_size(con: duckdb.DuckDBPyConnection) -> Chart:
    rows = con.execute("select market, currency, year, value / 1e9, is_projection from marts.market_size order by market, year").fetchall()
    series: dict[str, dict] = {}
    for market, currency, year, value, projected in rows:
        entry = series.setdefault(market, {"market": market, "currency": currency, "points": []})
        entry["points"].append({"year": year, "billion": value, "projected": projected})
    return Chart(
        "market_size",
        "Market size series (billion, in the document's currency)",
        "Solid points are reported sizes; hollow points on dashed lines are projections.",
        {"series": list(series.values())},
    )


def country_rankings(con: duckdb.DuckDBPyConnection) -> Chart:
    rows = con.execute(
        """select metric, subject, rank, rank_qualifier from marts.country_rankings
        where rank is not null order by metric, rank, subject"""
    ).fetchall()
    rankings: dict[str, list] = {}
    for metric, subject, rank, qualifier in rows:
        rankings.setdefault(metric, []).append({"subject": subject, "rank": rank, "qualifier": qualifier})
    return Chart(
        "country_rankings",
        "Rankings (1 = first)",
        "Filled: the rank is stated. ▽ at most (the text only says 'top N'); △ at least (only 'ahead of').",
        {"rankings": [{"metric": metric, "entries": entries} for metric, entries in rankings.items()]},
    )


def claim_audit(con: duckdb.DuckDBPyConnection) -> Chart:
    rows = con.execute(
        """select claim_fact_id, derivation, stated_value, recomputed_value, status
        from marts.claim_audit order by status, claim_fact_id"""
    ).fetchall()
    return Chart(
        "claim_audit",
        "Claim audit: stated against recomputed",
        "Each point is a derived claim (growth, share, multiple, currency equivalent); on the diagonal the "
        "document's arithmetic holds. Unverifiable claims have no recomputed value and are listed below.",
        {
            "claims": [
                {"claim": claim, "derivation": derivation, "stated": stated, "recomputed": recomputed, "status": status}
                for claim, derivation, stated, recomputed, status in rows
            ]
        },
    )


CHARTS = (funding_by_period, market_size, country_rankings, claim_audit)


def collect(con: duckdb.DuckDBPyConnection) -> list[Chart]:
    return [make(con) for make in CHARTS]


def _draw_funding_by_period(plt, data: dict):
    bars = [b for b in data["bars"] if b["usd_billion"] is not None]
    figure, ax = plt.subplots(figsize=(9, 0.5 * len(bars) + 1.5))
    # one position per bar: labels are not unique (two documents may state the same scope, region
    # and period), and bars placed by label would share a row and part from their value labels
    positions = range(len(bars))
    ax.barh(positions, [b["usd_billion"] for b in bars], color=BLUE)
    ax.set_yticks(positions, [b["label"] for b in bars])
    for position, bar in zip(positions, bars, strict=True):
        ax.text(bar["usd_billion"], position, f" {bar['usd_billion']:g}", va="center")
    ax.invert_yaxis()
    ax.set_xlabel("USD billion")
    return figure


def _nothing_stated(plt):
    """A valid source tree may state no figure of a chart's kind: the chart says so."""
    figure, ax = plt.subplots(figsize=(6, 1.5))
    ax.text(0.5, 0.5, "no figures of this kind are stated", ha="center", va="center")
    ax.set_axis_off()
    return figure


def _draw_market_size(plt, data: dict):
    series = data["series"]
    if not series:
        return _nothing_stated(plt)
    figure, axes = plt.subplots(1, len(series), figsize=(4.5 * len(series), 4), squeeze=False)
    for ax, entry in zip(axes[0], series, strict=True):
        points = entry["points"]
        ax.plot([p["year"] for p in points], [p["billion"] for p in points], color=BLUE, linestyle="--")
        for point in points:
            ax.plot(point["year"], point["billion"], "o", color=BLUE, fillstyle="none" if point["projected"] else "full")
        ax.set_title(entry["market"], fontsize=10)
        ax.set_ylabel(f"{entry['currency']} billion")
        ax.set_xticks([p["year"] for p in points])
        ax.set_ylim(0, 1.1 * max(p["billion"] for p in points))
    return figure


def _draw_country_rankings(plt, data: dict):
    rankings = data["rankings"]
    if not rankings:
        return _nothing_stated(plt)
    figure, axes = plt.subplots(1, len(rankings), figsize=(4 * len(rankings), 4), squeeze=False)
    markers = {"exact": "o", "at_most": "v", "at_least": "^"}
    for ax, ranking in zip(axes[0], rankings, strict=True):
        entries = ranking["entries"]
        for index, entry in enumerate(entries):
            ax.plot(index, entry["rank"], markers.get(entry["qualifier"], "o"), color=BLUE, markersize=9)
        ax.set_xticks(range(len(entries)), [e["subject"] for e in entries], rotation=40, ha="right")
        ax.set_yticks(range(1, max(e["rank"] for e in entries) + 1))
        ax.invert_yaxis()
        ax.set_title(ranking["metric"].replace("_", " "), fontsize=10)
        ax.set_ylabel("rank")
    return figure


def _draw_claim_audit(plt, data: dict):
    claims = [c for c in data["claims"] if c["recomputed"] is not None]
    if not claims:
        return _nothing_stated(plt)
    figure, ax = plt.subplots(figsize=(7, 6))
    colours = {"consistent": "#55A868", "inconsistent": "#C44E52"}
    for claim in claims:
        ax.plot(claim["recomputed"], claim["stated"], "o", color=colours.get(claim["status"], "grey"))
        if claim["status"] == "inconsistent":
            ax.annotate(claim["claim"], (claim["recomputed"], claim["stated"]), fontsize=7, xytext=(5, 5), textcoords="offset points")
    values = [v for c in claims for v in (c["recomputed"], c["stated"])]
    ax.plot([min(values), max(values)], [min(values), max(values)], color="grey", linewidth=0.8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("recomputed from the document's own figures")
    ax.set_ylabel("stated in the document")
    return figure


BLUE = "#4C72B0"
DRAW = {
    "funding_by_period": _draw_funding_by_period,
    "market_size": _draw_market_size,
    "country_rankings": _draw_country_rankings,
    "claim_audit": _draw_claim_audit,
}


def write_report(charts: list[Chart], folder: Path, about: dict) -> dict[str, Path]:
    """Write <chart>.png for every chart, chart_data.json and index.html into `folder`; each file is
    written beside and renamed into place, so a reader never sees half a file."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    # Labels are the documents' own words: a '$' in a subject is a dollar sign, not mathtext (whose
    # parser would also fail the report, after the publish, on an unbalanced one).
    with matplotlib.rc_context({"text.parse_math": False}):
        for chart in charts:
            figure = DRAW[chart.name](plt, chart.data)
            figure.suptitle(chart.title)
            figure.tight_layout()
            written[chart.name] = _replace(
                folder / f"{chart.name}.png", lambda path, drawn=figure: drawn.savefig(path, dpi=110, format="png")
            )
            plt.close(figure)
    data = {"about": about, "charts": {c.name: {"title": c.title, **c.data} for c in charts}}
    written["index"] = _replace(folder / "index.html", lambda path: path.write_text(_page(charts, about), encoding="utf-8"))
    # last: it names the version drawn, which tells the next run the report is complete (provenance.report_drawn)
    written["chart_data"] = _replace(folder / "chart_data.json", lambda path: path.write_text(json.dumps(data, indent=2, default=str)))
    return written


def _replace(target: Path, write) -> Path:
    temporary = target.with_name(f".{target.name}.{os.getpid()}")
    write(temporary)
    os.replace(temporary, target)
    return target


# What each chart draws, as the rows of a table under it (the claim audit's is the last table).
TABLES = {
    "funding_by_period": (("total", "USD billion"), lambda d: [(b["label"], b["usd_billion"]) for b in d["bars"]]),
    "market_size": (
        ("market", "currency", "year", "billion", "projected"),
        lambda d: [(s["market"], s["currency"], p["year"], p["billion"], p["projected"]) for s in d["series"] for p in s["points"]],
    ),
    "country_rankings": (
        ("ranking", "subject", "rank", "qualifier"),
        lambda d: [(r["metric"], e["subject"], e["rank"], e["qualifier"]) for r in d["rankings"] for e in r["entries"]],
    ),
    "claim_audit": (
        ("claim", "derivation", "stated", "recomputed", "status"),
        lambda d: [(c["claim"], c["derivation"], c["stated"], c["recomputed"], c["status"]) for c in d["claims"]],
    ),
}


def _cell(value: object) -> str:
    if isinstance(value, float):
        return format(value, ".6g")
    return "" if value is None else html.escape(str(value))


def _table(chart: Chart) -> str:
    """The rows a chart draws; every value, the documents' own text included, escaped."""
    columns, rows = TABLES[chart.name]
    head = "".join(f"<th>{html.escape(column)}</th>" for column in columns)
    status = columns.index("status") if "status" in columns else None  # inconsistent claims are marked
    body = "".join(
        (f"<tr class='{_cell(row[status])}'>" if status is not None else "<tr>") + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>"
        for row in rows(chart.data)
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _page(charts: list[Chart], about: dict) -> str:
    audit = next(c for c in charts if c.name == "claim_audit")
    sections = "".join(
        f"<section id='{c.name}'><h2>{html.escape(c.title)}</h2><p>{html.escape(c.caption)}</p>"
        f"<img src='{c.name}.png' alt='{html.escape(c.title)}'>"
        + ("" if c is audit else f"<details><summary>The figures drawn</summary>{_table(c)}</details>")
        + "</section>"
        for c in charts
    )
    facts = " · ".join(f"{html.escape(str(k))}: {html.escape(str(v))}" for k, v in about.items())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ai-market-ledger report</title>
<style>body{{font-family:sans-serif;max-width:1400px;margin:2em auto}} img{{max-width:100%}}
table{{border-collapse:collapse}} td,th{{border:1px solid #ccc;padding:4px 8px}} tr.inconsistent{{background:#fbe3e4}}</style>
</head><body><h1>ai-market-ledger report</h1><p>{facts}</p>{sections}
<h2>Every audited claim</h2>{_table(audit)}
</body></html>
"""
