"""Excel files written reproducibly: the same content gives the same bytes.

openpyxl stamps the save time into the workbook's properties and every zip entry, so two saves of the
same workbook differ. `save_workbook` saves, then rewrites the archive with a fixed time, so that
forms and synthetic exports are byte-identical for the same input (and diff cleanly).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

__all__ = ["save_workbook"]

_EPOCH = (1980, 1, 1, 0, 0, 0)
_STAMP = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def save_workbook(book: Workbook, path: Path, when: datetime | None = None) -> None:
    """Save `book` to `path` with every timestamp fixed.

    Parameters
    ----------
    book : openpyxl.Workbook
        The workbook.
    path : pathlib.Path
        Where to write it.
    when : datetime, optional
        The creation and modification time recorded in the document properties (default
        2000-01-01T00:00:00Z).
    """
    stamp = (when or datetime(2000, 1, 1)).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                data = _STAMP.sub(rb"\g<1>" + stamp + rb"\g<3>", data)
            info = zipfile.ZipInfo(entry.filename, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = entry.external_attr
            target.writestr(info, data)
