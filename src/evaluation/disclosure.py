"""Disclosure control, in one place: no published number describes a group below the minimum.

Every rule of statistical disclosure control lives here, and nowhere else:

- `DisclosurePolicy` holds the cohort's minimum reporting size (cohort.yml ``min_group_size``,
  default 5, never below `MIN_GROUP_SIZE_FLOOR`), validated once.
- `DisclosurePolicy.protect` blanks every number of a row whose group is below the minimum (primary
  suppression) and returns a `Protected` table: the only kind of table the rendering layer
  (`evaluation.report.render.table`) will show or write.
- `DisclosurePolicy.pooled` decides which groups of a breakdown are hidden: the small ones and, so
  that no hidden group can be recovered by subtracting the shown ones from a total, as many of the
  smallest shown ones as it takes for the hidden groups together to reach the minimum (complementary
  suppression). The hidden groups are then published together as one pooled row, `OTHER_AGENCIES`.
- `DisclosurePolicy.breakdown` applies both to an additive count table (such as response rates per
  agency and role), adding the pooled row and the cohort total (`ALL`).

Participants' own feedback pages (`evaluation.report.feedback`) show a person their own answers, which is not
a disclosure; the cohort figures beside them pass through `protect` like every other table.

References
----------
Hundepool, A., Domingo-Ferrer, J., Franconi, L., Giessing, S., Nordholt, E. S., Spicer, K. &
de Wolf, P.-P. (2012). *Statistical Disclosure Control*. Wiley. Ch. 5 (frequency tables: threshold
rule, secondary suppression).
Statistics Sweden (2015). *Röjandekontroll av tabeller, databaser och kartor* (disclosure control of
tables). SCB, Statistikens framställning.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "ALL",
    "DEFAULT_MIN_GROUP_SIZE",
    "GROUP_SIZE_COLUMNS",
    "MIN_GROUP_SIZE_FLOOR",
    "OTHER_AGENCIES",
    "DisclosurePolicy",
    "Protected",
    "UnprotectedTableError",
]

MIN_GROUP_SIZE_FLOOR = 3
"""No cohort may set a minimum reporting size below this."""

DEFAULT_MIN_GROUP_SIZE = 5
"""The minimum reporting size when cohort.yml does not set one."""

OTHER_AGENCIES = "Övriga myndigheter"
"""The pooled row of groups hidden in a breakdown (the same label in every language in CSV files)."""

ALL = "Alla"
"""The cohort-total row of a breakdown (the same label in every language in CSV files)."""

GROUP_SIZE_COLUMNS: tuple[str, ...] = (
    "n",
    "invited",
    "pairs",
    "participants",
    "respondents",
    "writers",
    "rows",
    "n_completers",
    "n_dropouts",
    "n_pre",
    "n_post",
    "n_pairs",
    "n_mentor",
    "n_adept",
)
"""Columns that count the people a row describes; the smallest of those present decides its fate."""

NOTE = "färre än {min} i gruppen: visas inte / fewer than {min} in the group: not shown"
POOLED_NOTE = (
    "ingår i {other} (för få för att visas var för sig) / included in {other} (too few to show alone)"
)


class UnprotectedTableError(TypeError):
    """Raised when a table that did not pass through disclosure control is to be published."""


_TOKEN = object()


def _is_number(value: object) -> bool:
    if isinstance(value, bool | np.bool_) or value is None or value is pd.NA:
        return False
    return isinstance(value, int | float | np.integer | np.floating) and not np.isnan(value)


@dataclass(frozen=True)
class Protected:
    """A table that passed disclosure control; the only kind of table a report shows or writes.

    Made only by `DisclosurePolicy` (its methods) and by `Protected.with_view` / `Protected.concat`
    from protected tables.

    Attributes
    ----------
    frame : pandas.DataFrame
        The tidy table, hidden cells missing; what ``results/<name>.csv`` holds.
    hidden : pandas.Series
        Per row of `frame`, whether its numbers are hidden.
    view : pandas.DataFrame or None
        The same rows for readers (names in the report's language, derived columns); its columns are
        named as the CSV columns (or derived names) they show, with `headers` giving the text.
    headers : dict
        Column name to the header shown to readers.
    """

    frame: pd.DataFrame
    hidden: pd.Series
    min_group_size: int
    view: pd.DataFrame | None = None
    headers: dict[str, str] = field(default_factory=dict)
    _token: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._token is not _TOKEN:
            raise UnprotectedTableError(
                "a Protected table is made only by evaluation.disclosure (DisclosurePolicy.protect "
                "or .breakdown)"
            )

    def with_view(self, view: pd.DataFrame, headers: Mapping[str, str] | None = None) -> Protected:
        """Return this table with a reader's view of the same rows (same length and order).

        Raises
        ------
        ValueError
            If the view has a different number of rows (a view may rename and format, never add).
        """
        if len(view) != len(self.frame):
            raise ValueError(f"a view must keep the table's {len(self.frame)} rows, got {len(view)}")
        return Protected(
            self.frame,
            self.hidden,
            self.min_group_size,
            view.reset_index(drop=True),
            dict(headers or {}),
            _token=_TOKEN,
        )

    def select(self, rows: pd.Series | np.ndarray | Sequence[bool]) -> Protected:
        """Return the rows where `rows` is true (a subset never reveals more than the whole)."""
        mask = np.asarray(rows, dtype=bool)
        return Protected(
            self.frame[mask].reset_index(drop=True),
            self.hidden[mask].reset_index(drop=True),
            self.min_group_size,
            None if self.view is None else self.view[mask].reset_index(drop=True),
            self.headers,
            _token=_TOKEN,
        )

    def narrow(self, frame: pd.DataFrame) -> Protected:
        """Return this table with its tidy frame replaced by `frame`: the same rows, relabelled.

        `frame` may drop, reorder and add columns and fill labels, but every number in it must be
        the number at the same row and column of this table: a number this table hides (or never
        had) cannot be brought in.

        Raises
        ------
        UnprotectedTableError
            If `frame` has another number of rows or a number that this table does not hold there.
        """
        if len(frame) != len(self.frame):
            raise UnprotectedTableError(
                f"a narrowed table must keep the table's {len(self.frame)} rows, got {len(frame)}"
            )
        frame = frame.reset_index(drop=True)
        for column in frame.columns:
            old = self.frame[column] if column in self.frame.columns else None
            for row, value in enumerate(frame[column]):
                if not _is_number(value):
                    continue
                if old is None or not _is_number(old.iloc[row]) or float(old.iloc[row]) != float(value):
                    raise UnprotectedTableError(
                        f"row {row}, column {column!r}: {value!r} is not a number of the protected table"
                    )
        return Protected(frame, self.hidden, self.min_group_size, _token=_TOKEN)

    @classmethod
    def concat(cls, tables: Iterable[Protected]) -> Protected:
        """Stack protected tables (same minimum) into one.

        Raises
        ------
        UnprotectedTableError
            If any of them is not a `Protected` table.
        """
        tables = list(tables)
        for table in tables:
            if not isinstance(table, Protected):
                raise UnprotectedTableError(f"cannot combine an unprotected {type(table).__name__}")
        minimum = max(t.min_group_size for t in tables)
        return Protected(
            pd.concat([t.frame for t in tables], ignore_index=True),
            pd.concat([t.hidden for t in tables], ignore_index=True),
            minimum,
            _token=_TOKEN,
        )


@dataclass(frozen=True)
class DisclosurePolicy:
    """The cohort's disclosure rules.

    Parameters
    ----------
    min_group_size : int
        The smallest group any published number may describe (cohort.yml ``min_group_size``).

    Raises
    ------
    ValueError
        If `min_group_size` is below `MIN_GROUP_SIZE_FLOOR` or not an integer.
    """

    min_group_size: int = DEFAULT_MIN_GROUP_SIZE

    def __post_init__(self) -> None:
        if isinstance(self.min_group_size, bool) or not isinstance(self.min_group_size, int | np.integer):
            raise ValueError(f"min_group_size must be an integer, got {self.min_group_size!r}")
        if self.min_group_size < MIN_GROUP_SIZE_FLOOR:
            raise ValueError(
                f"min_group_size must be at least {MIN_GROUP_SIZE_FLOOR}, got {self.min_group_size}"
            )

    @classmethod
    def of(cls, config: object) -> DisclosurePolicy:
        """Return the policy of a cohort (anything with ``min_group_size``, e.g. a CohortConfig)."""
        return cls(int(getattr(config, "min_group_size", DEFAULT_MIN_GROUP_SIZE)))

    @property
    def note(self) -> str:
        """The note a hidden row carries."""
        return NOTE.format(min=self.min_group_size)

    def is_small(self, size: float | None) -> bool:
        """Whether a group of `size` people may not be shown (missing sizes count as small)."""
        return size is None or pd.isna(size) or 0 < float(size) < self.min_group_size

    def protect(
        self,
        frame: pd.DataFrame,
        *,
        labels: Sequence[str],
        counts: Sequence[str] | None = None,
    ) -> Protected:
        """Hide every number of a row whose group is below the minimum (primary suppression).

        Parameters
        ----------
        frame : pandas.DataFrame
            A table with at least one group-size column (`GROUP_SIZE_COLUMNS` by default).
        labels : sequence of str
            Columns that name a row; they stay visible. Every other column of a hidden row is blanked.
        counts : sequence of str, optional
            The group-size columns to judge rows by; those of `GROUP_SIZE_COLUMNS` present if omitted.

        Returns
        -------
        Protected
            ``frame``: a copy with the hidden rows' numbers missing and a ``note`` column saying why
            (empty for shown rows); ``hidden``: per row, whether it was hidden. A row whose group size
            is missing counts as hidden; a group of 0 people describes nobody and is shown.

        Raises
        ------
        ValueError
            If no group-size column is present or a label is not a column.
        """
        counts = [c for c in (counts or GROUP_SIZE_COLUMNS) if c in frame.columns]
        if not counts:
            raise ValueError(
                f"no column counts the people each row describes; expected one of {GROUP_SIZE_COLUMNS}"
            )
        missing = [c for c in labels if c not in frame.columns]
        if missing:
            raise ValueError(f"label columns {missing} are not in the table ({list(frame.columns)})")
        table = frame.reset_index(drop=True).copy()
        sizes = table[counts].apply(pd.to_numeric, errors="coerce")
        small = ((sizes > 0) & (sizes < self.min_group_size)).any(axis=1) | sizes.isna().all(axis=1)
        if "note" not in table.columns:
            table["note"] = ""
        table["note"] = table["note"].fillna("").astype(str)
        hidden_columns = [c for c in table.columns if c not in labels and c != "note"]
        table[hidden_columns] = table[hidden_columns].astype(object)
        table.loc[small, hidden_columns] = np.nan
        table.loc[small & ~table["note"].str.startswith("ingår"), "note"] = self.note
        return Protected(
            table, pd.Series(small.to_numpy(), name="hidden"), self.min_group_size, _token=_TOKEN
        )

    def pooled(self, sizes: Mapping[str, float]) -> set[str]:
        """Return the groups of a breakdown to hide: the small ones and their complements.

        A group below the minimum is hidden. If the hidden groups together are still below the
        minimum (so that the total minus the shown groups would reveal a small group), the smallest
        shown groups are hidden too, one at a time, until `pool_is_safe`. Groups of 0 people describe
        nobody and are neither hidden nor counted.

        Parameters
        ----------
        sizes : mapping of str to number
            Group label to the number of people it describes.

        Returns
        -------
        set of str
            The labels to hide; publish them only pooled (their sum is at least the minimum, or every
            group is hidden).
        """
        hidden = {g for g, n in sizes.items() if self.is_small(n)}
        for group in sorted(set(sizes) - hidden, key=lambda g: (sizes[g], str(g))):
            if self.pool_is_safe(sizes, hidden):
                break
            if sizes[group] == 0:
                continue
            hidden.add(group)  # complementary suppression
        return hidden

    def pool_is_safe(self, sizes: Mapping[str, float], hidden: set[str]) -> bool:
        """Whether the hidden groups of a breakdown can be published pooled without revealing one.

        They can when none is hidden, or when together they reach the minimum and have more members
        than there are hidden groups: a listed group has at least one member, so hidden groups whose
        sum equals their number would each be known to have exactly one.
        """
        if not hidden:
            return True
        total = sum(sizes[h] for h in hidden if not pd.isna(sizes[h]))
        return total >= self.min_group_size and total > len(hidden)

    def breakdown(
        self,
        frame: pd.DataFrame,
        *,
        by: str,
        size: str,
        additive: Sequence[str],
        within: Sequence[str] = (),
        order: Sequence[str] | None = None,
    ) -> Protected:
        """Protect an additive count table broken down by a group, with a pooled row and a total.

        Within each combination of `within` (e.g. role), the groups that `pooled` hides keep their
        row but lose their numbers; they are published together as one `OTHER_AGENCIES` row (when
        any is hidden and together they reach the minimum), and an `ALL` row holds the total. The
        shown rows, the pooled row and the total then add up, and no hidden group can be recovered.

        Parameters
        ----------
        frame : pandas.DataFrame
            One row per group (and `within` combination) with additive count columns.
        by : str
            The breakdown column (e.g. ``agency``).
        size : str
            The column counting the people each row describes (e.g. ``invited``).
        additive : sequence of str
            All count columns (including `size`) that add up over groups.
        within : sequence of str
            Columns within whose combinations the breakdown is made (e.g. ``role``).
        order : sequence of str, optional
            The order of the groups (others follow, sorted); every group in `order` gets a row.

        Returns
        -------
        Protected
            Columns `by`, `within`, `additive` (and ``note``): per `within` combination the groups in
            order, then `OTHER_AGENCIES` (if any group is hidden), then `ALL`. If even the total is
            below the minimum, every number of that combination is hidden.

        Raises
        ------
        ValueError
            If a column is missing or a count is negative.
        """
        columns = [by, *within, *additive]
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ValueError(f"columns {missing} are not in the table ({list(frame.columns)})")
        counts = frame[list(additive)].apply(pd.to_numeric, errors="raise")
        if (counts < 0).any().any():
            raise ValueError("counts must not be negative")
        data = frame[[by, *within]].assign(**{c: counts[c] for c in additive})
        groups = list(order or []) + sorted(set(data[by].astype(str)) - set(order or []))
        rows, hidden_rows = [], []
        combos = (
            data[list(within)].drop_duplicates().sort_values(list(within)) if within else pd.DataFrame([{}])
        )
        for combo in combos.to_dict("records"):
            block = data
            for key, value in combo.items():
                block = block[block[key] == value]
            totals = block.groupby(by)[list(additive)].sum()
            totals = totals.reindex(groups, fill_value=0)
            hidden = self.pooled(totals[size].to_dict())
            total = totals.sum()
            everything_hidden = self.is_small(total[size]) or not self.pool_is_safe(
                totals[size].to_dict(), hidden
            )
            for group in groups:
                shown = group not in hidden and not everything_hidden
                values = totals.loc[group].to_dict() if shown else dict.fromkeys(additive, np.nan)
                note = "" if shown else (POOLED_NOTE.format(other=OTHER_AGENCIES) if hidden else self.note)
                rows.append({by: group, **combo, **values, "note": note})
                hidden_rows.append(not shown)
            if hidden:
                pool = totals.loc[sorted(hidden)].sum()
                shown = not everything_hidden and not self.is_small(pool[size])
                rows.append(
                    {
                        by: OTHER_AGENCIES,
                        **combo,
                        **(pool.to_dict() if shown else dict.fromkeys(additive, np.nan)),
                        "note": "" if shown else self.note,
                    }
                )
                hidden_rows.append(not shown)
            rows.append(
                {
                    by: ALL,
                    **combo,
                    **(dict.fromkeys(additive, np.nan) if everything_hidden else total.to_dict()),
                    "note": self.note if everything_hidden else "",
                }
            )
            hidden_rows.append(everything_hidden)
        table = pd.DataFrame(rows, columns=[*columns, "note"])
        for column in additive:
            table[column] = table[column].astype("Int64")
        return Protected(table, pd.Series(hidden_rows, name="hidden"), self.min_group_size, _token=_TOKEN)
