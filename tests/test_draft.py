"""`ai-market-ledger draft`: on texts written here (not the seeds), the drafted values, units, scales,
periods and claims are exactly what the text says; every number is accounted for; every line is
marked for review; the curator's files are never overwritten without --force."""

import json
import shutil
from pathlib import Path

import pytest

from orchestration.curation.draft import draft, fact_record, run, uncovered
from orchestration.curation.evaluate import evaluate

PROJECT = Path(__file__).resolve().parents[1]

ROBOTICS = (
    "Japanese robotics makers drew more funding\n\n"
    "Japanese robotics startups raised ¥180 billion ($1.2 billion) in the first half of 2024, the Japan Venture Association said "
    "on the 12th. That is 3.5 times the ¥51.4 billion they raised in the first half of last year.\n\n"
    "Preferred Networks received ¥20 billion ($133 million), accounting for 11.1% of the half-year total. "
    "Nearly two-thirds of the money went to industrial robots.\n\n"
    "In the fourth quarter of last year, investment reached ¥40 billion, up 25% from ¥32 billion in the third quarter of last year.\n"
)

SPELLED = (
    "Chip designers see a boom\n\n"
    "Investors put a billion dollars into chip designers in 2024, and two hundred million euros went to Dutch firms. "
    "Hundreds of startups applied; the eighth round closed in March 2024.\n"
)


def drafted_by_figure(document_id: str, text: str, reference_year: int) -> tuple[dict[str, dict], list[dict], object]:
    made = draft(document_id, text, reference_year)
    facts = [fact_record(f, document_id) for f in made.facts]
    return {f["figure"]: f for f in facts}, facts, made


def period(fact: dict) -> tuple:
    return fact["period_type"], fact["period_label"], fact["period_basis"], fact.get("period_text")


def test_yen_amounts_with_dollar_equivalents_are_drafted_with_their_currency_scale_and_half_year():
    by, _, _ = drafted_by_figure("950_robotics", ROBOTICS, 2024)
    total, usd = by["¥180 billion"], by["$1.2 billion"]
    assert (total["value"], total["scale"], total["unit"], total["metric"], total["region"]) == (
        180,
        "billion",
        "JPY",
        "funding_amount",
        "JP",
    )
    assert period(total) == ("half", "2024-H1", "stated", None)
    assert (usd["value"], usd["scale"], usd["unit"], usd["metric"]) == (1.2, "billion", "USD", "currency_equivalent")
    assert (usd["derivation"], usd["derived_from"], period(usd)) == ("fx_equivalent", [total["fact_id"]], period(total))
    assert "document_id" not in total and "period_start" not in total  # the file name and the label give them


def test_a_multiple_links_the_total_it_multiplies_and_the_base_after_it():
    by, _, _ = drafted_by_figure("950_robotics", ROBOTICS, 2024)
    multiple, base = by["3.5 times"], by["¥51.4 billion"]
    assert (multiple["value"], multiple["unit"], multiple["metric"], multiple["derivation"]) == (3.5, "ratio", "multiple", "multiple")
    assert multiple["derived_from"] == [by["¥180 billion"]["fact_id"], base["fact_id"]]
    assert period(multiple) == ("half", "2024-H1", "inferred", None)
    assert period(base) == ("half", "2023-H1", "relative", "last year")


def test_a_quarter_of_last_year_and_its_growth_over_the_quarter_before():
    by, _, _ = drafted_by_figure("950_robotics", ROBOTICS, 2024)
    q4, q3, growth = by["¥40 billion"], by["¥32 billion"], by["25%"]
    assert period(q4) == ("quarter", "2023-Q4", "relative", "last year")
    assert period(q3) == ("quarter", "2023-Q3", "relative", "last year")
    assert (growth["value"], growth["unit"], growth["metric"], growth["derivation"]) == (25, "percent", "growth_rate", "growth")
    assert growth["derived_from"] == [q4["fact_id"], q3["fact_id"]]
    assert period(growth) == period(q4)


def test_a_named_deal_is_part_of_its_period_total_and_its_share_names_both():
    by, _, _ = drafted_by_figure("950_robotics", ROBOTICS, 2024)
    deal, total, share = by["¥20 billion"], by["¥180 billion"], by["11.1%"]
    assert (deal["subject"], deal["subject_type"], deal["metric"], deal["part_of"]) == (
        "Preferred Networks",
        "company",
        "deal_amount",
        total["fact_id"],
    )
    assert period(deal) == ("half", "2024-H1", "inferred", None)
    assert (share["metric"], share["derivation"], share["derived_from"]) == ("share", "share", [deal["fact_id"], total["fact_id"]])


def test_a_fraction_with_nearly_is_an_upper_bound_and_a_day_of_the_month_is_excluded():
    by, _, made = drafted_by_figure("950_robotics", ROBOTICS, 2024)
    fraction = by["two-thirds"]
    assert (fraction["value"], fraction["unit"], fraction["qualifier"], fraction["derived_from"]) == (0.6667, "ratio", "at_most", [])
    (day,) = [e for e in made.exclusions if e["text"] == "12"]
    assert day["context"] == "said on the 12th." and day["reason"].startswith("Day of the month")


def test_every_number_is_accounted_for_and_every_line_is_marked_for_review():
    for document_id, text in (("950_robotics", ROBOTICS), ("951_chips", SPELLED)):
        _, facts, made = drafted_by_figure(document_id, text, 2024)
        assert uncovered(made, facts) == []
        assert {line["review"] for line in facts + made.exclusions} == {"draft"}
        assert all(line["review_note"] for line in facts + made.exclusions)


def test_spelled_out_scales_and_vague_plurals():
    by, _, made = drafted_by_figure("951_chips", SPELLED, 2024)
    assert [(f["value"], f["scale"], f["unit"]) for f in (by["a billion dollars"], by["two hundred million euros"])] == [
        (1, "billion", "USD"),
        (200, "million", "EUR"),
    ]
    assert by["two hundred million euros"]["region"] == "NL"
    reasons = {e["text"]: e["reason"] for e in made.exclusions}
    assert reasons["Hundreds"].startswith("A vague quantity") and reasons["eighth"] == "An ordinal, not a figure."


def article_tree(tmp_path: Path, text: str, document_id: str, manifest: dict | None) -> Path:
    root = tmp_path / "sources"
    for folder in ("reference", "schemas"):
        shutil.copytree(PROJECT / "sources" / folder, root / folder)
    (root / "documents").mkdir()
    (root / "documents" / f"{document_id}.txt").write_text(text, encoding="utf-8")
    (root / "documents" / "manifest.jsonl").write_text(json.dumps(manifest) + "\n" if manifest else "", encoding="utf-8")
    return root


def manifest_of(document_id: str, reference_year: int) -> dict:
    return {
        "document_id": document_id, "title": "Japanese robotics makers drew more funding", "title_basis": "stated", "outlet": None,
        "author": None, "published_start": f"{reference_year}-07-12", "published_end": f"{reference_year}-07-12",
        "date_basis": "inferred_from_content", "date_evidence": "Written for the drafter's tests.", "reference_year": reference_year,
        "language": "en",
    }  # fmt: skip


def test_the_command_prints_each_claims_audit_and_writes_its_status(tmp_path: Path, capsys: pytest.CaptureFixture):
    root = article_tree(tmp_path, ROBOTICS, "950_robotics", manifest_of("950_robotics", 2024))
    assert run(root / "documents" / "950_robotics.txt", root) == 0
    out = capsys.readouterr().out
    assert "the text says 25%; ¥40 billion / ¥32 billion − 1 = 25% (within ±0.5): consistent" in out
    assert "the text says 11.1%; ¥20 billion / ¥180 billion = 11.11% (within ±0.05): consistent" in out
    facts = {f["figure"]: f for f in map(json.loads, (root / "facts" / "950_robotics.jsonl").read_text(encoding="utf-8").splitlines())}
    assert facts["3.5 times"]["audit"]["expected_status"] == "consistent"
    assert facts["two-thirds"]["audit"]["expected_status"] == "unverifiable"
    assert "the audit says: the text says 25%" in facts["25%"]["review_note"]


def test_the_command_refuses_to_overwrite_a_curators_files_without_force(tmp_path: Path, capsys: pytest.CaptureFixture):
    root = article_tree(tmp_path, ROBOTICS, "950_robotics", manifest_of("950_robotics", 2024))
    text = root / "documents" / "950_robotics.txt"
    (root / "facts").mkdir()
    (root / "facts" / "950_robotics.jsonl").write_text('{"curated": true}\n', encoding="utf-8")
    assert run(text, root) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "draft refused" in err and "pass --force to overwrite" in err
    assert (root / "facts" / "950_robotics.jsonl").read_text(encoding="utf-8") == '{"curated": true}\n'
    assert run(text, root, force=True) == 0
    assert '"review": "draft"' in (root / "facts" / "950_robotics.jsonl").read_text(encoding="utf-8")


def test_a_text_without_a_manifest_line_gets_one_drafted_from_its_headline_and_years(tmp_path: Path):
    root = article_tree(tmp_path, ROBOTICS, "950_robotics", None)
    assert run(root / "documents" / "950_robotics.txt", root) == 0
    (entry,) = map(json.loads, (root / "documents" / "manifest.jsonl").read_text(encoding="utf-8").splitlines())
    assert (entry["title"], entry["reference_year"], entry["review"]) == ("Japanese robotics makers drew more funding", 2024, "draft")


def test_a_text_with_no_year_and_no_reference_year_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture):
    root = article_tree(tmp_path, "Funding news\n\nStartups raised $5 billion last year.\n", "952_undated", None)
    assert run(root / "documents" / "952_undated.txt", root) == 1
    assert "pass --reference-year" in capsys.readouterr().err
    assert run(root / "documents" / "952_undated.txt", root, reference_year=2024) == 0


def test_the_blind_drafts_of_the_seeds_meet_the_targets():
    result = evaluate(PROJECT / "sources")
    s = result["score"]
    assert s.matched == s.with_number  # every curated figure that holds a number is found, in its sentence
    for name in ("value", "unit", "scale"):
        assert s.right[name] / s.matched >= 0.95, name
    for name in ("period_label", "metric"):
        assert s.right[name] / s.matched >= 0.85, name
    assert s.claims_inputs == s.claims_status == s.claims
    assert (s.accounted, s.unclassified) == (s.mentions, 0)
    assert result["draft_seconds"] <= 2
    assert not result["violations"]
