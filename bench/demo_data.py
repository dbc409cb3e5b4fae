"""Benchmark of `portal demo-data` (``app.services.demo.load_demo``) on SQLite and PostgreSQL.

For each database: a fresh empty database (SQLite file in a temporary directory, or a
``bench_<random>`` PostgreSQL database created and dropped here), the schema and roles from the
migrations, then ``load_demo`` timed on its own. Prints one line per database next to the
targets (baseline): 100,000 referrals in <= 20 s, 1,000,000 in <= 180 s.

    .venv/bin/python bench/demo_data.py --referrals 100000 --db both
    .venv/bin/python bench/demo_data.py --referrals 1000000 --db postgresql

A report, not a test: exits 0 whenever it ran, whether or not a target was met.
``TEST_DATABASE_URL`` (default ``postgresql://postgres@127.0.0.1:5432/``) names the server.
"""
from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text

# Targets (baseline): referrals -> seconds.
TARGETS = {100_000: 20.0, 1_000_000: 180.0}
PG_BASE = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/")


def target_for(referrals: int) -> float | None:
    """The stated target for ``referrals``; None for other sizes (the fixed start-up cost,
    password hashing and name pools, makes a linearly scaled target meaningless)."""
    return TARGETS.get(referrals)


def pg_url(database: str) -> str:
    base = PG_BASE.rstrip("/")
    for prefix in ("postgres://", "postgresql://"):
        if base.startswith(prefix):
            base = "postgresql+psycopg://" + base[len(prefix):]
    return f"{base}/{database}"


class FreshDatabase:
    """A new, empty database and a data directory; everything removed on exit."""

    def __init__(self, kind: str):
        self.kind = kind
        self.tmp = tempfile.mkdtemp(prefix=f"bench_{kind}_")
        self.admin = None
        self.name = None

    def __enter__(self) -> str:
        if self.kind == "sqlite":
            return "sqlite:///" + str(Path(self.tmp) / "portal.db")
        self.admin = create_engine(pg_url("postgres"), isolation_level="AUTOCOMMIT")
        self.name = f"bench_{uuid.uuid4().hex[:10]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        return pg_url(self.name)

    def __exit__(self, *exc) -> None:
        if self.admin is not None:
            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            self.admin.dispose()
        shutil.rmtree(self.tmp, ignore_errors=True)


def make_config(url: str, data_dir: str) -> type:
    from config import Config

    return type("BenchConfig", (Config,), {
        "SECRET_KEY": "bench-only-secret-key-" + uuid.uuid4().hex,
        "SQLALCHEMY_DATABASE_URI": url,
        "DATA_DIR": data_dir,
    })


def run_one(kind: str, referrals: int, schools: int) -> dict:
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.services.demo import load_demo

    fresh = FreshDatabase(kind)
    with fresh as url:
        app = create_app(make_config(url, fresh.tmp))
        with app.app_context():
            began = time.perf_counter()
            upgrade()
            migrate_s = time.perf_counter() - began
            logging.getLogger().setLevel(logging.WARNING)  # alembic's fileConfig resets it
            db.session.remove()

            began = time.perf_counter()
            summary = load_demo(schools=schools, referrals=referrals, seed=1)
            load_s = time.perf_counter() - began
            db.session.remove()

            with db.engine.connect() as conn:
                began = time.perf_counter()
                counted = conn.execute(text("SELECT COUNT(*) FROM referral")).scalar_one()
                count_s = time.perf_counter() - began
            db.engine.dispose()  # before DROP DATABASE / removing the SQLite file
    return {"db": kind, "referrals": referrals, "summary": summary, "load_s": load_s,
            "migrate_s": migrate_s, "count_s": count_s, "counted": counted}


def report(result: dict) -> str:
    s = result["summary"]
    target = target_for(result["referrals"])
    if target is None:
        against = "(no target for this size) -"
    else:
        against = f"(target <= {target:g} s) {'OK' if result['load_s'] <= target else 'MISSED'}"
    rate = result["referrals"] / result["load_s"] if result["load_s"] else float("inf")
    return (
        f"demo-data {result['db']:<10} {result['referrals']:>9,} referrals: {result['load_s']:6.1f} s "
        f"{against}  {rate:,.0f} referrals/s  "
        f"[rows: family {s.family_members:,}, interventions {s.interventions:,}, "
        f"attachments {s.attachments:,}, status changes {s.status_changes:,}]\n"
        f"    SELECT COUNT(*) FROM referral -> {result['counted']:,} in {result['count_s'] * 1000:.1f} ms; "
        f"schema migration {result['migrate_s']:.1f} s (not counted)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--referrals", type=int, nargs="+", default=[100_000],
                        help="referral counts to load (one fresh database each); default 100000")
    parser.add_argument("--schools", type=int, default=60)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    print(f"Targets (baseline): 100,000 referrals <= 20 s; 1,000,000 <= 180 s. "
          f"schools={args.schools}, seed=1, python {sys.version.split()[0]}")
    for referrals in args.referrals:
        for kind in kinds:
            result = run_one(kind, referrals, args.schools)
            print(report(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
