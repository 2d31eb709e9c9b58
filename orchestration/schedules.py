"""Daily refresh; the cron expression and time zone can be set through the environment
(AI_MARKET_SCHEDULE_CRON, AI_MARKET_SCHEDULE_TZ). Dagster needs them when it loads the definitions,
so they are read then: a change takes a reload of the code location. The freshness policy the marts
and the published warehouse declare follows from the daily schedule."""

from datetime import timedelta

from dagster import DefaultScheduleStatus, FreshnessPolicy, ScheduleDefinition

from . import settings
from .jobs import refresh_warehouse

# Run config of a refresh that rebuilds, re-checks and republishes even when nothing changed: the one
# switch for it (`ai-market-ledger refresh --rebuild-unchanged` sets it too).
REBUILD_UNCHANGED = {"ops": {"ingest_sources": {"config": {"rebuild_unchanged": True}}}}

daily_refresh = ScheduleDefinition(
    name="daily_refresh",
    job=refresh_warehouse,
    cron_schedule=settings.schedule_cron(),
    execution_timezone=settings.schedule_timezone(),
    default_status=DefaultScheduleStatus.RUNNING,
    # A rerun with nothing changed stops after the ingest; the daily run rebuilds, re-checks and
    # republishes anyway, which is what the freshness policy below measures.
    run_config=REBUILD_UNCHANGED,
    description="Rebuilds, re-checks and republishes the warehouse every day, so marts and gates reflect the current "
    "source files and code.",
)

# The schedule refreshes once a day: an hour overdue is a warning, two hours a failure.
DAILY_FRESHNESS = FreshnessPolicy.time_window(fail_window=timedelta(hours=26), warn_window=timedelta(hours=25))
