"""Periodic jobs on APScheduler 3.x: the only module that imports it.

One ``tick`` job asks the poller which feeds are due (their next poll times live in the
store, so a restart keeps the schedule); later jobs (milestones, mute expiry) are added by
name. Every job coalesces missed runs and never overlaps itself.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

__all__ = ["Job", "Scheduler"]

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[object]]


class Scheduler:
    """An ``AsyncIOScheduler`` running coroutine jobs on the current event loop."""

    def __init__(self) -> None:
        self._scheduler = AsyncIOScheduler(
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone="UTC",
        )

    def every(
        self,
        name: str,
        interval: timedelta,
        job: Job,
        *,
        first: datetime | None = None,
    ) -> None:
        """Run ``job`` every ``interval`` (first at ``first``, default: at once)."""

        async def guarded() -> None:
            try:
                await job()
            except Exception:  # a failing run must not unschedule the job
                log.exception("scheduled job %s failed", name)

        self._scheduler.add_job(
            guarded,
            IntervalTrigger(seconds=interval.total_seconds(), timezone="UTC"),
            id=name,
            name=name,
            next_run_time=first or datetime.now().astimezone(),
            replace_existing=True,
        )

    def start(self) -> None:
        """Start running jobs (call from inside the running event loop)."""
        self._scheduler.start()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    @property
    def jobs(self) -> list[str]:
        return [job.id for job in self._scheduler.get_jobs()]
