"""Problems found in the group data, each naming row and column for the editors."""

from __future__ import annotations

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
