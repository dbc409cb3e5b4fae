"""The long-running scheduler of the daily jobs (``flask portal scheduler``).

One per deployment: the jobs also take their own locks, so a second scheduler by mistake
does no harm, but it does no good either. Stops cleanly on SIGTERM or SIGINT.
"""
from __future__ import annotations

import logging
import signal

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger("portal.scheduler")


def purge_job(app) -> None:
    from app.extensions import db
    from app.services.purge import PurgeBusy, purge_drafts

    with app.app_context():
        try:
            result = purge_drafts()
            log.info("purge run finished: %s", result.describe())
            from app.services import tally

            rows = tally.rebuild(db.session.connection())
            db.session.commit()
            log.info("report tallies rebuilt: %d rows", rows)
            from app.services.accounts import deactivate_dormant

            dormant = deactivate_dormant()
            db.session.commit()
            log.info("accounts unused for 180 days deactivated: %d", dormant)
        except PurgeBusy:
            log.warning("purge skipped: another purge is running")
        except Exception:  # a failed run is logged; the next one retries
            db.session.rollback()
            log.exception("purge run failed")
        finally:
            db.session.remove()


def run_scheduler(app, every_seconds: int | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    timezone = app.config["PORTAL_TIMEZONE"]
    scheduler = BlockingScheduler(timezone=timezone)
    if every_seconds:
        trigger = IntervalTrigger(seconds=every_seconds, timezone=timezone)
    else:
        hour, minute = (int(part) for part in app.config["PURGE_AT"].split(":"))
        trigger = CronTrigger(hour=hour, minute=minute, timezone=timezone)
    scheduler.add_job(purge_job, trigger, args=[app], id="purge-drafts", max_instances=1, coalesce=True)

    def stop(signum, _frame):
        log.info("scheduler stopping (signal %s)", signum)
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("scheduler started: purge-drafts %s (%s)", trigger, timezone)
    scheduler.start()
    log.info("scheduler stopped")
