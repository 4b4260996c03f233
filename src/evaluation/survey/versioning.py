"""Instrument versions and content hashes.

Every instrument carries a version number (``major.minor.patch``) and has a content hash: SHA-256 of
its resolved content (sections, items with their texts, the scales they use with every value label,
and what the forms announce about the partner's feedback when it is not the default ``individual``),
the version number itself left out. An item's retrospective wording (``then_text``,
``then_role_text``, ``then_scale``, added after version 1.0.0) is hashed where respondents read it: as
the text and scale of the retrospective item, in the instruments that ask it. The fields themselves are
left out, so the hash of a version released before they existed does not change, and an instrument
that asks the item but not its retrospective item does not change with them.
``surveys/versions.yml`` records the hash of every released version. A cohort records the version
and hash it used in its cohort.yml, so its data can always be matched to the exact wording its
participants saw.

The rule that keeps this honest: a released version's content never changes. `check_versions` reports
an instrument whose content differs from the hash recorded for its version (change the version number),
and a version that has not been released yet (run ``evaluation survey release``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml

from evaluation.errors import Problem, TemplateError
from evaluation.survey.model import Instrument, Scale, Templates

__all__ = ["VERSIONS_FILE", "check_versions", "content_hash", "read_released", "release"]

VERSIONS_FILE = "versions.yml"

_THEN_FIELDS = ("then_text", "then_role_text", "then_scale")
"""Item fields the content hash leaves out: a retrospective item's wording, hashed as that item's text."""


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _scale_content(scale: Scale) -> dict:
    """Return a scale as hashed: a choice's ``missing`` flag only when set (earlier hashes hold)."""
    dump = scale.model_dump(mode="json")
    for choice in dump.get("choices", []):
        if not choice.get("missing"):
            choice.pop("missing", None)
    return dump


def content_hash(templates: Templates, instrument: Instrument) -> str:
    """Return the SHA-256 content hash of an instrument, version number excluded.

    Parameters
    ----------
    templates : Templates
        Supplies the scales the instrument's items use; their labels are part of the content.
    instrument : Instrument
        The resolved instrument.

    Returns
    -------
    str
        64 hexadecimal characters; equal for equal content, whatever the YAML's layout or comments.
    """
    exclude = {"version"}
    if instrument.partner_feedback == "individual":
        # Left out at its default so that versions released before the field existed keep their hash;
        # "shared" is content respondents read (the forms announce it), so it is part of the hash.
        exclude.add("partner_feedback")
    content = instrument.model_dump(mode="json", exclude=exclude)
    for section in content["sections"]:
        for name in ("role_title", "role_intro"):
            if not section.get(name):
                section.pop(name, None)  # hashed only when set: earlier versions keep their hash
        for item in section["items"]:
            # The retrospective wording is content where respondents read it: in the retrospective item,
            # which carries it as its own text and scale. Left out of the item it belongs to, so that
            # versions released before the fields existed keep their hash, and an instrument that asks
            # the item but not its retrospective item (a baseline) is not changed by them.
            for name in _THEN_FIELDS:
                item.pop(name, None)
    used = sorted({item.scale for item in instrument.items if item.scale in templates.scales})
    content["scales"] = {s: _scale_content(templates.scales[s]) for s in used}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def read_released(surveys_dir: Path, problems: list[Problem]) -> dict[str, dict[str, str]]:
    """Read ``versions.yml``: instrument id to {version: content hash}; problems are appended."""
    path = surveys_dir / VERSIONS_FILE
    if not path.exists():
        return {}
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        problems.append(Problem(path, "-", "ogiltig YAML", f"invalid YAML: {exc}"))
        return {}
    released: dict[str, dict[str, str]] = {}
    for instrument_id, versions in raw.items():
        if not isinstance(versions, dict):
            problems.append(
                Problem(path, str(instrument_id), "väntade version: hash", "expected version: hash")
            )
            continue
        released[str(instrument_id)] = {str(v): str(h) for v, h in versions.items()}
    return released


def check_versions(templates: Templates) -> list[Problem]:
    """Compare each instrument's content with the hash released for its version.

    Returns
    -------
    list of Problem
        For an instrument whose content changed under a released version number, whose version is
        lower than one already released, or whose version has not been released.
    """
    problems = []
    for instrument_id, kept in templates.archive.items():
        for version, frozen in kept.items():
            path = templates.directory / "instruments" / "released" / f"{instrument_id}-{version}.yml"
            recorded = templates.released.get(instrument_id, {}).get(version)
            digest = content_hash(templates, frozen)
            if recorded != digest:
                problems.append(
                    Problem(
                        path,
                        f"version {version}",
                        "den sparade kopian stämmer inte längre med den släppta versionen: en fråga, "
                        "skala eller text som den använder har ändrats. Släppt innehåll ändras aldrig: "
                        "ge ändrad formulering ett nytt fråge-id (och instrumentet en ny version)",
                        f"the kept copy does not match the released version (hash {digest[:12]}, "
                        f"released {(recorded or 'none')[:12]}): an item, scale or text it uses was "
                        "changed. Released content never changes: give changed wording a new item id "
                        "(and the instrument a new version)",
                    )
                )
    for instrument_id, versions in templates.released.items():
        current = templates.instruments.get(instrument_id)
        for version in versions:
            if (
                current is not None
                and version != current.version
                and version not in templates.archive.get(instrument_id, {})
            ):
                problems.append(
                    Problem(
                        templates.directory / "instruments" / "released",
                        f"{instrument_id} {version}",
                        f"den släppta versionen saknar sparad kopia ({instrument_id}-{version}.yml)",
                        f"the released version has no kept copy ({instrument_id}-{version}.yml), so "
                        "cohorts that answered it cannot be read",
                    )
                )
    for instrument in templates.instruments.values():
        path = templates.directory / "instruments" / f"{instrument.id}.yml"
        versions = templates.released.get(instrument.id, {})
        digest = content_hash(templates, instrument)
        recorded = versions.get(instrument.version)
        if recorded is not None and recorded != digest:
            problems.append(
                Problem(
                    path,
                    f"version {instrument.version}",
                    "innehållet har ändrats sedan versionen släpptes: ge instrumentet ett nytt "
                    "versionsnummer och kör `evaluation survey release`",
                    f"the content changed after this version was released (hash {digest[:12]}, "
                    f"released {recorded[:12]}): give the instrument a new version number and run "
                    "`evaluation survey release`",
                )
            )
        elif recorded is None:
            newest = max(versions, key=_version_key, default=None)
            if newest is not None and _version_key(instrument.version) < _version_key(newest):
                problems.append(
                    Problem(
                        path,
                        f"version {instrument.version}",
                        f"lägre än den senast släppta versionen {newest}",
                        f"lower than the newest released version {newest}",
                    )
                )
            else:
                problems.append(
                    Problem(
                        path,
                        f"version {instrument.version}",
                        f"versionen är inte släppt: kör `evaluation survey release {instrument.id}`",
                        f"this version is not released: run `evaluation survey release {instrument.id}`",
                        kind="unreleased",
                    )
                )
    return problems


def release(templates: Templates, instrument_id: str) -> tuple[str, str]:
    """Record the current content hash of an instrument's version in ``versions.yml``.

    A frozen copy of the instrument file is kept as ``instruments/released/<id>-<version>.yml``, so
    that the version stays loadable (and cohorts that answered it readable) after the next one.

    Parameters
    ----------
    templates : Templates
        Templates read with `evaluation.survey.load_templates` (problems other than unreleased
        versions must have been fixed first).
    instrument_id : str
        The instrument to release.

    Returns
    -------
    (str, str)
        The version and its content hash.

    Raises
    ------
    TemplateError
        If the version was already released with other content, or is lower than a released one.
    """
    instrument = templates.instrument(instrument_id)
    digest = content_hash(templates, instrument)
    versions = dict(templates.released.get(instrument_id, {}))
    pending = [
        p for p in check_versions(templates) if p.file.stem == instrument_id and p.kind != "unreleased"
    ]
    if pending:
        raise TemplateError(pending)
    versions[instrument.version] = digest
    released = {**templates.released, instrument_id: versions}
    path = templates.directory / VERSIONS_FILE
    header = (
        "# Released instrument versions and their content hashes (SHA-256), written by\n"
        "# `evaluation survey release`. Never edit a released line: change the version instead.\n"
    )
    ordered = {
        i: dict(sorted(v.items(), key=lambda kv: _version_key(kv[0]))) for i, v in sorted(released.items())
    }
    path.write_text(header + yaml.safe_dump(ordered, sort_keys=False), encoding="utf-8")
    kept = templates.directory / "instruments" / "released" / f"{instrument_id}-{instrument.version}.yml"
    if not kept.exists():  # the frozen copy keeps this version loadable after the next one
        kept.parent.mkdir(exist_ok=True)
        kept.write_bytes((templates.directory / "instruments" / f"{instrument_id}.yml").read_bytes())
    return instrument.version, digest
