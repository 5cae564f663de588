"""How often the market view's summary is refreshed, and when it counts as late: constants only (no models), so
that the beat schedule (worker/schedule.py) can read them before Django is set up."""

import datetime

SUMMARY_TASK = "commissioning.tasks.refresh_market_summary"
#: How often beat refreshes the summary.
REFRESH_EVERY = datetime.timedelta(minutes=15)
#: Older than this, the page says the figures are late (a refresh missed, or the worker is down).
LATE_AFTER = 2 * REFRESH_EVERY + datetime.timedelta(minutes=5)
#: The summary tables (materialized views of commissioning/sql/market_summary.sql), in the order they are refreshed.
SUMMARY_TABLES = ("commissioning_search_daily", "commissioning_order_daily", "commissioning_spend_daily")
