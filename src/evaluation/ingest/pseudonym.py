"""Keyed pseudonyms: the only form in which a participant's identity leaves ingest.

A pseudonym is ``p`` followed by the first 16 hexadecimal digits of HMAC-SHA256(key, participant id):
the same key gives the same pseudonym in every wave and cohort, and without the key a pseudonym
cannot be traced back or recomputed from a guessed id. The key comes from the environment variable
``EVALUATION_PSEUDONYM_KEY``, or from a key file (``--key-file``, ``EVALUATION_PSEUDONYM_KEY_FILE`` or
``~/.config/evaluation/pseudonym.key``) that must lie outside the repository. Ingest refuses to run
without a key, except for synthetic cohorts, which use the public `SYNTHETIC_KEY`: their identities
are fictitious.

References
----------
Krawczyk, H., Bellare, M. & Canetti, R. (1997). HMAC: Keyed-hashing for message authentication.
RFC 2104.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import subprocess
from pathlib import Path

from evaluation.errors import EvaluationError

__all__ = ["SYNTHETIC_KEY", "load_key", "pseudonym"]

SYNTHETIC_KEY = b"evaluation-synthetic-cohort"
"""The key of synthetic cohorts; public, because their participants do not exist."""

DEFAULT_KEY_FILE = Path("~/.config/evaluation/pseudonym.key")


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
        If no key is given for a real cohort, the key file is missing or empty, or it lies inside
        the repository (where it could be committed).
    """
    env = os.environ.get("EVALUATION_PSEUDONYM_KEY")
    if env and not key_file:
        return env.encode("utf-8")
    path = key_file or (
        Path(os.environ["EVALUATION_PSEUDONYM_KEY_FILE"])
        if os.environ.get("EVALUATION_PSEUDONYM_KEY_FILE")
        else None
    )
    if path is None and DEFAULT_KEY_FILE.expanduser().is_file():
        path = DEFAULT_KEY_FILE.expanduser()
    if path is None:
        if synthetic:
            return SYNTHETIC_KEY
        raise EvaluationError(
            "ingen pseudonymnyckel: sätt EVALUATION_PSEUDONYM_KEY eller ange --key-file (utanför "
            "repot) / no pseudonym key: set EVALUATION_PSEUDONYM_KEY or give --key-file (outside the "
            "repository)"
        )
    path = path.expanduser().resolve()
    for where in filter(None, (cohort_dir, Path.cwd())):
        root = _repository_root(where.resolve())
        if root is not None and (root == path or root in path.parents):
            raise EvaluationError(
                f"{path}: nyckelfilen ligger i repot {root} / the key file lies inside the "
                "repository, where it could be committed; keep it outside"
            )
    if not path.is_file():
        raise EvaluationError(f"{path}: nyckelfilen saknas / the key file is missing")
    key = path.read_bytes().strip()
    if not key:
        raise EvaluationError(f"{path}: nyckelfilen är tom / the key file is empty")
    return key
