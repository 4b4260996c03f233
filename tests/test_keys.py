"""The pseudonym key: `evaluation key new` writes a safe one, and ingest refuses a short one."""

from __future__ import annotations

import hashlib
import hmac
import re
import stat
import subprocess

import pytest
from typer.testing import CliRunner

from evaluation.cli import app
from evaluation.errors import EvaluationError
from evaluation.ingest import ingest_cohort
from evaluation.ingest.pseudonym import MIN_KEY_LENGTH, SYNTHETIC_KEY, load_key, new_key, pseudonym
from evaluation.synth import synthesize

runner = CliRunner()

SIXTEEN = "0123456789abcdef"


@pytest.fixture
def no_key(tmp_path, monkeypatch):
    """No key from the environment and no default key file (HOME is an empty folder)."""
    monkeypatch.delenv("EVALUATION_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("EVALUATION_PSEUDONYM_KEY_FILE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def _git_repo(folder):
    folder.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(folder)], check=True, capture_output=True)
    return folder


# evaluation key new


def test_new_key_writes_64_hex_characters_readable_by_the_owner_only(tmp_path):
    path = tmp_path / "config" / "evaluation" / "pseudonym.key"
    written = new_key(path)
    assert written == path.resolve()
    text = path.read_text(encoding="ascii")
    assert re.fullmatch(r"[0-9a-f]{64}\n", text)
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700 and _mode(path.parent.parent) == 0o700
    other = new_key(tmp_path / "other.key")
    assert other.read_text(encoding="ascii") != text  # random, not a constant


def test_new_key_refuses_a_place_inside_a_git_repository(tmp_path):
    repo = _git_repo(tmp_path / "repo")
    target = repo / "secrets" / "pseudonym.key"
    with pytest.raises(EvaluationError, match="inside the repository") as caught:
        new_key(target)
    assert "i repot" in str(caught.value)  # Swedish first
    assert not target.exists() and not target.parent.exists()


def test_new_key_refuses_a_place_inside_the_current_repository(tmp_path, monkeypatch):
    repo = _git_repo(tmp_path / "repo")
    monkeypatch.chdir(repo)
    with pytest.raises(EvaluationError, match="inside the repository"):
        new_key(repo / "pseudonym.key")
    assert not (repo / "pseudonym.key").exists()


def test_new_key_never_overwrites_or_widens_an_existing_file(tmp_path):
    path = tmp_path / "pseudonym.key"
    path.write_text("the key already in use\n", encoding="utf-8")
    path.chmod(0o640)
    with pytest.raises(EvaluationError, match="already exists") as caught:
        new_key(path)
    assert "finns redan" in str(caught.value)
    assert path.read_text(encoding="utf-8") == "the key already in use\n"
    assert _mode(path) == 0o640


def test_key_new_command_writes_and_explains_without_printing_the_key(tmp_path):
    path = tmp_path / "keys" / "pseudonym.key"
    result = runner.invoke(app, ["key", "new", str(path)])
    assert result.exit_code == 0, result.output
    key = path.read_text(encoding="ascii").strip()
    assert len(key) == 64 and _mode(path) == 0o600
    assert key not in result.output
    assert str(path.resolve()) in result.output
    assert "EVALUATION_PSEUDONYM_KEY_FILE" in result.output and "--key-file" in result.output
    again = runner.invoke(app, ["key", "new", str(path)])
    assert again.exit_code == 1
    assert "finns redan" in again.output and "already exists" in again.output
    assert path.read_text(encoding="ascii").strip() == key


def test_key_new_command_refuses_a_repository(tmp_path):
    repo = _git_repo(tmp_path / "repo")
    result = runner.invoke(app, ["key", "new", str(repo / "pseudonym.key")])
    assert result.exit_code == 1
    assert "inside the repository" in result.output
    assert not (repo / "pseudonym.key").exists()


@pytest.mark.parametrize("command", [["key"], ["key", "new"]], ids=" ".join)
def test_key_commands_explain_themselves(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output and "/" in result.output


# Short keys are refused, from every source


def test_a_short_key_from_the_environment_is_refused(no_key, monkeypatch):
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", "  short key  ")
    with pytest.raises(EvaluationError) as caught:
        load_key(synthetic=False)
    message = str(caught.value)
    assert "EVALUATION_PSEUDONYM_KEY" in message
    assert "9 characters" in message and f"at least {MIN_KEY_LENGTH}" in message
    assert "evaluation key new" in message
    with pytest.raises(EvaluationError, match="evaluation key new"):
        load_key(synthetic=True)  # a key given is checked even for a synthetic cohort


@pytest.mark.parametrize("source", ["--key-file", "EVALUATION_PSEUDONYM_KEY_FILE", "default"])
def test_a_short_key_file_is_refused_naming_the_file(no_key, tmp_path, monkeypatch, source):
    path = tmp_path / "home" / ".config" / "evaluation" / "pseudonym.key"
    path.parent.mkdir(parents=True)
    path.write_text(SIXTEEN[:15] + "\n", encoding="utf-8")
    given = path if source == "--key-file" else None
    if source == "EVALUATION_PSEUDONYM_KEY_FILE":
        monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY_FILE", str(path))
    with pytest.raises(EvaluationError) as caught:
        load_key(synthetic=False, key_file=given)
    message = str(caught.value)
    assert str(path.resolve()) in message
    assert "15 characters" in message and "at least 16" in message
    assert "evaluation key new" in message
    if source != "default":
        assert source in message


def test_sixteen_characters_are_enough(no_key, tmp_path, monkeypatch):
    assert MIN_KEY_LENGTH == 16
    path = tmp_path / "pseudonym.key"
    path.write_text(f"  {SIXTEEN}\n", encoding="utf-8")
    assert load_key(synthetic=False, key_file=path) == SIXTEEN.encode()
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", SIXTEEN)
    assert load_key(synthetic=False) == SIXTEEN.encode()
    assert len(SYNTHETIC_KEY) >= MIN_KEY_LENGTH


def test_ingest_refuses_a_short_key(templates, tmp_path, monkeypatch):
    folder = tmp_path / "cohort"
    synthesize(folder, templates, pairs=6, agencies=2, seed=3, fmt="generic")
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", "tooshort")
    with pytest.raises(EvaluationError, match="evaluation key new"):
        ingest_cohort(folder, templates)
    assert not (folder / "processed" / "responses.parquet").exists()


# A key already in use keeps its pseudonyms


def test_the_pseudonym_of_a_fixed_key_and_id_is_pinned():
    key = b"0123456789abcdef-fixed-test-key"
    # The module docstring's definition, computed here with the standard library alone:
    # "p" + the first 16 hex digits of HMAC-SHA256(key, id stripped and upper-cased).
    expected = "p" + hmac.new(key, b"AB-123", hashlib.sha256).hexdigest()[:16]
    assert expected == "pb212f8c586cd5576"
    assert pseudonym(key, " ab-123\n") == expected
    assert pseudonym(key, "AB-123") == expected


def test_a_key_written_by_new_key_loads_and_gives_stable_pseudonyms(no_key, tmp_path):
    path = new_key(tmp_path / "pseudonym.key")
    first = load_key(synthetic=False, key_file=path)
    second = load_key(synthetic=False, key_file=path)
    assert first == second == path.read_bytes().strip()
    assert len(first) == 64
    ids = ["MENTOR-01", "adept-02", " x9 "]
    assert [pseudonym(first, i) for i in ids] == [pseudonym(second, i) for i in ids]
    expected = "p" + hmac.new(first, b"MENTOR-01", hashlib.sha256).hexdigest()[:16]
    assert pseudonym(second, "mentor-01") == expected
