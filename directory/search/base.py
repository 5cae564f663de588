"""The one interface every search engine implements (the directory's seam, like Wagtail's search backends)."""

from __future__ import annotations

import abc
import datetime
from dataclasses import dataclass

from .criteria import SearchCriteria


@dataclass(frozen=True)
class Hit:
    service_id: int
    #: Metres from the searched place to the provider's base (None without a place, or a base we cannot place).
    distance_m: float | None = None
    #: How well the words matched the title (None without words).
    rank: float | None = None


@dataclass(frozen=True)
class Hits:
    """One page of matches, in order, and how many there are in all: exactly, or at least `total` when counting
    further would cost more than it is worth (`total_is_exact` False: the page says "more than")."""

    hits: list[Hit]
    total: int
    total_is_exact: bool = True


class SearchEngine(abc.ABC):
    """Finds the services that match, orders and counts them. It answers from its own index, which may lag a commit
    or include a service that stopped being listed: directory.selectors.search_page re-checks every page live."""

    #: An engine counts exactly up to this many matches, then says "at least" (see Hits).
    count_limit = 1000

    @abc.abstractmethod
    def search(self, criteria: SearchCriteria, *, on_day: datetime.date, offset: int, limit: int,
               count_limit: int | None = None) -> Hits:
        """The services listed on `on_day` that match, in the order the criteria ask for, from `offset`, counted
        exactly up to `count_limit` (the engine's own `count_limit` by default: a feed that must say how many pages
        there are asks for more)."""
