"""Problems found in the group data, and the exception that fails the build with all of them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One finding about the data, phrased in German for the editors.

    `row` is the row number the spreadsheet shows (the header is row 1); `column` is the
    column's name as documented (not as spelt in the file).
    """

    source: str  #: the data file, e.g. content/gruppen/gruppen.csv
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.source
        if self.row is not None:
            where += f", Zeile {self.row}"
        if self.column:
            where += f", Spalte „{self.column}“"
        return f"{where}: {self.message}"


class GroupDataError(Exception):
    """The group data (or a post's link to a group) has errors; the build must fail.

    sitetools/publish.py prints every entry of `problems`.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        count = len(self.problems)
        super().__init__(f"{count} Fehler im Gruppenverzeichnis"
                         + (f": {self.problems[0]}" if count == 1 else ""))
