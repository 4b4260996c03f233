"""The survey templates: model, loading, checks, versions and the column vocabulary.

The templates live in ``surveys/`` at the repository root, where coordinators edit them, and ship with
the package (`packaged_surveys_dir`). The package has one module per concern and imports nothing of
the toolkit but `evaluation.errors`, so that forms (`evaluation.forms`), platform export shapes
(`evaluation.formats`), ingest and analysis all build on it without an import circle:

- `evaluation.survey.model`: scales, constructs, items and instruments as validated data, no I/O;
- `evaluation.survey.load`: `load_templates`, `check_templates`, `default_surveys_dir`;
- `evaluation.survey.checks`: cross-reference checks between the template files;
- `evaluation.survey.versioning`: content hashes, released versions, `release`;
- `evaluation.survey.columns`: the metadata columns beside the items (participant code, version);
- `evaluation.survey.questions`: a role's sections and how a form groups items into grids;
- `evaluation.survey.notices`: what forms announce the partner will see;
- `evaluation.survey.comparability`: the items a cohort (`pinned`) or several cohorts share.
"""

from __future__ import annotations

from evaluation.survey.columns import (
    PARTICIPANT_CODE,
    PARTICIPANT_CODE_TEXT,
    RESERVED_COLUMNS,
    SUBMITTED_AT,
    VERSION_FIELD,
    version_tag,
)
from evaluation.survey.comparability import pinned
from evaluation.survey.load import check_templates, default_surveys_dir, load_templates, packaged_surveys_dir
from evaluation.survey.model import (
    LANGUAGES,
    ROLES,
    Choice,
    Construct,
    Instrument,
    Item,
    Reference,
    Scale,
    Section,
    Templates,
    Text,
)
from evaluation.survey.versioning import content_hash, release

__all__ = [
    "LANGUAGES",
    "PARTICIPANT_CODE",
    "PARTICIPANT_CODE_TEXT",
    "RESERVED_COLUMNS",
    "ROLES",
    "SUBMITTED_AT",
    "VERSION_FIELD",
    "Choice",
    "Construct",
    "Instrument",
    "Item",
    "Reference",
    "Scale",
    "Section",
    "Templates",
    "Text",
    "check_templates",
    "content_hash",
    "default_surveys_dir",
    "load_templates",
    "packaged_surveys_dir",
    "pinned",
    "release",
    "version_tag",
]
