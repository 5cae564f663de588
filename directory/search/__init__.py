"""Directory search: one engine interface, the engine chosen by a setting (as Wagtail chooses search backends).

    DIRECTORY_SEARCH_ENGINE = "directory.search.postgres.PostgresSearchEngine"   # the default (settings/base.py)

Every search, in tests and in production, goes through `search_engine()`. tests/directory/test_engine_contract.py
runs one contract suite against every engine listed in ENGINES.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Hit, Hits, SearchEngine
from .criteria import PERIODS, SORTS, SearchCriteria

DEFAULT_ENGINE = "directory.search.postgres.PostgresSearchEngine"
#: Every engine the project ships (the contract suite runs against each).
ENGINES = (DEFAULT_ENGINE,)

__all__ = ["ENGINES", "PERIODS", "SORTS", "Hit", "Hits", "SearchCriteria", "SearchEngine", "search_engine"]


def search_engine() -> SearchEngine:
    return _engine(settings.DIRECTORY_SEARCH_ENGINE)


@functools.cache
def _engine(path: str) -> SearchEngine:
    return import_string(path)()
