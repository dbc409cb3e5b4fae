"""Benchmark of the report summary (``app.services.reports.summary``, behind
``GET /api/v1/report/summary`` and the dashboard) on PostgreSQL.

A fresh database gets ``load_demo(schools=60, referrals=N)``, then ``VACUUM ANALYZE`` (as
autovacuum would after a bulk load, so the visibility map allows index-only scans). The summary
of the current school year, grouped by school x status x grade x month (the probe's plain
GROUP BY took 1.6 s at 1M), is timed (median of 7 runs after 2 warm-ups) next to a plain
``SELECT COUNT(*) FROM referral``. Target (baseline): <= 300 ms at 1,000,000 referrals.

    .venv/bin/python bench/report_summary.py --referrals 1000000

A report, not a test: exits 0 whenever it ran.
"""
from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from demo_data import FreshDatabase, make_config  # noqa: E402
from sqlalchemy import text  # noqa: E402

TARGET_MS = {1_000_000: 300.0}
GROUPINGS = [["school", "status", "grade", "month"], ["district", "status"], ["race", "sex"], ["month"]]


def timed(fn, runs=7, warm=2) -> float:
    for _ in range(warm):
        fn()
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def run(referrals: int) -> None:
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.security import ALL_SCHOOLS
    from app.services import reports
    from app.services.demo import load_demo
    from app.services.directory import school_year_for

    fresh = FreshDatabase("postgresql")
    with fresh as url:
        app = create_app(make_config(url, fresh.tmp))
        with app.app_context():
            upgrade()
            logging.getLogger().setLevel(logging.WARNING)
            load_demo(schools=60, referrals=referrals, seed=1)
            db.session.remove()
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE referral"))
            year = school_year_for()
            in_year = db.session.execute(text("SELECT count(*) FROM referral WHERE school_year_id = :y"),
                                         {"y": year.id}).scalar()
            count_ms = timed(lambda: db.session.execute(text("SELECT COUNT(*) FROM referral")).scalar())
            target = TARGET_MS.get(referrals)
            for groups in GROUPINGS:
                rows = []
                ms = timed(lambda: rows.append(len(reports.summary(ALL_SCHOOLS, year, groups))))
                verdict = f"(target <= {target:g} ms) {'OK' if ms <= target else 'MISSED'}" if target else ""
                print(f"summary {referrals:>9,} referrals ({in_year:,} in {year.name}) by {','.join(groups):<26} "
                      f"{ms:7.1f} ms {verdict} | plain COUNT(*) {count_ms:.1f} ms | {rows[-1]:,} result rows",
                      flush=True)
            db.session.remove()
            db.engine.dispose()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--referrals", type=int, nargs="+", default=[1_000_000])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    for referrals in args.referrals:
        run(referrals)
    return 0


if __name__ == "__main__":
    sys.exit(main())
