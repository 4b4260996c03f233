"""Issue 11: one run tells everything (--check), a failed ingest leaves nothing stale, twins are never
swapped, and roster names (å, ä, ö and their ASCII foldings) never reach processed data or quarantine.

The exports are built by hand in `tests.realshapes` from the platforms' documentation, not by the
generator.
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from evaluation.cli import app
from evaluation.errors import IngestError
from evaluation.ingest import ingest_cohort
from evaluation.ingest.run import SUGGESTED_FILE, check_cohort
from evaluation.survey import pinned

from .realshapes import SourceSpec, google_forms_csv, make_people, make_responses, ms_forms_xlsx, write_cohort

KEY = "en-nyckel-bara-för-testerna-av-kontrollen"
PEOPLE = make_people()
runner = CliRunner()


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", KEY)
    monkeypatch.delenv("EVALUATION_PSEUDONYM_KEY_FILE", raising=False)


def _google_cohort(tmp_path, templates, instrument="baseline"):
    folder = tmp_path / "cohort"
    name = f"{instrument}_mentor.csv"
    write_cohort(folder, templates, PEOPLE, [SourceSpec(instrument, "mentor", name)])
    responses = make_responses(templates, instrument, "mentor", PEOPLE, seed=11, respondents=5)
    google_forms_csv(folder / "raw" / name, responses, templates, instrument, "mentor", "sv")
    return folder, folder / "raw" / name


def _rewrite_header(path, old: str, new: str) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    assert old in rows[0], old
    rows[0] = [new if h == old else h for h in rows[0]]
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    path.write_text(text.getvalue(), encoding="utf-8")


def test_check_lists_every_problem_at_once_suggests_columns_and_writes_nothing(tmp_path, templates):
    folder, path = _google_cohort(tmp_path, templates)
    header = next(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    grid = [h for h in header if h.endswith("]")]
    typo = grid[0].replace("meningsfulla", "meningsfull")  # a coordinator's typo in one statement
    _rewrite_header(path, grid[0], typo)
    _rewrite_header(path, grid[5], "Kontrollerad av")  # an admin column
    result = runner.invoke(app, ["ingest", str(folder), "--check"])
    assert result.exit_code == 1
    assert "Kontrollerad av" in result.output and "meningsfull" in result.output
    assert not (folder / "processed" / "responses.parquet").exists()  # nothing was written
    suggested = (folder / SUGGESTED_FILE).read_text(encoding="utf-8")
    mapping = yaml.safe_load(suggested)
    assert mapping[typo] == "wvmeaning2"  # the closest item of the typo column
    # Pasting the reviewed suggestion (and ignoring the admin column) makes the source map completely.
    config = yaml.safe_load((folder / "cohort.yml").read_text(encoding="utf-8"))
    config["sources"][0]["columns"] = {typo: "wvmeaning2"}
    missing = check_cohort(folder, templates).problems["baseline_mentor.csv"]
    assert any("Kontrollerad av" in p for p in missing)
    config["sources"][0]["ignore"] = ["Kontrollerad av"]
    (folder / "cohort.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    found = check_cohort(folder, templates)
    # The admin column took the place of one statement's column: that item is now without a column.
    assert not found.ok and any("items without a column" in p for p in found.problems["baseline_mentor.csv"])


def test_check_passes_and_removes_an_old_suggestion_when_everything_maps(tmp_path, templates):
    folder, _ = _google_cohort(tmp_path, templates)
    (folder / SUGGESTED_FILE).write_text("old: suggestion\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(folder), "--check"])
    assert result.exit_code == 0, result.output
    assert "baseline_mentor.csv: ok" in result.output
    assert not (folder / SUGGESTED_FILE).exists()


def test_a_failed_ingest_leaves_the_previous_outputs_untouched(tmp_path, templates):
    folder, path = _google_cohort(tmp_path, templates)
    ingest_cohort(folder, templates)
    before = {p.name: p.read_bytes() for p in (folder / "processed").iterdir()}
    header = next(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    _rewrite_header(path, header[-1], "En kolumn ingen känner igen")
    with pytest.raises(IngestError, match="En kolumn ingen känner igen"):
        ingest_cohort(folder, templates)
    after = {p.name: p.read_bytes() for p in (folder / "processed").iterdir()}
    assert after == before
    assert not [p for p in folder.iterdir() if p.name.startswith(".processed")]


def _ms_forms_followup(tmp_path, templates, *, reorder: bool):
    """A Microsoft Forms follow-up (statements alone as headers, so "then" twins repeat exactly)."""
    folder = tmp_path / ("reordered" if reorder else "ordered")
    name = "followup_adept.xlsx"
    write_cohort(folder, templates, PEOPLE, [SourceSpec("followup", "adept", name)])
    responses = make_responses(templates, "followup", "adept", PEOPLE, seed=5, respondents=5)
    path = folder / "raw" / name
    ms_forms_xlsx(path, responses, templates, "followup", "adept", "sv")
    if reorder:  # someone moved the retrospective block to the front of the sheet
        from openpyxl import load_workbook

        book = load_workbook(path)
        sheet = book.active
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        items = templates.instrument("followup").items_for("adept")
        then = {i.wording("adept", "sv") for i in items if i.then_of}
        seen: dict[str, int] = {}
        order = []
        for index, header in enumerate(rows[0]):
            seen[header] = seen.get(header, 0) + 1
            order.append((0 if header in then and seen[header] == 2 else 1, index))
        columns = [i for _, i in sorted(order)]
        sheet.delete_rows(1, sheet.max_row)
        for row in rows:
            sheet.append([row[i] for i in columns])
        book.save(path)
    return folder, responses


def test_twins_map_by_order_in_form_order_and_are_refused_when_reordered(tmp_path, templates):
    # Version 1 repeats the statement word for word in its then-items: twin headers in MS Forms.
    # (Version 2's then-items have their own past-tense wording, so its headers never repeat.)
    v1 = pinned(templates, {"baseline": "1.0.0", "followup": "1.0.0"})
    folder, responses = _ms_forms_followup(tmp_path, v1, reorder=False)
    ingest_cohort(folder, templates)
    data = pd.read_parquet(folder / "processed" / "responses.parquet")
    assert set(data["version"]) == {"1.0.0"}
    item = next(i for i in v1.instrument("followup").items_for("adept") if i.then_of)
    answered = [r for r in responses if r.answers.get(item.id) is not None]
    assert answered
    got = data[data["item"] == item.id].set_index("source_row")["value"]
    assert sorted(got.tolist()) == sorted(float(r.answers[item.id]) for r in answered)
    folder, _ = _ms_forms_followup(tmp_path, v1, reorder=True)
    with pytest.raises(IngestError) as caught:
        ingest_cohort(folder, templates)
    message = str(caught.value)
    assert item.id in message and item.then_of in message  # both candidates named
    assert not (folder / "processed" / "responses.parquet").exists()


def test_roster_names_and_their_foldings_never_reach_processed_data_or_quarantine(tmp_path, templates):
    folder, path = _google_cohort(tmp_path, templates, "followup")
    roster = pd.read_csv(folder / "roster.csv", dtype=str)
    roster["name"] = [f"{p.first} {p.last}" for p in PEOPLE]
    roster.to_csv(folder / "roster.csv", index=False)
    person = next(p for p in PEOPLE if any(c in p.first + p.last for c in "åäöÅÄÖ"))
    folded = (person.first + " " + person.last).translate(str.maketrans("åäöÅÄÖ", "aaoAAO"))
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    items = templates.instrument("followup").items_for("mentor")
    free = {i.wording("mentor", "sv") for i in items if templates.scale_of(i).type == "text"}
    text_column = next(i for i, h in enumerate(rows[0]) if h in free)
    scale_column = next(i for i, h in enumerate(rows[0]) if h.endswith("]"))
    rows[1][text_column] = f"Tack {person.first} {person.last} och {folded.lower()}!"
    rows[2][scale_column] = f"Fråga {person.last.upper()}"  # an invalid answer holding a name
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    ingest_cohort(folder, templates)
    processed = folder / "processed"
    texts = pd.read_parquet(processed / "responses.parquet")["value_text"].dropna().str.cat(sep=" ")
    quarantine = (processed / "quarantine.csv").read_text(encoding="utf-8")
    assert "[borttaget]" in texts
    for name in (person.first, person.last, *folded.split()):
        assert name.casefold() not in texts.casefold(), name
        assert name.casefold() not in quarantine.casefold(), name
    assert "invalid_value" in quarantine


def test_date_answers_are_read_the_swedish_way_and_an_ambiguous_one_is_never_guessed(templates):
    from evaluation.ingest.validate import decode_column, invalid_cells

    scale = templates.scales["date"]
    typed = pd.Series(["1/2 2027", "20 jan. 2027", "2027-03-01", "01/02/2027", "13/02/2027"])
    decoded = decode_column(typed, scale)
    # Day first in Swedish writing; 01/02/2027 could be 1 February or 2 January: left as typed.
    assert decoded.tolist() == ["2027-02-01", "2027-01-20", "2027-03-01", "01/02/2027", "2027-02-13"]
    item = next(i for i in templates.items.values() if templates.scale_of(i).type == "date")
    table = pd.DataFrame({item.id: decoded})
    assert [(index, value) for index, _, value in invalid_cells(table, [(item, scale)])] == [
        (3, "01/02/2027")
    ]


def test_a_qualtrics_contact_lists_external_reference_links_the_response(tmp_path, templates):
    # Distributed from a Qualtrics contact list, the code may sit in ExternalReference (Qualtrics
    # Support, "Contact list fields": ExternalDataReference) rather than in a question.
    from evaluation.survey.columns import PARTICIPANT_CODE_TEXT

    from .realshapes import qualtrics_csv

    folder = tmp_path / "q"
    name = "baseline_adept.csv"
    write_cohort(folder, templates, PEOPLE, [SourceSpec("baseline", "adept", name)])
    responses = make_responses(templates, "baseline", "adept", PEOPLE, seed=3, respondents=5)
    path = folder / "raw" / name
    qualtrics_csv(path, responses, templates, "baseline", "adept", "sv", values="numeric")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    code = rows[1].index(PARTICIPANT_CODE_TEXT["sv"])
    reference = rows[0].index("ExternalReference")
    email = rows[0].index("RecipientEmail")
    for row in rows[3:]:
        row[reference], row[code], row[email] = row[code], "", ""  # only the reference identifies
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    ingest_cohort(folder, templates)
    data = pd.read_parquet(folder / "processed" / "responses.parquet")
    assert data["pseudonym"].nunique() == len(responses)
    assert "ExternalReference" not in data.columns
