"""The ``evaluation`` command: survey templates and cohorts (ingest, reports and the demo follow).

Every command explains itself with ``--help``. Errors a user can fix are printed without a
traceback, Swedish first, and end the command with a non-zero exit code.
"""

from __future__ import annotations

import json
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from evaluation import __version__
from evaluation.errors import EvaluationError

app = typer.Typer(
    help=(
        "Utvärdering av omvänt mentorskap / Evaluation of reverse mentoring.\n\n"
        "Enkätmallar, kohorter, import, analys och rapporter. "
        "Survey templates, cohorts, import, analysis and reports."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        print(f"evaluation {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Visa versionen / show the version."
        ),
    ] = False,
) -> None:
    """Utvärdering av omvänt mentorskap / Evaluation of reverse mentoring."""


survey_app = typer.Typer(
    help="Enkätmallar: kontrollera, lista, släpp versioner, exportera formulär / "
    "Survey templates: check, list, release versions, export forms.",
    no_args_is_help=True,
)
cohort_app = typer.Typer(
    help="Kohortmappar: skapa en ny kohort / Cohort folders: scaffold a new cohort.",
    no_args_is_help=True,
)
key_app = typer.Typer(
    help="Pseudonymnyckeln: skapa en ny / The pseudonym key: create a new one.",
    no_args_is_help=True,
)
templates_app = typer.Typer(
    help="Rapportmallarna (notebooks/): lås och kontrollera / The report templates: lock and check.",
    no_args_is_help=True,
)
app.add_typer(survey_app, name="survey")
app.add_typer(cohort_app, name="cohort")
app.add_typer(key_app, name="key")
app.add_typer(templates_app, name="templates")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

SurveysOption = Annotated[
    Path | None,
    typer.Option(
        "--surveys",
        help="Mapp med enkätmallar / templates folder "
        "(default: $EVALUATION_SURVEYS, ./surveys, the repository's, or the packaged copy).",
        file_okay=False,
    ),
]


class Role(StrEnum):
    """Program roles."""

    mentor = "mentor"
    adept = "adept"


class Lang(StrEnum):
    """Languages."""

    sv = "sv"
    en = "en"


class Format(StrEnum):
    """Export formats."""

    xlsform = "xlsform"
    limesurvey = "limesurvey"
    html = "html"
    codebook = "codebook"
    csv_template = "csv-template"
    google_apps_script = "google-apps-script"
    qsf = "qsf"


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]Fel / Error:[/bold red] {message}", highlight=False, markup=True)
    raise typer.Exit(code)


def _templates(surveys: Path | None):
    from evaluation.survey import load_templates

    return load_templates(surveys)


@survey_app.command("check")
def survey_check(surveys: SurveysOption = None) -> None:
    """Kontrollera alla mallar / Check every template.

    Unique ids, existing scales, every language present, constructs that refer to existing items,
    versions and content hashes consistent. Lists every problem with file and item; exits 1 if any.
    """
    from evaluation.survey import check_templates, default_surveys_dir

    folder = surveys or default_surveys_dir()
    problems = check_templates(folder)
    if problems:
        err.print(f"[bold red]{len(problems)} fel / problems[/bold red] i / in {folder}:")
        for problem in problems:
            err.print(f"  - {problem}", highlight=False, markup=False)
        raise typer.Exit(1)
    out.print(f"[green]OK[/green]: {folder}: alla mallar är giltiga / every template is valid")


class ListFormat(StrEnum):
    """How `survey list` prints."""

    table = "table"
    json = "json"


@survey_app.command("list")
def survey_list(
    surveys: SurveysOption = None,
    fmt: Annotated[
        ListFormat, typer.Option("--format", help="table eller / or json (för maskiner / for machines).")
    ] = ListFormat.table,
) -> None:
    """Lista instrument, versioner, frågor och minuter / List instruments, versions, items, minutes.

    One row per instrument x version (every released version kept, and the current one) x role: the
    number of items the role answers (retrospective
    items included) and the estimated minutes (typical seconds per kind of question plus reading the
    introductions; the rule is documented in evaluation.survey.burden). With --format json: a list of
    {"instrument", "version", "role", "items", "minutes"}.
    """
    from evaluation.survey import content_hash
    from evaluation.survey.burden import burden

    templates = _templates(surveys)
    rows = [
        (instrument, burden(templates, instrument, role))
        for instrument_id in templates.instruments
        for instrument in (templates.instrument(instrument_id, v) for v in templates.versions(instrument_id))
        for role in instrument.roles
    ]
    if fmt == ListFormat.json:
        print(json.dumps([b.as_dict() for _, b in rows], ensure_ascii=False, indent=1))
        return
    table = Table(title="Instrument")
    for column in ("instrument", "version", "role", "items", "minutes", "hash", "sv / en"):
        table.add_column(column)
    for instrument, found in rows:
        table.add_row(
            found.instrument,
            found.version,
            found.role,
            str(found.items),
            f"{found.minutes:.1f}",
            content_hash(templates, instrument)[:12],
            f"{instrument.title.sv} / {instrument.title.en}",
        )
    out.print(table)


@survey_app.command("release")
def survey_release(
    instrument: Annotated[str, typer.Argument(help="Instrumentets id / instrument id.")],
    surveys: SurveysOption = None,
) -> None:
    """Släpp instrumentets version / Record the instrument's version and content hash.

    Writes versions.yml. Refuses when the version was already released with other content: a
    changed item means a new version number.
    """
    from evaluation.survey import load_templates, release

    templates = load_templates(surveys, require_released=False)
    try:
        version, digest = release(templates, instrument)
    except KeyError as exc:
        _fail(str(exc).strip("'\""), code=2)
    out.print(f"[green]Släppt / released[/green]: {instrument} {version} sha256 {digest[:12]}")


@survey_app.command("export")
def survey_export(
    instrument: Annotated[
        str, typer.Argument(help="Instrumentets id, eller 'all' för kodboken / id, or 'all'.")
    ],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Format.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Fil att skriva / file to write.")],
    role: Annotated[
        Role | None,
        typer.Option(help="Roll / role (krävs utom för kodbok / required but codebook)."),
    ] = None,
    lang: Annotated[Lang, typer.Option(help="Språk / language.")] = Lang.sv,
    cohort: Annotated[
        Path | None,
        typer.Option(
            "--cohort",
            help="Kohortmappen vars cohort.yml ger informationstexten / cohort folder whose cohort.yml "
            "fills in the information text (controller, contact, purpose, legal basis, retention).",
            file_okay=False,
        ),
    ] = None,
    version: Annotated[
        str | None,
        typer.Option(
            "--version",
            help="En släppt version / a released version (default: the cohort's pinned version with "
            "--cohort, else the current one).",
        ),
    ] = None,
    surveys: SurveysOption = None,
) -> None:
    r"""Exportera ett formulär / Export a form for a survey platform, print or the codebook.

    Formats: xlsform (ODK/Kobo), limesurvey (TSV structure), html (printable), codebook (Markdown and
    CSV), csv-template (empty response file with the canonical columns), google-apps-script (a script
    that creates the Google Form), qsf (Qualtrics survey file).

    Every form opens with an information text for respondents (voluntary, what is collected, who sees
    what, controller, purpose, legal basis, retention, rights, contact) and ends with a thank-you.
    With --cohort DIR the text comes from DIR/cohort.yml (also min_group_size and pair_feedback);
    without it, and for texts cohort.yml does not set, the form shows placeholders such as
    "\[personuppgiftsansvarig]" (the controller).
    """
    from evaluation.forms import export

    templates = _templates(surveys)
    information = _information(cohort)
    if version is None and cohort is not None:
        from evaluation.cohort import load_cohort

        pin = load_cohort(cohort).instruments.get(instrument)
        version = pin.version if pin else None
    try:
        written = export(
            templates,
            instrument,
            fmt.value,
            output,
            role=role.value if role else None,
            lang=lang.value,
            version=version,
            information=information,
        )
    except (KeyError, ValueError) as exc:
        _fail(str(exc).strip("'\""), code=2)
    out.print(f"Skrev / wrote {written}")
    _warn_placeholders(information)


def _information(cohort: Path | None):
    """Return the information text's settings from `cohort`'s cohort.yml, or None without a cohort."""
    if cohort is None:
        return None
    from evaluation.cohort import load_cohort

    try:
        return load_cohort(cohort).information
    except EvaluationError as exc:
        _fail(str(exc))


def _warn_placeholders(information) -> None:
    """Say which texts of the information text are still placeholders."""
    from evaluation.survey.notices import FIELDS

    missing = FIELDS if information is None else information.missing()
    if missing:
        err.print(
            "[yellow]Varning / warning:[/yellow] informationstexten visar platshållare för / the "
            f"information text shows placeholders for: {', '.join(missing)} "
            "(sätt dem i cohort.yml och exportera med --cohort / set them in cohort.yml and export "
            "with --cohort)",
            highlight=False,
        )


@survey_app.command("export-all")
def survey_export_all(
    folder: Annotated[Path, typer.Argument(help="Mapp att skriva till / output folder.")],
    cohort: Annotated[
        Path | None,
        typer.Option(
            "--cohort",
            help="Kohortmappen vars cohort.yml ger informationstexten / cohort folder whose cohort.yml "
            "fills in the information text.",
            file_okay=False,
        ),
    ] = None,
    surveys: SurveysOption = None,
) -> None:
    """Exportera alla instrument × roller × språk × format / Export every form in every format.

    With --cohort DIR every form's information text comes from DIR/cohort.yml (see `survey export`).
    """
    from evaluation.forms import FORMATS, export

    templates = _templates(surveys)
    information = _information(cohort)
    count = 0
    try:
        for instrument in templates.instruments.values():
            for role in instrument.roles:
                for lang in ("sv", "en"):
                    for fmt, (suffix, _) in FORMATS.items():
                        if fmt == "codebook":
                            continue
                        name = f"{instrument.id}-{role}-{lang}{suffix}"
                        target = folder / fmt / name
                        export(
                            templates,
                            instrument.id,
                            fmt,
                            target,
                            role=role,
                            lang=lang,
                            information=information,
                        )
                        count += 1
    except ValueError as exc:
        _fail(str(exc), code=2)
    export(templates, "all", "codebook", folder / "codebook" / "codebook.md")
    out.print(f"Skrev / wrote {count} formulär / forms och kodboken / and the codebook i / in {folder}")
    _warn_placeholders(information)


@cohort_app.command("new")
def cohort_new(
    folder: Annotated[Path, typer.Argument(help="Kohortmappen, t.ex. / e.g. data/2027.")],
    name: Annotated[str, typer.Option(help="Kohortens namn / cohort name.")],
    start: Annotated[str, typer.Option(help="Startmånad / start month, YYYY-MM.")],
    end: Annotated[
        str | None, typer.Option(help="Slutmånad / end month, YYYY-MM (default: start + 11).")
    ] = None,
    min_group_size: Annotated[
        int, typer.Option(help="Minsta redovisningsgrupp / minimum reporting group size.")
    ] = 5,
    cost_per_adept: Annotated[
        float, typer.Option(help="Kostnad per adept i kronor / cost per adept, SEK.")
    ] = 6000,
    surveys: SurveysOption = None,
) -> None:
    """Skapa en ny kohortmapp / Scaffold a new cohort folder.

    Writes cohort.yml (instrument versions pinned), a roster template, raw/ and processed/ with
    READMEs. Never overwrites: the folder must be new or empty.
    """
    from evaluation.cohort import new_cohort

    templates = _templates(surveys)
    config = new_cohort(
        folder,
        name=name,
        start=start,
        end=end,
        templates=templates,
        min_group_size=min_group_size,
        cost_per_adept_sek=cost_per_adept,
    )
    out.print(
        f"Skapade / created {folder}: {config.name}, {config.period.start}–{config.period.end}, "
        f"{len(config.instruments)} instrument"
    )


@key_app.command("new")
def key_new(
    path: Annotated[
        Path,
        typer.Argument(
            help="Nyckelfilen, utanför repot / key file, outside the repository, "
            "e.g. ~/.config/evaluation/pseudonym.key."
        ),
    ],
) -> None:
    """Skapa en ny pseudonymnyckel / Create a new pseudonym key file.

    Writes 32 random bytes as 64 hexadecimal characters, readable by you only (mode 600). Never
    overwrites a file and refuses a place inside a git repository. The key itself is never printed.
    Keep it, back it up and use the same key for every cohort: a new key gives new pseudonyms.
    """
    from evaluation.ingest.pseudonym import new_key

    try:
        written = new_key(path)
    except EvaluationError as exc:
        _fail(str(exc))
    out.print(
        f"Skrev en ny nyckel till / wrote a new key to {written} (mode 600).\n"
        f"Använd den / use it: export EVALUATION_PSEUDONYM_KEY_FILE={written}  "
        f"eller / or: evaluation ingest data/<kohort> --key-file {written}\n"
        "Säkerhetskopiera den och checka aldrig in den / back it up and never commit it.",
        highlight=False,
        markup=False,
    )


@app.command("synth")
def synth(
    folder: Annotated[Path, typer.Argument(help="Kohortmappen att skapa / cohort folder, e.g. data/demo.")],
    pairs: Annotated[int, typer.Option(help="Antal par / number of mentor-adept pairs.")] = 40,
    agencies: Annotated[int, typer.Option(help="Antal myndigheter / number of agencies.")] = 8,
    seed: Annotated[int, typer.Option(help="Slumpfrö / random seed (same seed, same bytes).")] = 2021,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="Exportformat / export shape: generic, qualtrics, google-forms, ms-forms, limesurvey, "
            "swedish-excel or mixed.",
        ),
    ] = "generic",
    mess: Annotated[
        bool, typer.Option("--mess", help="Plantera verkliga fel / plant the faults of real exports.")
    ] = False,
    start: Annotated[str, typer.Option(help="Programmets första månad / first month, YYYY-MM.")] = "2027-01",
    force: Annotated[
        bool, typer.Option("--force", help="Ersätt en syntetisk kohort / replace a synthetic cohort.")
    ] = False,
    survey_version: Annotated[
        str | None,
        typer.Option(
            "--survey-version",
            help="Släppt version av baseline- och uppföljningsenkäten / released version of the baseline "
            "and follow-up surveys to answer, e.g. 1.0.0 (default: the current version).",
        ),
    ] = None,
    surveys: SurveysOption = None,
    effects: Annotated[
        str,
        typer.Option(
            "--effects",
            help="Sanna effekter / true effects: realistic (small, as in the literature), null (no change), "
            "strong (large, for power) or a profile YAML file (per construct: level, gap, change, dose, "
            "response_shift).",
        ),
    ] = "realistic",
    mnar: Annotated[
        float,
        typer.Option(
            "--mnar",
            help="Bortfall som beror på förändring / dropout missing not at random: log-odds of no "
            "follow-up fall by X per SD of one's latent change of the key construct (0: at random).",
        ),
    ] = 0.0,
) -> None:
    """Skapa en syntetisk kohort med känd sanning / Generate a synthetic cohort with known truth.

    Writes cohort.yml, roster.csv, raw/ (one export per instrument, role and wave, the meeting log
    and inspiration feedback) and truth.json (the true parameters, for tests and benchmarks).
    Names and e-mails are fictitious (@example.se). The effects are realistic unless --effects says
    otherwise; --mnar makes those who change least leave the follow-up most often.
    """
    from evaluation.synth import TRUTH_FILE, synthesize

    templates = _templates(surveys)
    try:
        truth = synthesize(
            folder,
            templates,
            pairs=pairs,
            agencies=agencies,
            seed=seed,
            fmt=fmt,
            mess=mess,
            start=start,
            force=force,
            versions=({"baseline": survey_version, "followup": survey_version} if survey_version else None),
            effects=effects,
            mnar=mnar,
        )
    except (ValueError, KeyError) as exc:
        _fail(str(exc).strip("'\""), code=2)
    files = len(truth["sources"])
    out.print(
        f"Skapade / created {folder}: {pairs} par / pairs, {agencies} myndigheter / agencies, "
        f"{files} exportfiler / exports ({fmt}), {len(truth['faults'])} planterade fel / planted "
        f"faults, effekter / effects {truth['effects']}; sanningen i / truth in {folder / TRUTH_FILE}"
    )


@app.command("ingest")
def ingest(
    folder: Annotated[Path, typer.Argument(help="Kohortmappen / cohort folder, e.g. data/2027.")],
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Avbryt om någon rad hamnar i karantän / fail on any quarantined row."),
    ] = False,
    key_file: Annotated[
        Path | None,
        typer.Option(
            "--key-file", help="Pseudonymnyckel, utanför repot / pseudonym key file, outside the repository."
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Kontrollera bara kolumnerna, skriv inget i processed/ / only check the columns, "
            "write nothing to processed/.",
        ),
    ] = False,
    surveys: SurveysOption = None,
) -> None:
    """Läs in exporterna / Ingest the cohort's exports into processed/.

    Reads every source listed in cohort.yml, maps columns to items, converts labels to codes, links
    respondents to the roster, replaces identifiers with keyed pseudonyms and writes
    responses.parquet, inspiration.parquet, meeting_log.parquet, quarantine.csv and the ingest report
    (JSON, Markdown, HTML). raw/ is never written; processed/ is replaced only when all succeeded.

    With --check: reads every source and lists all unmatched columns and items at once, with the
    closest candidates, writes a suggested columns: block to DIR/columns.suggested.yml, changes
    nothing in processed/, and exits 0 only when every source maps completely.
    """
    from evaluation.ingest import ingest_cohort

    if check:
        from evaluation.ingest.run import check_cohort

        found = check_cohort(folder, _templates(surveys))
        for file, problems in found.problems.items():
            mark = "[green]ok[/green]" if not problems else f"[red]{len(problems)} problem[/red]"
            out.print(f"{file}: {mark}")
            for problem in problems:
                out.print(f"  {problem}", highlight=False, markup=False)
        if found.suggested is not None:
            out.print(f"Förslag / suggestions: {found.suggested}")
        raise typer.Exit(0 if found.ok else 1)

    report = ingest_cohort(folder, _templates(surveys), key_file=key_file, strict=strict)
    totals = report["totals"]
    out.print(
        f"Läste / read {totals['rows_read']} rader / rows: {totals['rows_accepted']} godkända / accepted, "
        f"{totals['rows_quarantined']} i karantän / quarantined; "
        f"{totals['cells_quarantined']} celler i karantän / cells quarantined; "
        f"{totals['redactions']} fritextsvar rensade / free-text answers cleaned. "
        f"Rapport / report: {folder / 'processed' / 'ingest_report.html'}"
    )
    for warning in report["warnings"]:
        err.print(f"[yellow]Varning / warning:[/yellow] {warning}", highlight=False)


REPORTS_DIR = Path("reports")


def _report_dir(folder: Path, out: Path | None) -> Path:
    from evaluation.cohort import load_cohort

    return out if out is not None else REPORTS_DIR / load_cohort(folder).id


def _print_results(results, index: Path, seconds: float) -> None:
    from evaluation.report.build import summary_line

    failed = [r for r in results if r.status == "failed"]
    out.print(summary_line(results, seconds), highlight=False, markup=False)
    for result in failed:
        cell = f", cell {result.cell}" if result.cell is not None else ""
        err.print(
            f"[red]Misslyckades / failed[/red]: {result.task.notebook.name} {result.task.parameters}{cell}: "
            f"{result.error} (partial notebook: {result.task.executed})",
            highlight=False,
            markup=True,
        )
    out.print(f"Index: {index}")
    if failed:
        raise typer.Exit(1)


@app.command("report")
def report(
    folder: Annotated[Path, typer.Argument(help="Kohortmappen / cohort folder (ingested).")],
    only: Annotated[
        str | None,
        typer.Option(
            help="Bara en rapporttyp / one report kind: data-quality, "
            "instrument-quality, cohort, agency, feedback, brief, comparison."
        ),
    ] = None,
    lang: Annotated[Lang, typer.Option(help="Språk / language.")] = Lang.sv,
    jobs: Annotated[int, typer.Option(help="Parallella arbetare / parallel workers.")] = 2,
    force: Annotated[bool, typer.Option("--force", help="Kör om allt / re-run every report.")] = False,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Rapportmapp / output folder (default reports/<cohort id>).")
    ] = None,
    compare: Annotated[
        list[Path] | None,
        typer.Option(help="Fler kohorter att jämföra / more cohorts to compare (comparison report)."),
    ] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Även PDF / also a PDF beside each leadership report (Chromium).")
    ] = False,
    progress: Annotated[
        bool,
        typer.Option(
            "--progress/--no-progress",
            help="Visa förloppet på en terminal / show progress on a terminal (never in a pipe or log).",
        ),
    ] = True,
) -> None:
    """Skriv rapporterna / Build the cohort's reports with papermill into reports/<cohort>/.

    index.html, cohort.html, data-quality.html, instrument-quality.html, agencies/<agency>.html,
    feedback/<pseudonym>.html (one per participant, never linked from the index), results/*.csv and
    the executed notebooks. Unchanged reports are not re-run unless --force. Ends with
    `evaluation audit` of everything written, and exits 1 if the audit finds anything.
    """
    from evaluation.report.build import build_reports

    target = _report_dir(folder, out_dir)
    started = time.perf_counter()
    index, results = build_reports(
        folder,
        target,
        lang=lang.value,
        only=only,
        jobs=jobs,
        force=force,
        compare=compare,
        pdf=pdf,
        progress=progress,
        console=out,
    )
    _print_results(results, index, time.perf_counter() - started)
    _audit_or_exit(target, folder)


def _audit_or_exit(reports_dir: Path, cohort_dir: Path, *, use_cache: bool = True) -> None:
    from evaluation.audit import audit_reports, format_findings

    # the cache skips a folder byte for byte as the last clean audit found it (evaluation.audit)
    findings = audit_reports(reports_dir, cohort_dir, use_cache=use_cache)
    if findings:
        err.print(format_findings(findings), highlight=False, markup=False)
        raise typer.Exit(1)
    files = sum(1 for p in reports_dir.rglob("*") if p.is_file())
    out.print(f"Granskning / audit: inga fynd / no findings ({files} filer / files).")


@app.command("audit")
def audit(
    reports_dir: Annotated[Path, typer.Argument(help="Rapportmappen / reports folder, e.g. reports/2027.")],
    cohort: Annotated[
        Path, typer.Option("--cohort", help="Kohortmappen / cohort folder (roster, minimum group size).")
    ],
) -> None:
    """Granska allt som publicerats / Audit everything published under a reports folder.

    An independent check of what was published (HTML text, CSV, executed notebooks, PDF text), not of
    the code that published it: groups below cohort.yml's min_group_size, hidden cells recoverable by
    subtraction within or across tables, roster identifiers, participant-level rows, absolute paths
    and links to feedback pages. Exits 1 naming file, table and cell for every finding. Always the full
    audit: the result cache that `evaluation report` uses for an unchanged folder is not used.
    """
    if not reports_dir.is_dir():
        raise EvaluationError(f"{reports_dir}: rapportmappen saknas / the reports folder does not exist")
    _audit_or_exit(reports_dir, cohort, use_cache=False)  # asked for by name: always the full audit


@app.command("plan")
def plan_command(
    folder: Annotated[Path, typer.Argument(help="Kohortmappen / cohort folder (ingested), e.g. data/2027.")],
    pairs: Annotated[int, typer.Option("--pairs", help="Par i nästa kohort / pairs in the next cohort.")],
    attrition: Annotated[
        float | None,
        typer.Option("--attrition", help="Bortfall / dropout share, 0-1 (default: this cohort's)."),
    ] = None,
    change: Annotated[
        float | None,
        typer.Option("--change", help="Förändring att upptäcka / change to detect, in scale points."),
    ] = None,
    power: Annotated[float, typer.Option("--power", help="Styrka / power.")] = 0.8,
) -> None:
    """Planera nästa kohort / Power for the next cohort, per primary outcome.

    From this cohort's SD of change, pre-post correlation and dropout: the smallest change a cohort of
    --pairs pairs would detect with the given power (two-sided paired t at alpha 0.05 divided by the
    number of primary outcomes), and with --change the pairs to invite to detect that change.
    """
    from evaluation.planning import plan_next_cohort
    from evaluation.report.data import analysis_plan, load

    data = load(folder)
    try:
        table = plan_next_cohort(
            data.scores,
            list(analysis_plan(data).primary),
            pairs,
            attrition=attrition,
            change=change,
            power=power,
        )
    except ValueError as exc:
        _fail(str(exc), code=2)
    rows = Table(title=f"Nästa kohort / next cohort: {pairs} par / pairs")
    for column in (
        "construct",
        "role",
        "sd_change",
        "r",
        "attrition",
        "n",
        "detectable",
        "d",
        "pairs_needed",
    ):
        rows.add_column(column, overflow="fold")
    for r in table.itertuples():
        rows.add_row(
            r.construct,
            r.role,
            f"{r.sd_change:.2f}",
            f"{r.r_pre_post:.2f}",
            f"{r.attrition:.2f}",
            f"{r.n_expected:.1f}",
            f"{r.detectable_change:.2f}",
            f"{r.detectable_d:.2f}",
            "–" if r.pairs_needed != r.pairs_needed else f"{r.pairs_needed:.1f}",
        )
    outcomes = ", ".join(f"{r.construct} ({r.role})" for r in table.itertuples())
    out.print(f"Huvudutfall / primary outcomes: {outcomes}", highlight=False, soft_wrap=True)
    out.print(rows)


@app.command("demo")
def demo(
    folder: Annotated[
        Path, typer.Argument(help="Mapp för den syntetiska kohorten / synthetic cohort folder.")
    ] = Path("data/demo"),
    jobs: Annotated[int, typer.Option(help="Parallella arbetare / parallel workers.")] = 2,
) -> None:
    """Hela flödet på en syntetisk kohort / The whole flow on a synthetic cohort.

    synth (mixed platforms, with planted faults) -> ingest -> report, and prints the index path.
    """
    from evaluation.ingest import ingest_cohort
    from evaluation.report.build import build_reports
    from evaluation.synth import synthesize

    templates = _templates(None)
    synthesize(folder, templates, pairs=40, agencies=8, seed=2021, fmt="mixed", mess=True, force=True)
    out.print(f"Syntetisk kohort / synthetic cohort: {folder}")
    ingest_cohort(folder, templates)
    out.print(f"Importerad / ingested: {folder / 'processed'}")
    target = _report_dir(folder, None)
    started = time.perf_counter()
    index, results = build_reports(folder, target, jobs=jobs, console=out)
    _print_results(results, index, time.perf_counter() - started)
    _audit_or_exit(target, folder)


TemplatesFolder = Annotated[
    Path | None,
    typer.Argument(
        help="Mallmapp / templates folder (default: the package's, notebooks/ in a checkout).",
        file_okay=False,
        exists=True,
    ),
]


@templates_app.command("lock")
def templates_lock(folder: TemplatesFolder = None) -> None:
    """Lås rapportmallarna / Record the report templates in templates.lock after changing them.

    Writes the SHA-256 of each notebook's cells (type, source, tags; not outputs) to
    templates.lock beside them. evaluation report refuses a template that differs from it, so run
    this after changing a template on purpose, and commit the lock with the template.
    """
    from evaluation.workspace import lock_templates

    path = lock_templates(folder)
    out.print(f"Låst / locked: {path}", highlight=False)


@templates_app.command("check")
def templates_check(folder: TemplatesFolder = None) -> None:
    """Kontrollera rapportmallarna mot låsfilen / Check the report templates against templates.lock.

    Exits 1 naming every template (and its cells) that changed since it was locked.
    """
    from evaluation.workspace import check_templates, packaged_notebooks_dir

    folder = folder if folder is not None else packaged_notebooks_dir()
    check_templates(folder)
    out.print(f"OK: {folder.resolve()}", highlight=False)


@app.command("lab", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def lab(
    ctx: typer.Context,
    cohort: Annotated[
        Path | None,
        typer.Option(
            "--cohort",
            help="Kohorten anteckningsböckerna läser / the cohort the notebooks read (default: as before, "
            "else the demo).",
            file_okay=False,
        ),
    ] = None,
    refresh: Annotated[
        bool,
        typer.Option(
            "--refresh",
            help="Ersätt kopiorna med dagens mallar / replace the copies with the current templates "
            "(edited copies are kept in lab/backup/).",
        ),
    ] = False,
    folder: Annotated[
        Path | None,
        typer.Option(
            "--dir",
            help="Arbetsytan / the workspace (default lab/ in a checkout, else ./lab).",
            file_okay=False,
        ),
    ] = None,
    open_lab: Annotated[
        bool,
        typer.Option("--open/--no-open", help="Öppna JupyterLab / open JupyterLab there (default)."),
    ] = True,
) -> None:
    """Analytikerns arbetsyta / Open JupyterLab on the analyst's workspace, a copy of the report templates.

    The workspace (lab/, kept out of git) holds copies of the notebooks in notebooks/, made once and
    refreshed only with --refresh. They read the demo cohort, or the one given with --cohort, and
    write results to lab/results/. Nothing there is published: evaluation report runs the package's
    templates, never these copies. `make lab` runs this. Arguments after -- go to JupyterLab, e.g.
    evaluation lab -- --no-browser --port 8890.
    """
    from evaluation.workspace import prepare_lab

    done = prepare_lab(folder, cohort=cohort, refresh=refresh)
    out.print(f"Arbetsyta / workspace: {done.folder}", highlight=False)
    out.print(f"Kohort / cohort: {done.cohort}", highlight=False)
    if not (done.cohort / "processed" / "responses.parquet").exists():
        err.print(
            f"[yellow]Obs / note[/yellow]: {done.cohort} är inte importerad / is not ingested yet "
            f"(evaluation ingest {done.cohort}; the demo: make demo).",
            highlight=False,
        )
    for label, names in (
        ("Kopierade / copied", done.copied),
        ("Uppdaterade / refreshed", done.refreshed),
        ("Sparade / backed up", done.backed_up),
    ):
        if names:
            out.print(f"{label}: {', '.join(names)}", highlight=False)
    if done.differ:
        out.print(
            f"Skiljer sig från mallarna / differ from the templates (kept): {', '.join(done.differ)}; "
            "make lab REFRESH=1 (evaluation lab --refresh) replaces them and keeps yours in backup/.",
            highlight=False,
        )
    if open_lab:
        _open_jupyterlab(done.folder, list(ctx.args))


def jupyterlab_command(folder: Path, extra: list[str] | None = None) -> list[str]:
    """Return the command that opens JupyterLab on `folder` (and only there) with this Python."""
    import os

    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # a container: JupyterLab refuses root otherwise
        command.append("--allow-root")
    return [*command, *(extra or [])]


def _open_jupyterlab(folder: Path, extra: list[str]) -> None:
    import importlib.util
    import subprocess

    if importlib.util.find_spec("jupyterlab") is None:
        raise EvaluationError(
            "JupyterLab saknas / is not installed: make lab installs it (pip install 'evaluation[lab]')"
        )
    raise typer.Exit(subprocess.call(jupyterlab_command(folder, extra), cwd=folder))


def main() -> None:
    """Run the command line; print the toolkit's own errors without a traceback."""
    try:
        app()
    except EvaluationError as exc:
        err.print(f"[bold red]Fel / Error:[/bold red] {exc}", highlight=False)
        sys.exit(1)
