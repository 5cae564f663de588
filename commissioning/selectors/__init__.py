"""Reads for commissioners: the home page's counts (home), the market view (market) and the lists behind its
numbers (lists). Every figure is an aggregate computed by the database."""

from .home import HomeCounts, home_counts

__all__ = ["HomeCounts", "home_counts"]
