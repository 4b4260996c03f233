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


def test_changed_item_without_new_version_fails_check(surveys_copy):
    _change_an_item_of(surveys_copy, "inspiration")
    problems = check_templates(surveys_copy)
    assert [p.file.name for p in problems] == ["inspiration.yml"]
    mine = problems
    assert mine and "content changed after this version was released" in mine[0].en
    assert mine[0].where == "version 1.0.0" and mine[0].file.name == "inspiration.yml"


def test_new_version_must_be_released_then_passes(surveys_copy):
    _change_an_item_of(surveys_copy, "inspiration")
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
