"""The audit of published reports: a clean folder passes, and every planted leak is found, naming the file.

Every report folder here is built by hand (not by the report builder), so the audit is tested against
what a publication looks like, not against the code that publishes it.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from evaluation import audit
from evaluation.audit import Finding, audit_reports, format_findings

AGENCIES = {"Alfaverket": 6, "Betamyndigheten": 6, "Gammastyrelsen": 5, "Deltainspektionen": 4}
"""Pairs per agency: Deltainspektionen (4 mentors, 4 adepts) is below the minimum of 5."""

FIRST = ["Astrid", "Bertil", "Cecilia", "Dagny", "Evert", "Frida", "Gunnar", "Hedvig"]
LAST = ["Lindqvist", "Bergström", "Åkerlund", "Norberg", "Sandell", "Wikström"]

HEADER = "agency,role,invited,answered_baseline,answered_followup"
CLEAN_RATES = [
    ("Alfaverket", "mentor", 6, 6, 5),
    ("Alfaverket", "adept", 6, 5, 5),
    ("Betamyndigheten", "mentor", 6, 6, 6),
    ("Betamyndigheten", "adept", 6, 6, 5),
    ("Gammastyrelsen", "mentor", None, None, None),
    ("Gammastyrelsen", "adept", None, None, None),
    ("Deltainspektionen", "mentor", None, None, None),
    ("Deltainspektionen", "adept", None, None, None),
    ("Övriga myndigheter", "mentor", 9, 8, 7),
    ("Övriga myndigheter", "adept", 9, 9, 6),
    ("Alla", "mentor", 21, 20, 18),
    ("Alla", "adept", 21, 20, 16),
]
"""The pinned response rates as the report builder publishes them: Deltainspektionen (4) is pooled
with Gammastyrelsen (5, hidden as its complement) under 'Övriga myndigheter' (9)."""

SEED_7_RATES = [
    *CLEAN_RATES[:4],
    ("Gammastyrelsen", "mentor", 5, 5, 4),
    ("Gammastyrelsen", "adept", 5, 5, 4),
    ("Deltainspektionen", "mentor", None, None, None),
    ("Deltainspektionen", "adept", None, None, None),
    *CLEAN_RATES[10:],
]
"""The seed-7 leak: the small agency blanked by a plain threshold, the others and the total shown."""


@dataclass
class Build:
    reports: Path
    cohort: Path
    roster: pd.DataFrame

    def pseudonym(self, position: int) -> str:
        return str(self.roster.at[position, "pseudonym"])

    def audit(self) -> list[Finding]:
        return audit_reports(self.reports, self.cohort)


def _pseudonym(code: str) -> str:
    return "p" + hashlib.sha256(code.encode()).hexdigest()[:16]


def _roster() -> pd.DataFrame:
    rows = []
    pair = 0
    for agency, pairs in AGENCIES.items():
        for _ in range(pairs):
            pair += 1
            for role in ("mentor", "adept"):
                n = len(rows)
                first, last = FIRST[n % len(FIRST)], LAST[n // len(FIRST) % len(LAST)]
                code = f"{role[0].upper()}{n + 1:03d}-{agency[:3].upper()}"
                rows.append(
                    {
                        "participant_id": code,
                        "role": role,
                        "pair_id": f"par{pair:03d}",
                        "agency": agency,
                        "age_band": "-29" if role == "mentor" else "50-59",
                        "email": f"{first}.{last}{n}@example.se".lower().replace("å", "a").replace("ö", "o"),
                        "name": f"{first} {last}",
                        "pseudonym": _pseudonym(code),
                    }
                )
    return pd.DataFrame(rows)


def _csv(rows, header: str = HEADER) -> str:
    lines = [header]
    for row in rows:
        lines.append(",".join("" if value is None else str(value) for value in row))
    return "\n".join(lines) + "\n"


def _html(body: str, title: str = "Kohortrapport") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="sv"><head><meta charset="utf-8"><title>{title}</title>'
        "<style>body { font-family: sans-serif } /* /home/analyst/styles.css */</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def _rates_table(rows, *, invited_override: dict[int, str] | None = None) -> str:
    headers = [
        ("agency", "Myndighet"),
        ("role", "Roll"),
        ("invited", "Inbjudna"),
        ("answered_baseline", "Svarade före"),
        ("answered_followup", "Svarade efter"),
    ]
    head = "".join(f'<th scope="col" data-col="{col}">{text}</th>' for col, text in headers)
    body = []
    for number, (agency, role, *values) in enumerate(rows):
        shown = ["–" if v is None else str(v) for v in values]
        if invited_override and number in invited_override:
            shown[0] = invited_override[number]
        cells = "".join(f"<td>{v}</td>" for v in shown)
        body.append(f'<tr><th scope="row">{agency}</th><td>{role}</td>{cells}</tr>')
    return (
        '<table class="report" data-results="response_rates.csv"><caption>Svarsfrekvens</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _notebook(parameters: dict | None = None, extra_outputs: list | None = None) -> str:
    parameters = parameters or {"cohort_dir": "<cohort_dir>", "lang": "sv"}
    outputs = [
        {
            "output_type": "display_data",
            "metadata": {"evaluation.report": True},
            "data": {"text/html": [_rates_table(CLEAN_RATES)], "text/plain": [""]},
        },
        {"output_type": "stream", "name": "stdout", "text": ["Klart.\n"]},
        *(extra_outputs or []),
    ]
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": 1,
                "id": "params",
                "metadata": {"tags": ["injected-parameters"]},
                "outputs": [],
                "source": [f"{k} = {v!r}\n" for k, v in parameters.items()],
            },
            {
                "cell_type": "code",
                "execution_count": 2,
                "id": "rates",
                "metadata": {},
                "outputs": outputs,
                "source": ["report.table(report.response_rates(data), 'response_rates')"],
            },
        ],
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "papermill": {
                "parameters": parameters,
                "input_path": "notebooks/cohort.ipynb",
                "output_path": "notebooks/cohort.ipynb",
            },
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, ensure_ascii=False, indent=1)


def _pdf(text: str) -> bytes:
    """A one-page PDF showing `text` in Helvetica (no PDF writer is installed; pypdf only reads)."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.fixture
def build(tmp_path: Path) -> Build:
    """A clean cohort folder and a clean reports folder that the audit passes."""
    roster = _roster()
    cohort = tmp_path / "data" / "2027"
    (cohort / "processed").mkdir(parents=True)
    (cohort / "cohort.yml").write_text("id: '2027'\nname: Omvänt mentorskap 2027\nmin_group_size: 5\n")
    roster.drop(columns="pseudonym").to_csv(cohort / "roster.csv", index=False)
    pd.DataFrame({"pseudonym": roster["pseudonym"], "item": "q1", "value": 3}).to_parquet(
        cohort / "processed" / "responses.parquet"
    )

    reports = tmp_path / "reports" / "2027"
    for folder in ("results", "notebooks", "agencies", "feedback"):
        (reports / folder).mkdir(parents=True)
    (reports / "results" / "response_rates.csv").write_text(_csv(CLEAN_RATES), encoding="utf-8")
    (reports / "results" / "change.csv").write_text(
        _csv(
            [
                ("belonging", "mentor", 18, "0.31"),
                ("belonging", "adept", 16, "0.12"),
                ("belonging", "Alla", 34, ""),
            ],
            "construct,role,n,mean_diff",
        ),
        encoding="utf-8",
    )
    (reports / "index.html").write_text(
        _html(
            '<h1>Omvänt mentorskap 2027</h1><ul><li><a href="cohort.html">Kohortrapport</a></li>'
            '<li><a href="agencies/alfaverket.html">Alfaverket</a></li></ul>'
            '<p>Metod: se <a href="https://doi.org/10.1037/met0000001">https://doi.org/10.1037/met0000001</a>.</p>',
            "Rapporter",
        ),
        encoding="utf-8",
    )
    (reports / "cohort.html").write_text(
        _html(
            "<h1>Kohortrapport</h1><p>Svarsfrekvens per myndighet och roll; 1 234 svar totalt.</p>"
            + _rates_table(CLEAN_RATES)
            + '<figure><img src="data:image/png;base64,L2hvbWUvYW5hbHlzdA==" alt="Svarsfrekvens per roll">'
            "<figcaption>Figur 1</figcaption></figure>"
            '<script>const source = "/home/analyst/data/2027";</script>'
        ),
        encoding="utf-8",
    )
    (reports / "agencies" / "alfaverket.html").write_text(
        _html("<h1>Alfaverket</h1><p>Sex par deltog.</p>", "Alfaverket"), encoding="utf-8"
    )
    (reports / "notebooks" / "cohort.ipynb").write_text(_notebook(), encoding="utf-8")
    (reports / "brief.pdf").write_bytes(_pdf("Omvant mentorskap 2027: ledningens sammanfattning"))
    (reports / "figure.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    owner = roster.at[0, "pseudonym"]
    (reports / "feedback" / f"{owner}.html").write_text(
        _html(
            f"<h1>Din återkoppling</h1><p>Kod: {owner}</p>"
            "<table><tr><th>Område</th><th>Före</th><th>Efter</th></tr>"
            "<tr><td>Tillhörighet</td><td>3,2</td><td>3,9</td></tr></table>",
            "Återkoppling",
        ),
        encoding="utf-8",
    )
    built = Build(reports, cohort, roster)
    findings = built.audit()
    assert findings == [], format_findings(findings)  # every test plants its leak into a clean folder
    return built


def _only(findings: list[Finding], problem: str, file: str) -> list[Finding]:
    assert findings, "expected a finding, the audit passed"
    assert {f.problem for f in findings} == {problem}, format_findings(findings)
    assert {f.file for f in findings} == {file}, format_findings(findings)
    return findings


def _write(build: Build, relative: str, text: str) -> None:
    (build.reports / relative).write_text(text, encoding="utf-8")


def test_clean_folder_passes(build):
    findings = build.audit()
    assert findings == [], format_findings(findings)
    assert format_findings(findings).startswith("Granskningen hittade inga problem / The audit found no")


# -- small groups -----------------------------------------------------------------------------------


def test_small_group_in_csv(build):
    _write(build, "results/comments.csv", "construct,writers\nbelonging,3\nrelations,0\ngrowth,12\n")
    [finding] = _only(build.audit(), "small-group", "results/comments.csv")
    assert finding.table == "comments.csv"
    assert finding.cell == "row 1 (construct=belonging), column writers"
    _write(build, "results/comments.csv", "construct,writers\nbelonging,\nrelations,0\ngrowth,12\n")
    assert build.audit() == []


@pytest.mark.parametrize("shown", ["4", "4,0", "4 (67 %)", "4\u202f"])
def test_small_group_in_html_table_by_data_col(build, shown):
    _write(build, "cohort.html", _html(_rates_table(CLEAN_RATES, invited_override={0: shown})))
    [finding] = _only(build.audit(), "small-group", "cohort.html")
    assert finding.table == "response_rates.csv"
    assert finding.cell == "row 1 (Alfaverket, mentor), column invited"


@pytest.mark.parametrize("shown", ["0", "–", "", "1\u202f234", "1 234", "12,0"])
def test_html_values_that_are_not_small_groups(build, shown):
    _write(build, "cohort.html", _html(_rates_table(CLEAN_RATES, invited_override={0: shown})))
    assert build.audit() == []


# -- differencing -----------------------------------------------------------------------------------


def _rates_csv(rows, note: str | None = None) -> str:
    """The rates, optionally with a free-text column filled on hidden rows (as the builder writes)."""
    if note is None:
        return _csv(rows)
    text = "färre än 5: visas inte / fewer than 5: not shown"
    return _csv([(*row, text if row[2] is None else "") for row in rows], f"{HEADER},{note}")


@pytest.mark.parametrize("note", [None, "note", "förklaring"])
def test_seed_7_differencing_leak(build, note):
    _write(build, "results/response_rates.csv", _rates_csv(SEED_7_RATES, note))
    findings = _only(build.audit(), "differencing", "results/response_rates.csv")
    cells = {f.cell for f in findings}
    assert "row 7 (agency=Deltainspektionen, role=mentor), column invited" in cells
    assert "row 8 (agency=Deltainspektionen, role=adept), column invited" in cells
    invited = next(f for f in findings if f.cell.endswith("role=mentor), column invited"))
    assert "recovered as 4" in invited.detail and "response_rates.csv" in invited.detail


@pytest.mark.parametrize("note", [None, "note", "förklaring"])
def test_pooling_with_a_complement_closes_the_seed_7_leak(build, note):
    # CLEAN_RATES is SEED_7_RATES with Gammastyrelsen hidden too and both pooled (4 + 5 = 9).
    _write(build, "results/response_rates.csv", _rates_csv(CLEAN_RATES, note))
    assert build.audit() == []


def test_pooled_row_that_does_not_add_up(build):
    rows = [*CLEAN_RATES[:8], ("Övriga myndigheter", "mentor", 8, 8, 7), *CLEAN_RATES[9:]]
    _write(build, "results/response_rates.csv", _csv(rows))
    findings = _only(build.audit(), "differencing", "results/response_rates.csv")
    assert any("do not add up" in f.detail and "column invited" in f.cell for f in findings)


def test_cross_file_differencing(build):
    # The agency page of Gammastyrelsen shows it alone; the cohort CSV pools it with Deltainspektionen.
    _write(
        build,
        "results/agency_gammastyrelsen.csv",
        _csv([("Gammastyrelsen", "mentor", 5, 5, 4), ("Gammastyrelsen", "adept", 5, 5, 4)]),
    )
    findings = _only(build.audit(), "differencing", "results/response_rates.csv")
    invited = next(f for f in findings if f.cell.endswith("role=mentor), column invited"))
    assert "Deltainspektionen" in invited.cell
    assert "recovered as 4" in invited.detail
    assert "agency_gammastyrelsen.csv" in invited.detail and "response_rates.csv" in invited.detail


def test_agency_page_of_a_shown_agency_is_no_leak(build):
    _write(
        build,
        "results/agency_alfaverket.csv",
        _csv(
            [
                ("Alfaverket", "mentor", 6, 6, 5),
                ("Alfaverket", "adept", 6, 5, 5),
                ("Alla", "mentor", 21, 20, 18),
            ]
        ),
    )
    assert build.audit() == []


@pytest.mark.parametrize(("total", "leaks"), [(16, True), (19, False)])
def test_two_hidden_agencies_that_sum_to_a_small_group(build, total, leaks):
    rows = [
        ("Alfaverket", "mentor", 6),
        ("Betamyndigheten", "mentor", 6),
        ("Gammastyrelsen", "mentor", None),
        ("Deltainspektionen", "mentor", None),
        ("Alla", "mentor", total),
    ]
    _write(build, "results/completion.csv", _csv(rows, "agency,role,n_completers"))
    findings = build.audit()
    if not leaks:
        assert findings == [], format_findings(findings)
        return
    [finding] = _only(findings, "differencing", "results/completion.csv")
    assert "Gammastyrelsen" in finding.cell and "Deltainspektionen" in finding.cell
    assert "a group of 4" in finding.detail


def test_differencing_over_the_role_dimension(build):
    rows = [("belonging", "mentor", 18), ("belonging", "adept", None), ("belonging", "Alla", 22)]
    _write(build, "results/change.csv", _csv(rows, "construct,role,n"))
    [finding] = _only(build.audit(), "differencing", "results/change.csv")
    assert finding.cell == "row 2 (role=adept, construct=belonging), column n"
    assert "recovered as 4" in finding.detail


# -- identifiers, participant-level codes, paths -------------------------------------------------------


def test_email_in_notebook_output(build):
    email = build.roster.at[5, "email"]
    output = {"output_type": "stream", "name": "stdout", "text": [f"Skickat till {email}\n"]}
    _write(build, "notebooks/cohort.ipynb", _notebook(extra_outputs=[output]))
    [finding] = _only(build.audit(), "identifier", "notebooks/cohort.ipynb")
    assert finding.table == "cell 2"
    assert "e-post" in finding.cell
    assert email not in finding.cell + finding.detail  # the finding itself redacts it


def test_participant_id_in_pdf_text(build):
    code = build.roster.at[3, "participant_id"]
    (build.reports / "brief.pdf").write_bytes(_pdf(f"Deltagare {code} svarade inte"))
    [finding] = _only(build.audit(), "identifier", "brief.pdf")
    assert finding.table == "page 1"
    assert code not in finding.cell


@pytest.mark.parametrize(
    "value",
    [
        "/home/anna/data/2027",
        "C:\\Users\\anna\\data",
        "C:/Users/anna/data",
        "file:///srv/evaluation/data",
        "COHORT",
    ],
)
def test_absolute_path_in_papermill_parameters(build, value):
    value = str(build.cohort) if value == "COHORT" else value
    _write(build, "notebooks/cohort.ipynb", _notebook({"cohort_dir": value, "lang": "sv"}))
    findings = _only(build.audit(), "absolute-path", "notebooks/cohort.ipynb")
    assert any(f.table == "metadata" and "papermill.parameters.cohort_dir" in f.cell for f in findings)
    assert all("anna" not in f.cell for f in findings)


@pytest.mark.parametrize(
    "value", ["<cohort_dir>", "data/2027", "https://doi.org/10.1/x", "../raw/export.csv"]
)
def test_paths_that_are_not_machine_paths(build, value):
    _write(build, "notebooks/cohort.ipynb", _notebook({"cohort_dir": value, "lang": "sv"}))
    assert build.audit() == []


def test_pseudonym_in_cohort_html(build):
    pseudonym = build.pseudonym(7)
    _write(build, "cohort.html", _html(_rates_table(CLEAN_RATES) + f"<p>Avvikande svar: {pseudonym}</p>"))
    [finding] = _only(build.audit(), "participant-level", "cohort.html")
    assert pseudonym not in finding.cell


def test_partner_pseudonym_inside_a_feedback_page(build):
    owner, partner = build.pseudonym(0), build.pseudonym(1)
    page = f"feedback/{owner}.html"
    _write(build, page, _html(f"<p>Kod: {owner}</p><p>Din partner: {partner}</p>"))
    [finding] = _only(build.audit(), "participant-level", page)
    assert "another participant" in finding.detail and partner not in finding.cell
    _write(build, page, _html(f"<p>Kod: {owner}</p><p>Din partner svarade också.</p>"))
    assert build.audit() == []


def test_index_linking_feedback(build):
    owner = build.pseudonym(0)
    _write(build, "index.html", _html(f'<p><a href="feedback/{owner}.html">Min återkoppling</a></p>'))
    [finding] = _only(build.audit(), "feedback-linked", "index.html")
    assert owner not in finding.cell


def test_table_without_data_results(build):
    _write(build, "agencies/alfaverket.html", _html("<table><tr><td>Alfaverket</td><td>6</td></tr></table>"))
    [finding] = _only(build.audit(), "unaudited-table", "agencies/alfaverket.html")
    assert "data-results" in finding.detail


def test_table_naming_a_missing_csv(build):
    _write(build, "cohort.html", _html(_rates_table(CLEAN_RATES).replace("response_rates.csv", "gone.csv")))
    [finding] = _only(build.audit(), "unaudited-table", "cohort.html")
    assert "results/gone.csv" in finding.detail


def test_name_in_html_text_and_identifier_columns_in_csv(build):
    name = build.roster.at[2, "name"]
    _write(build, "agencies/alfaverket.html", _html(f"<p>Tack till {name.upper()} för arbetet.</p>"))
    _write(build, "results/list.csv", "pair_id,agency\npar001,Alfaverket\n")
    findings = build.audit()
    assert {(f.file, f.problem) for f in findings} == {
        ("agencies/alfaverket.html", "identifier"),
        ("results/list.csv", "participant-level"),
    }
    assert all(name.lower() not in f.cell.lower() for f in findings)


def test_scripts_styles_and_attributes_are_not_visible_text(build):
    # The clean cohort page has a machine path in a <script>, a <style> and a data: URI; still clean.
    assert "/home/analyst" in (build.reports / "cohort.html").read_text(encoding="utf-8")
    assert build.audit() == []


def test_format_findings_one_line_each(build):
    _write(build, "results/comments.csv", "construct,writers\nbelonging,3\n")
    _write(build, "agencies/alfaverket.html", _html("<table><tr><td>6</td></tr></table>"))
    text = format_findings(build.audit())
    lines = text.splitlines()
    assert lines[0].startswith("Granskningen hittade 2 problem / The audit found 2")
    assert lines[1].startswith("  [unaudited-table] agencies/alfaverket.html")
    assert lines[2].startswith("  [small-group] results/comments.csv › comments.csv › row 1")


def test_audit_does_not_import_the_code_that_publishes():
    tree = ast.parse(Path(audit.__file__).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in imported if m} & {"evaluation.disclosure", "evaluation.outcomes"}
    assert not [m for m in imported if m and m.startswith("evaluation.report")]


def test_a_name_written_without_its_diacritics_is_found(build):
    name = next(n for n in build.roster["name"] if any(c in n for c in "åäöÅÄÖ"))
    plain = name.translate(str.maketrans("åäöÅÄÖ", "aaoAAO"))
    assert plain != name
    _write(build, "cohort.html", _html(f"<p>Hälsningar från {plain}.</p>"))
    [finding] = _only(build.audit(), "identifier", "cohort.html")
    assert plain.lower() not in finding.cell.lower()


# -- participant-level rows on a leadership page ------------------------------------------------------


def _table(header: list[str], rows: list[list[object]], results: str = "people.csv") -> str:
    head = "".join(f'<th scope="col">{h}</th>' for h in header)
    body = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in rows)
    return (
        f'<table class="report" data-results="{results}"><caption>Utforskning</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _rows(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.problem == "participant-rows"]


def test_a_table_of_pseudonyms_on_a_leadership_page(build):
    # An analyst's exploratory cell saved into the cohort template: one row per participant.
    people = build.roster.iloc[:6]
    rows = [[p, a, "3,5"] for p, a in zip(people["pseudonym"], people["agency"], strict=True)]
    _write(
        build, "cohort.html", _html(_rates_table(CLEAN_RATES) + _table(["Kod", "Myndighet", "Poäng"], rows))
    )
    [finding] = _rows(build.audit())
    assert (
        finding.file == "cohort.html" and finding.table == "people.csv" and "column 1 (Kod)" in finding.cell
    )
    assert "6 of the table's 6 rows hold a pseudonym" in finding.detail
    assert not any(p in finding.cell + finding.detail for p in people["pseudonym"])
    # the same table on an analyst's page is left to the other checks (the pseudonyms are still found)
    (build.reports / "cohort.html").rename(build.reports / "data-quality.html")
    findings = build.audit()
    assert _rows(findings) == [] and {f.problem for f in findings} >= {"participant-level"}


def test_a_table_of_pair_ids_on_an_agency_page(build):
    rows = [[f"par{n:03d}", "4,1", "3,9"] for n in range(1, 7)]
    _write(build, "agencies/alfaverket.html", _html(_table(["Par", "Före", "Efter"], rows)))
    [finding] = _rows(build.audit())
    assert finding.file == "agencies/alfaverket.html" and "pair id" in finding.detail


def test_a_pair_id_shape_unknown_to_the_roster_is_found(build):
    rows = [["par917", "4,1"], ["par918", "3,9"]]
    _write(build, "brief.html", _html(_table(["Grupp", "Poäng"], rows)))
    [finding] = _rows(build.audit())
    assert finding.file == "brief.html" and "2 of the table's 2 rows hold a pair id" in finding.detail


def test_rows_that_repeat_a_group_are_rows_of_people(build):
    # No code at all: agency and role on every row, one score each; Deltainspektionen's hidden group shows.
    rows = [["Deltainspektionen", "mentor", f"{3 + n / 10:.1f}".replace(".", ",")] for n in range(4)]
    rows += [["Alfaverket", "adept", "4,0"]]
    _write(build, "comparison.html", _html(_table(["Myndighet", "Roll", "Poäng"], rows)))
    [finding] = _rows(build.audit())
    assert finding.file == "comparison.html" and finding.cell == "rows 1, 2, 3, 4 (Deltainspektionen, mentor)"
    assert "5 rows show only 2 groups" in finding.detail


def test_a_header_naming_pseudonyms_is_refused_even_with_hidden_cells(build):
    rows = [["–", "4,1"], ["–", "3,9"]]
    _write(build, "index.html", _html(_table(["Pseudonym", "Poäng"], rows)))
    [finding] = _rows(build.audit())
    assert finding.file == "index.html" and "'Pseudonym'" in finding.detail


def test_more_unlabelled_rows_than_the_cohort_has_groups(build):
    # 4 agencies and 2 roles, with totals: (4 + 2) x (2 + 1) = 18 groups at most
    _write(build, "cohort.html", _html(_table(["Poäng"], [[f"{n},5"] for n in range(19)])))
    [finding] = _rows(build.audit())
    assert "19 unlabelled rows" in finding.detail and "18" in finding.detail
    _write(build, "cohort.html", _html(_table(["Poäng"], [[f"{n},5"] for n in range(18)])))
    assert _rows(build.audit()) == []


# -- the result cache: an unchanged clean folder is not read again; any change means a full audit ------


def _slot(build: Build) -> Path:
    [slot] = (build.cohort / "processed" / ".cache").glob("audit-*.txt")
    return slot


def _count_full_audits(monkeypatch) -> list[int]:
    """Count the full audits (the scan of every file) from here on."""
    calls: list[int] = []
    scan = audit._audit_files

    def counted(*args, **kwargs):
        calls.append(1)
        return scan(*args, **kwargs)

    monkeypatch.setattr(audit, "_audit_files", counted)
    return calls


def _no_full_audit(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the folder was audited again although nothing changed")

    monkeypatch.setattr(audit, "_audit_files", refuse)


def test_an_unchanged_clean_folder_is_not_audited_again(build, monkeypatch):
    # the fixture's audit found the folder clean and recorded its inputs' digest, beside the cohort
    slot = _slot(build)
    assert re.fullmatch(r"audit-[0-9a-f]{16}\.txt", slot.name)
    assert re.fullmatch(r"[0-9a-f]{64}\n", slot.read_text(encoding="ascii"))  # a digest, no identifier
    published = sorted(p.relative_to(build.reports) for p in build.reports.rglob("*"))
    _no_full_audit(monkeypatch)
    assert build.audit() == []
    assert audit_reports(build.reports, build.cohort) == []
    assert sorted(p.relative_to(build.reports) for p in build.reports.rglob("*")) == published
    with pytest.raises(AssertionError, match="audited again"):  # without the cache: the full audit
        audit_reports(build.reports, build.cohort, use_cache=False)


def _same_size_and_time(path: Path, old: str, new: str) -> None:
    """Replace `old` by `new` (padded to its length) in `path`, keeping the file's size and times."""
    assert len(new) <= len(old)
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new.ljust(len(old)), 1), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns


@pytest.mark.parametrize(
    ("relative", "old", "column"),
    [
        ("agencies/alfaverket.html", "Sex par deltog.", "participant_id"),
        ("agencies/alfaverket.html", "Sex par deltog.", "email"),
        ("results/change.csv", "belonging", "participant_id"),
    ],
)
def test_an_identifier_planted_in_a_clean_folder_is_found(build, relative, old, column):
    value = str(build.roster.at[4, column])
    if len(value) > len(old):  # an e-mail is longer: the page grows, the finding is the same
        _write(build, relative, (build.reports / relative).read_text(encoding="utf-8").replace(old, value))
    else:  # the same size and modification time: only the bytes tell
        _same_size_and_time(build.reports / relative, old, value)
    [finding] = _only(build.audit(), "identifier", relative)
    assert value.lower() not in (finding.cell + finding.detail).lower()


def test_a_renamed_roster_participant_invalidates_the_cache(build):
    # A thank-you to someone outside the cohort is no leak; once the roster names her, it is.
    _write(build, "agencies/alfaverket.html", _html("<p>Tack till Ingrid Holmgren för arbetet.</p>"))
    assert build.audit() == []
    roster = build.roster.drop(columns="pseudonym")
    roster.at[3, "name"] = "Ingrid Holmgren"
    roster.to_csv(build.cohort / "roster.csv", index=False)
    [finding] = _only(build.audit(), "identifier", "agencies/alfaverket.html")
    assert "holmgren" not in finding.cell.lower()


def test_a_new_pseudonym_in_the_processed_data_invalidates_the_cache(build):
    # A code that is not pseudonym-shaped is no leak until the processed data holds it as a pseudonym.
    _write(build, "cohort.html", _html(_rates_table(CLEAN_RATES) + "<p>Referens: kx91atlas</p>"))
    assert build.audit() == []
    pd.DataFrame({"pseudonym": ["kx91atlas"], "item": "q1", "value": 3}).to_parquet(
        build.cohort / "processed" / "late.parquet"
    )
    _only(build.audit(), "participant-level", "cohort.html")


def test_a_raised_minimum_group_size_invalidates_the_cache(build):
    _write(build, "results/comments.csv", "construct,writers\nbelonging,5\nrelations,0\n")
    assert build.audit() == []
    (build.cohort / "cohort.yml").write_text("id: '2027'\nname: Omvänt mentorskap 2027\nmin_group_size: 6\n")
    _only(build.audit(), "small-group", "results/comments.csv")


def test_a_changed_audit_code_invalidates_the_cache(build, monkeypatch):
    monkeypatch.setattr(audit, "_code_fingerprint", lambda: b"another version of the audit")
    calls = _count_full_audits(monkeypatch)
    assert build.audit() == [] and calls == [1]
    assert build.audit() == [] and calls == [1]  # and the new version's clean result is cached in turn


def test_findings_are_never_cached(build, monkeypatch):
    clean = _slot(build).read_text(encoding="ascii")
    _write(build, "results/comments.csv", "construct,writers\nbelonging,3\n")
    calls = _count_full_audits(monkeypatch)
    for audits in (1, 2, 3):
        _only(build.audit(), "small-group", "results/comments.csv")
        assert len(calls) == audits  # audited in full every time
    assert _slot(build).read_text(encoding="ascii") == clean  # the last clean digest, not this folder's
    _write(build, "results/comments.csv", "construct,writers\nbelonging,\n")
    assert build.audit() == [] and len(calls) == 4


def test_a_table_naming_a_file_outside_the_folder_is_never_cached(build, monkeypatch):
    # The table's CSV lies outside the reports folder: the digest does not cover it, so nothing is cached.
    outside = build.reports.parent / "outside.csv"
    outside.write_text(_csv(CLEAN_RATES), encoding="utf-8")
    table = _rates_table(CLEAN_RATES).replace('"response_rates.csv"', '"results/../../outside.csv"')
    _write(build, "cohort.html", _html(table))
    calls = _count_full_audits(monkeypatch)
    assert build.audit() == [] and build.audit() == [] and len(calls) == 2
    outside.write_text(_csv([row[:3] for row in CLEAN_RATES], "agency,role,invited"), encoding="utf-8")
    findings = _only(build.audit(), "unaudited-table", "cohort.html")
    assert any("answered_baseline" in f.cell for f in findings)


def test_a_new_file_or_a_removed_file_invalidates_the_cache(build, monkeypatch):
    calls = _count_full_audits(monkeypatch)
    (build.reports / "notes.txt").write_text("Inget att rapportera.\n", encoding="utf-8")
    assert build.audit() == [] and len(calls) == 1
    (build.reports / "notes.txt").unlink()
    assert build.audit() == [] and len(calls) == 2  # one slot per folder: the last clean audit only
    assert build.audit() == [] and len(calls) == 2
    (build.reports / "feedback" / "empty").mkdir()  # a folder is not a file: nothing published changed
    assert build.audit() == [] and len(calls) == 2


def test_a_cohort_folder_without_processed_data_caches_nothing(build, monkeypatch):
    shutil.rmtree(build.cohort / "processed")
    calls = _count_full_audits(monkeypatch)
    assert build.audit() == [] and build.audit() == [] and len(calls) == 2
    assert not (build.cohort / "processed").exists()


def test_the_audit_command_always_audits_in_full(build, monkeypatch):
    from typer.testing import CliRunner

    from evaluation.cli import app

    calls = _count_full_audits(monkeypatch)
    for _ in range(2):
        result = CliRunner().invoke(app, ["audit", str(build.reports), "--cohort", str(build.cohort)])
        assert result.exit_code == 0, result.output
    assert len(calls) == 2
