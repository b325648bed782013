"""How many rows match a filter, counted only as far as a page needs.

An exact count reads every matching row on every rerun, so a library of 100,000 sets would take a
thousand times as long to count as one of 100. The Library and History count up to ``CAP`` and then
say "10,000+" (a search, up to ``SEARCH_CAP``); the pages past it are still reachable (the page
number simply has no upper bound).
Exports and "Select all" count or fetch everything, since a person asked for all of it.
"""

from __future__ import annotations

from dataclasses import dataclass

CAP = 10_000
# A search counts to 1,000 ("1,000+ match"): on PostgreSQL each match counted is a row read from the
# table after the full-text index names it, so a search matching a tenth of 100,000 sets took 20 ms.
SEARCH_CAP = 1_000


@dataclass(frozen=True)
class Tally:
    """``value`` rows match; ``more`` when there are more than that (counting stopped at the cap)."""

    value: int
    more: bool = False

    @classmethod
    def of(cls, counted: int, cap: int) -> Tally:
        """From a count that stopped at ``cap + 1`` rows."""
        return cls(min(counted, cap), counted > cap)

    def __str__(self) -> str:
        return f"{self.value:,}+" if self.more else f"{self.value:,}"

    @property
    def exact(self) -> int | None:
        """The count when it is exact; None when counting stopped at the cap."""
        return None if self.more else self.value

    def pages(self, size: int) -> int:
        """Pages of ``size`` rows that hold at least the rows counted (at least one)."""
        return max(1, -(-self.value // size))

    def plural(self) -> bool:
        """Whether the noun after it takes a plural ("1 set", "0 sets", "10,000+ sets")."""
        return self.more or self.value != 1
