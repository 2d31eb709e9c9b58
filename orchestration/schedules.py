"""Daily refresh; the cron expression and time zone can be set through the environment."""

import os

from dagster import DefaultScheduleStatus, ScheduleDefinition

from .jobs import refresh_warehouse

daily_refresh = ScheduleDefinition(
    name="daily_refresh",
    job=refresh_warehouse,
    cron_schedule=os.environ.get("AI_MARKET_SCHEDULE_CRON", "0 6 * * *"),
    execution_timezone=os.environ.get("AI_MARKET_SCHEDULE_TZ", "UTC"),
    default_status=DefaultScheduleStatus.RUNNING,
    description="Rebuilds the warehouse every day, so marts and gates reflect the current source files and code.",
)
