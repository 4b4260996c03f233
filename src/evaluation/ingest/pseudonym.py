"""Keyed pseudonyms: the only form in which a participant's identity leaves ingest.

A pseudonym is ``p`` followed by the first 16 hexadecimal digits of HMAC-SHA256(key, participant id):
the same key gives the same pseudonym in every wave and cohort, and without the key a pseudonym
cannot be traced back or recomputed from a guessed id. The key comes from the environment variable
``EVALUATION_PSEUDONYM_KEY``, or from a key file (``--key-file``, ``EVALUATION_PSEUDONYM_KEY_FILE`` or
``~/.config/evaluation/pseudonym.key``) that must lie outside the repository. Ingest refuses to run
without a key, except for synthetic cohorts, which use the public `SYNTHETIC_KEY`: their identities
are fictitious. A key shorter than `MIN_KEY_LENGTH` characters is refused from every source;
`new_key` (``evaluation key new PATH``) writes a fresh random key file.

References
----------
Krawczyk, H., Bellare, M. & Canetti, R. (1997). HMAC: Keyed-hashing for message authentication.
RFC 2104.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import subprocess
from pathlib import Path

from evaluation.errors import EvaluationError

__all__ = ["MIN_KEY_LENGTH", "SYNTHETIC_KEY", "load_key", "new_key", "pseudonym"]

SYNTHETIC_KEY = b"evaluation-synthetic-cohort"
"""The key of synthetic cohorts; public, because their participants do not exist."""

DEFAULT_KEY_FILE = Path("~/.config/evaluation/pseudonym.key")

MIN_KEY_LENGTH = 16
"""The fewest characters (surrounding whitespace removed) a pseudonym key may have."""


def pseudonym(key: bytes, identifier: str) -> str:
    """Return the keyed pseudonym of `identifier` (stripped, upper case)."""
    digest = hmac.new(key, identifier.strip().upper().encode("utf-8"), hashlib.sha256).hexdigest()
    return "p" + digest[:16]


def _repository_root(start: Path) -> Path | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(start), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    return Path(out.stdout.strip()).resolve() if out.returncode == 0 else None


def _inside_repository(path: Path, *starts: Path) -> Path | None:
    """Return the git repository (found from any of `starts`) that holds `path`, if any."""
    for where in starts:
        root = _repository_root(where.resolve())
        if root is not None and (root == path or root in path.parents):
            return root
    return None


def _checked(key: bytes, source: str) -> bytes:
    """Return `key` unchanged, or refuse it if it is shorter than `MIN_KEY_LENGTH` characters."""
    stripped = key.strip()
    try:
        length = len(stripped.decode("utf-8"))
    except UnicodeDecodeError:
        length = len(stripped)
    if length < MIN_KEY_LENGTH:
        raise EvaluationError(
            f"{source}: pseudonymnyckeln har {length} tecken, minst {MIN_KEY_LENGTH} krävs; skapa en "
            f"med `evaluation key new SÖKVÄG` / the pseudonym key has {length} characters, at least "
            f"{MIN_KEY_LENGTH} are required; create one with `evaluation key new PATH`"
        )
    return key


def new_key(path: Path) -> Path:
    """Write a new random pseudonym key to `path`, readable by its owner only.

    The key is 32 random bytes from `secrets`, written as 64 lowercase hexadecimal characters and a
    newline. The file is created with mode 0o600 (never by widening an existing file); missing
    parent folders are created with mode 0o700.

    Parameters
    ----------
    path : pathlib.Path
        Where to write the key; it must not exist and must lie outside any git repository (checked
        from the path's folder and from the current directory).

    Returns
    -------
    pathlib.Path
        The absolute path of the key file written.

    Raises
    ------
    EvaluationError
        If `path` already exists or lies inside a git repository, where it could be committed.
    """
    target = Path(path).expanduser().resolve()
    existing = target.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    root = _inside_repository(target, existing, Path.cwd())
    if root is not None:
        raise EvaluationError(
            f"{target}: nyckelfilen skulle hamna i repot {root}, där den kan checkas in; välj en plats "
            "utanför, t.ex. ~/.config/evaluation/pseudonym.key / the key file would lie inside the "
            "repository, where it could be committed; choose a place outside it, e.g. "
            "~/.config/evaluation/pseudonym.key"
        )
    if target.exists() or target.is_symlink():
        raise EvaluationError(
            f"{target}: filen finns redan och skrivs inte över; en ny nyckel ger nya pseudonymer / "
            "the file already exists and is not overwritten; a new key gives new pseudonyms"
        )
    missing = []
    folder = target.parent
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        folder.mkdir(mode=0o700)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise EvaluationError(
            f"{target}: filen finns redan och skrivs inte över / the file already exists and is not "
            "overwritten"
        ) from None
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return target


def load_key(*, synthetic: bool, key_file: Path | None = None, cohort_dir: Path | None = None) -> bytes:
    """Return the pseudonym key.

    Parameters
    ----------
    synthetic : bool
        Whether the cohort is synthetic (then `SYNTHETIC_KEY` is used unless a key is given).
    key_file : pathlib.Path, optional
        A file holding the key (its bytes, surrounding whitespace removed).
    cohort_dir : pathlib.Path, optional
        The cohort folder; a key file inside the same git repository is refused.

    Raises
    ------
    EvaluationError
        If no key is given for a real cohort, the key file is missing or empty, it lies inside
        the repository (where it could be committed), or the key, from whichever source, is
        shorter than `MIN_KEY_LENGTH` characters.
    """
    env = os.environ.get("EVALUATION_PSEUDONYM_KEY")
    if env and not key_file:
        return _checked(env.encode("utf-8"), "miljövariabeln / environment variable EVALUATION_PSEUDONYM_KEY")
    path, source = key_file, "--key-file"
    if path is None and os.environ.get("EVALUATION_PSEUDONYM_KEY_FILE"):
        path, source = Path(os.environ["EVALUATION_PSEUDONYM_KEY_FILE"]), "EVALUATION_PSEUDONYM_KEY_FILE"
    if path is None and DEFAULT_KEY_FILE.expanduser().is_file():
        path, source = DEFAULT_KEY_FILE.expanduser(), "standardnyckelfilen / the default key file"
    if path is None:
        if synthetic:
            return SYNTHETIC_KEY
        raise EvaluationError(
            "ingen pseudonymnyckel: sätt EVALUATION_PSEUDONYM_KEY eller ange --key-file (utanför "
            "repot) / no pseudonym key: set EVALUATION_PSEUDONYM_KEY or give --key-file (outside the "
            "repository)"
        )
    path = path.expanduser().resolve()
    root = _inside_repository(path, *filter(None, (cohort_dir, Path.cwd())))
    if root is not None:
        raise EvaluationError(
            f"{path}: nyckelfilen ligger i repot {root} / the key file lies inside the "
            "repository, where it could be committed; keep it outside"
        )
    if not path.is_file():
        raise EvaluationError(f"{path}: nyckelfilen saknas / the key file is missing")
    key = path.read_bytes().strip()
    if not key:
        raise EvaluationError(f"{path}: nyckelfilen är tom / the key file is empty")
    return _checked(key, f"{path} ({source})")
