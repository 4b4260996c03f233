"""The survey templates: the real ones are valid, and planted faults are reported as a user needs."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from evaluation import survey
from evaluation.errors import TemplateError
from evaluation.survey import (
    LANGUAGES,
    ROLES,
    check_templates,
    content_hash,
    default_surveys_dir,
    load_templates,
    packaged_surveys_dir,
)
from evaluation.survey import load as survey_load
from evaluation.survey.model import ITEM_ID

from .conftest import REPO, SURVEYS, read_yaml, write_yaml


def test_repository_templates_are_valid():
    assert check_templates() == []


def test_instruments_required_by_the_program_exist(templates):
    assert {"baseline", "followup", "inspiration", "meeting_log"} <= set(templates.instruments)
    for instrument in templates.instruments.values():
        assert instrument.items_for("mentor") or instrument.items_for("adept")


def test_constructs_cover_the_programs_purpose(templates):
    domains = {c.domain for c in templates.constructs.values()}
    assert domains == {
        "work_values",
        "intergenerational",
        "technology",
        "employer_attractiveness",
        "organisation",
        "program",
    }
    for construct in templates.constructs.values():
        if construct.scoring.method == "mean":
            assert len(construct.scoring.items) >= 3, construct.id
        assert construct.references, construct.id


def test_mean_constructs_have_reverse_keyed_items_mostly(templates):
    means = [c for c in templates.constructs.values() if c.scoring.method == "mean"]
    with_reverse = [c for c in means if c.scoring.reverse]
    assert len(with_reverse) >= len(means) // 2


def test_every_text_exists_in_every_language_for_every_role(templates):
    for instrument in templates.instruments.values():
        for role in ROLES:
            for item in instrument.items_for(role):
                for lang in LANGUAGES:
                    assert item.wording(role, lang).strip(), (item.id, role, lang)


def test_perception_items_pair_with_self_items_and_differ_by_role(templates):
    baseline = templates.instrument("baseline")
    perceived = [i for i in baseline.items if i.perception_of]
    assert len(perceived) >= 7
    for item in perceived:
        target = baseline.item(item.perception_of)
        assert target.scale == item.scale
        assert item.wording("mentor", "sv") != item.wording("adept", "sv")


@pytest.mark.parametrize("version", ["1.0.0", "2.0.0"])
def test_followup_has_retrospective_items_for_key_constructs(templates, version):
    followup = templates.instrument("followup", version)
    asked = {i.id for i in followup.items}
    then_items = {i.then_of for i in followup.items if i.then_of}
    keys = [c for c in templates.constructs.values() if c.key]
    assert keys
    for construct in keys:
        current = set(construct.scoring.items) & asked
        assert current, (construct.id, version)
        assert current <= then_items, construct.id


def test_item_ids_are_valid_platform_codes(templates):
    for item_id in templates.items:
        assert ITEM_ID.match(item_id)
        assert "_" not in item_id


def test_content_hash_ignores_layout_but_not_wording(surveys_copy: Path):
    before = load_templates(surveys_copy)
    path = surveys_copy / "items.yml"
    # Re-dump the same data with another layout: same hash.
    write_yaml(path, read_yaml(path))
    same = load_templates(surveys_copy)
    for instrument_id, instrument in before.instruments.items():
        assert content_hash(same, same.instrument(instrument_id)) == content_hash(before, instrument)
    # Change one word of an item in baseline: baseline's hash changes.
    data = read_yaml(path)
    item = next(i for i in data["items"] if i["id"] == before.instrument("baseline").items[0].id)
    item["text"]["sv"] += " (ändrad)"
    write_yaml(path, data)
    changed_problems = check_templates(surveys_copy)
    assert any(p.file.name == "baseline.yml" and "content changed" in p.en for p in changed_problems)


# --- planted faults: each must name the file, the place and the problem -------------------------


def _items(surveys: Path):
    return read_yaml(surveys / "items.yml")


def _problem_texts(surveys: Path) -> list[str]:
    return [str(p) for p in check_templates(surveys)]


def test_duplicate_item_id_is_reported(surveys_copy):
    data = _items(surveys_copy)
    data["items"].append(dict(data["items"][0]))
    write_yaml(surveys_copy / "items.yml", data)
    dup = data["items"][0]["id"]
    texts = _problem_texts(surveys_copy)
    assert any("items.yml" in t and dup in t and "duplicate item id" in t for t in texts), texts


def test_unknown_scale_is_reported(surveys_copy):
    data = _items(surveys_copy)
    victim = data["items"][0]
    victim["scale"] = "agree7"
    write_yaml(surveys_copy / "items.yml", data)
    texts = _problem_texts(surveys_copy)
    assert any("items.yml" in t and victim["id"] in t and "'agree7' is not defined" in t for t in texts), (
        texts
    )


def test_missing_language_is_reported(surveys_copy):
    data = _items(surveys_copy)
    victim = next(i for i in data["items"] if "text" in i)
    del victim["text"]["en"]
    write_yaml(surveys_copy / "items.yml", data)
    texts = _problem_texts(surveys_copy)
    assert any(f"{victim['id']}: text.en" in t and "field required" in t for t in texts), texts


def test_construct_referring_to_missing_item_is_reported(surveys_copy):
    path = surveys_copy / "constructs.yml"
    data = read_yaml(path)
    construct = next(c for c in data["constructs"] if c["scoring"]["method"] == "mean")
    construct["scoring"]["items"].append("ghost1")
    write_yaml(path, data)
    texts = _problem_texts(surveys_copy)
    assert any(
        "constructs.yml" in t and construct["id"] in t and "'ghost1' is not defined" in t for t in texts
    ), texts


def test_reverse_key_disagreement_is_reported(surveys_copy):
    data = _items(surveys_copy)
    victim = next(i for i in data["items"] if i.get("reverse"))
    victim["reverse"] = False
    write_yaml(surveys_copy / "items.yml", data)
    texts = _problem_texts(surveys_copy)
    assert any(victim["id"] in t and "reverse key" in t for t in texts), texts


def test_instrument_listing_unknown_item_is_reported(surveys_copy):
    path = surveys_copy / "instruments" / "inspiration.yml"
    data = read_yaml(path)
    data["sections"][0]["items"].append("nosuchitem")
    write_yaml(path, data)
    texts = _problem_texts(surveys_copy)
    assert any(
        "inspiration.yml" in t and "nosuchitem" in t and "not defined in items.yml" in t for t in texts
    ), texts


def test_item_id_with_underscore_is_rejected(surveys_copy):
    data = _items(surveys_copy)
    data["items"][0]["id"] = "bad_id"
    write_yaml(surveys_copy / "items.yml", data)
    texts = _problem_texts(surveys_copy)
    assert any("bad_id" in t and "only letters and digits" in t for t in texts), texts


def test_invalid_yaml_names_the_line(surveys_copy):
    path = surveys_copy / "scales.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(3, "  broken: [unclosed")
    path.write_text("\n".join(lines), encoding="utf-8")
    texts = _problem_texts(surveys_copy)
    assert any("scales.yml" in t and "invalid YAML" in t for t in texts), texts


def test_load_templates_raises_with_every_problem(surveys_copy):
    data = _items(surveys_copy)
    data["items"][0]["scale"] = "nope1"
    data["items"][1]["scale"] = "nope2"
    write_yaml(surveys_copy / "items.yml", data)
    with pytest.raises(TemplateError) as caught:
        load_templates(surveys_copy)
    message = str(caught.value)
    assert "'nope1'" in message and "'nope2'" in message
    assert len(caught.value.problems) >= 2


def test_key_construct_without_retrospective_item_is_reported(surveys_copy):
    data = _items(surveys_copy)
    then = next(i for i in data["items"] if i.get("then_of"))
    data["items"].remove(then)
    write_yaml(surveys_copy / "items.yml", data)
    path = surveys_copy / "instruments" / "followup.yml"
    followup = read_yaml(path)
    for section in followup["sections"]:
        if then["id"] in section["items"]:
            section["items"].remove(then["id"])
    write_yaml(path, followup)
    texts = _problem_texts(surveys_copy)
    assert any(
        "constructs.yml" in t and "needs a retrospective (then_of) item" in t and then["then_of"] in t
        for t in texts
    ), texts


def test_item_worded_only_per_role_needs_every_role(surveys_copy):
    data = _items(surveys_copy)
    victim = next(i for i in data["items"] if i.get("perception_of"))
    del victim["text"]
    write_yaml(surveys_copy / "items.yml", data)
    # Without the common text the item is still valid (only the instruments' hashes change).
    assert not [p for p in check_templates(surveys_copy) if p.where == victim["id"]]
    del victim["role_text"]["adept"]
    write_yaml(surveys_copy / "items.yml", data)
    texts = _problem_texts(surveys_copy)
    assert any(victim["id"] in t and "missing text (or role_text for ['adept'])" in t for t in texts)


# --- where the templates are found: the repository's surveys/, and the copy the package ships -------


def test_the_package_ships_the_repository_templates():
    packaged = packaged_surveys_dir()
    assert packaged.parent == Path(survey.__file__).resolve().parent
    # In a checkout the packaged folder is a link to surveys/ at the root: one copy, edited there.
    assert packaged.resolve() == SURVEYS.resolve()
    files = sorted(p.relative_to(SURVEYS).as_posix() for p in SURVEYS.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(packaged).as_posix() for p in packaged.rglob("*") if p.is_file())


def test_load_templates_from_the_packaged_location(templates):
    packaged = load_templates(packaged_surveys_dir())
    assert packaged.directory == packaged_surveys_dir()
    assert packaged.released == templates.released
    assert packaged.model_dump(exclude={"directory"}) == templates.model_dump(exclude={"directory"})
    for instrument in packaged.instruments.values():
        digest = content_hash(packaged, instrument)
        assert packaged.released[instrument.id][instrument.version] == digest


def test_every_template_file_is_declared_package_data():
    """What pyproject.toml's package-data globs leave out would be missing from a built wheel."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["evaluation.survey"]
    package = Path(survey.__file__).resolve().parent
    shipped = {p.relative_to(package / "templates") for g in globs for p in package.glob(g) if p.is_file()}
    assert shipped == {p.relative_to(SURVEYS) for p in SURVEYS.rglob("*") if p.is_file()}


def test_default_surveys_dir_order(tmp_path, monkeypatch):
    monkeypatch.delenv("EVALUATION_SURVEYS", raising=False)
    monkeypatch.chdir(tmp_path)
    # From a checkout (an editable install): the repository's surveys/.
    assert default_surveys_dir().resolve() == SURVEYS.resolve()
    # Installed from a wheel, with no checkout around: the packaged copy.
    monkeypatch.setattr(survey_load, "_checkout_surveys_dir", lambda: None)
    assert default_surveys_dir() == packaged_surveys_dir()
    assert load_templates().directory == packaged_surveys_dir()
    # ./surveys in the working directory comes before either, and $EVALUATION_SURVEYS before all.
    (tmp_path / "surveys").mkdir()
    assert default_surveys_dir() == tmp_path / "surveys"
    monkeypatch.setenv("EVALUATION_SURVEYS", str(tmp_path / "elsewhere"))
    assert default_surveys_dir() == tmp_path / "elsewhere"


def test_citations_state_what_they_support_where_the_review_found_them_misapplied(templates):
    # ../shared/instrument-review.md §7: Vorauer et al. (1998) is about meta-stereotypes, not the
    # out-group perceptions the wvp items ask about; Weiner (2009) and Armenakis et al. (1993) define
    # readiness for one specific change; Allen et al. (2006, JAP) do not concern time invested;
    # Alliger et al. (1997) do not concern free-text comments; Howard (1980) does not make change
    # free of response shift.
    from evaluation.survey import Reference

    def cited(construct_id: str) -> list[str]:
        return [
            r.cite if isinstance(r, Reference) else r for r in templates.constructs[construct_id].references
        ]

    assert not any("Vorauer" in c for c in cited("work_values_perceived"))
    assert any("Judd" in c for c in cited("work_values_perceived"))
    assert not any("Journal of Applied Psychology" in c for c in cited("hours_invested"))
    for comment in ("program_comment", "inspiration_comment"):
        assert not any("Alliger" in c for c in cited(comment))
    readiness = templates.constructs["digital_readiness"].references
    for reference in readiness:
        assert isinstance(reference, Reference)
        if "Weiner" in reference.cite or "Armenakis" in reference.cite:
            assert "Background only" in reference.uses
    for construct in templates.constructs.values():
        for reference in construct.references:
            if "Howard" in (reference.cite if isinstance(reference, Reference) else reference):
                assert isinstance(reference, Reference) and "not make" in reference.uses


# Issue 12, findings 7 and "What to build" 5: one defined term per group in every role's form,
# "mentee" (never the false friend "adept") in English. The forbidden variants are the ones the
# methodologist's review (../shared/instrument-review.md, §2.3) found in version 1.
OTHER_TERMS = re.compile(
    r"yngre kollegor|unga kollegor|seniora kollegor|unga sökande|äldre medarbetare|yngre medarbetare"
    r"|kollegor i den andra generationen|\bunga\b(?! medarbetare| och seniora medarbetare)",
    re.IGNORECASE,
)
DEFINED = {"unga medarbetare": "29 år eller yngre", "seniora medarbetare": "lång erfarenhet av arbetslivet"}


def _form_texts(templates, instrument, role: str, lang: str) -> list[str]:
    texts = [instrument.intro[lang]]
    for section in instrument.sections:
        if not any(role in i.roles for i in section.items):
            continue
        seen = section.for_role(role)
        texts += [seen.title[lang], seen.intro[lang] if seen.intro else ""]
        for item in section.items:
            if role in item.roles:
                texts.append(item.wording(role, lang))
                texts.append(item.hint[lang] if item.hint else "")
                scale = templates.scale_of(item)
                texts += [c.label[lang] for c in scale.choices]
    return texts


@pytest.mark.parametrize("instrument_id", ["baseline", "followup"])
@pytest.mark.parametrize("role", ["mentor", "adept"])
def test_v2_forms_use_one_defined_term_per_group_and_mentee_in_english(templates, instrument_id, role):
    instrument = templates.instrument(instrument_id, "2.0.0")
    swedish = " ".join(_form_texts(templates, instrument, role, "sv"))
    assert not OTHER_TERMS.search(swedish), OTHER_TERMS.search(swedish)
    first = instrument.sections[0].for_role(role).intro["sv"]
    for term, definition in DEFINED.items():
        if term in swedish:
            assert term in first and definition in first, (term, "is defined in the first section")
    english = " ".join(_form_texts(templates, instrument, role, "en"))
    assert not re.search(r"\badepts?\b", english, re.IGNORECASE)
    if role == "adept":
        assert "mentor" in english
    else:
        assert "mentee" in english


def test_v1_forms_still_say_what_they_said(templates):
    # The released version 1 is kept word for word; the rules above apply from version 2.
    v1 = templates.instrument("followup", "1.0.0")
    assert OTHER_TERMS.search(" ".join(_form_texts(templates, v1, "adept", "sv")))
