"""Versions and content hashes: a changed item means a new version, and a release records it."""

from __future__ import annotations

import pytest

from evaluation.errors import TemplateError
from evaluation.survey import check_templates, content_hash, load_templates, release

from .conftest import read_yaml, write_yaml


def _change_an_item_of(surveys, instrument_id):
    """Reword an item that only `instrument_id` asks, so that only its hash changes."""
    templates = load_templates(surveys)
    others = {item.id for i in templates.instruments.values() if i.id != instrument_id for item in i.items}
    victim = next(i.id for i in templates.instrument(instrument_id).items if i.id not in others)
    data = read_yaml(surveys / "items.yml")
    item = next(i for i in data["items"] if i["id"] == victim)
    item["text"]["en"] += " (changed)"
    write_yaml(surveys / "items.yml", data)


def _set_version(surveys, instrument_id, version):
    path = surveys / "instruments" / f"{instrument_id}.yml"
    data = read_yaml(path)
    data["version"] = version
    write_yaml(path, data)


def test_every_instrument_version_is_released_with_its_hash(templates):
    for instrument in templates.instruments.values():
        recorded = templates.released[instrument.id][instrument.version]
        assert recorded == content_hash(templates, instrument)


def _replace_an_item_of(surveys, instrument_id):
    """Reword an item the right way: a new item id with the new wording, asked instead of the old."""
    templates = load_templates(surveys)
    others = {item.id for i in templates.instruments.values() if i.id != instrument_id for item in i.items}
    victim = next(i.id for i in templates.instrument(instrument_id).items if i.id not in others)
    data = read_yaml(surveys / "items.yml")
    new = dict(next(i for i in data["items"] if i["id"] == victim), id=f"{victim}b")
    new["text"] = {**new["text"], "en": new["text"]["en"] + " (changed)"}
    data["items"].append(new)
    write_yaml(surveys / "items.yml", data)
    path = surveys / "instruments" / f"{instrument_id}.yml"
    spec = read_yaml(path)
    for section in spec["sections"]:
        section["items"] = [f"{victim}b" if i == victim else i for i in section["items"]]
    write_yaml(path, spec)
    constructs = read_yaml(surveys / "constructs.yml")
    for construct in constructs["constructs"]:
        if victim in construct["scoring"]["items"]:
            construct["scoring"]["items"].append(f"{victim}b")
    write_yaml(surveys / "constructs.yml", constructs)


def test_changed_item_without_new_version_fails_check(surveys_copy):
    _change_an_item_of(surveys_copy, "inspiration")
    problems = check_templates(surveys_copy)
    # The current instrument changed under its released version, and so did the kept copy of 1.0.0.
    assert sorted(p.file.name for p in problems) == ["inspiration-1.0.0.yml", "inspiration.yml"]
    current = next(p for p in problems if p.file.name == "inspiration.yml")
    assert "content changed after this version was released" in current.en
    assert current.where == "version 1.0.0"
    kept = next(p for p in problems if p.file.name == "inspiration-1.0.0.yml")
    assert "new item id" in kept.en


def test_new_version_must_be_released_then_passes(surveys_copy):
    _replace_an_item_of(surveys_copy, "inspiration")
    _set_version(surveys_copy, "inspiration", "1.1.0")
    problems = check_templates(surveys_copy)
    assert [(p.kind, p.file.name) for p in problems] == [("unreleased", "inspiration.yml")]
    with pytest.raises(TemplateError):
        load_templates(surveys_copy)
    templates = load_templates(surveys_copy, require_released=False)
    version, digest = release(templates, "inspiration")
    assert version == "1.1.0"
    assert check_templates(surveys_copy) == []
    released = read_yaml(surveys_copy / "versions.yml")["inspiration"]
    assert set(released) >= {"1.0.0", "1.1.0"} and released["1.1.0"] == digest


def test_release_refuses_to_rewrite_a_released_version(surveys_copy):
    _change_an_item_of(surveys_copy, "inspiration")
    # Loading already refuses; release itself refuses too, for callers that built Templates otherwise.
    with pytest.raises(TemplateError, match="content changed after this version was released"):
        load_templates(surveys_copy, require_released=False)
    from evaluation.survey.load import _read_all

    templates, _ = _read_all(surveys_copy)
    with pytest.raises(TemplateError, match="content changed after this version was released"):
        release(templates, "inspiration")
    assert read_yaml(surveys_copy / "versions.yml")["inspiration"] == {
        "1.0.0": content_hash(load_templates(), load_templates().instrument("inspiration"))
    }


def test_lower_version_than_released_is_reported(surveys_copy):
    _change_an_item_of(surveys_copy, "inspiration")
    _set_version(surveys_copy, "inspiration", "0.9.0")
    problems = check_templates(surveys_copy)
    assert any("lower than the newest released version 1.0.0" in p.en for p in problems)
