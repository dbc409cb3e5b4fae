"""The ``portal`` command group (contract section 2).

Every command runs in one transaction: on bad input it rolls back, prints one line saying
why, and exits non-zero, so nothing half-made is left behind.
"""
from __future__ import annotations

import datetime as dt
import functools

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.models.enums import SchoolKind
from app.security import PORTAL_ROLES
from app.services.errors import PortalError


def _one_line(error: PortalError) -> str:
    details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.errors.items())
    return f"{error.message} {details}".strip() if details else error.message


def transactional(func):
    """Commit on success; on a refusal roll back and exit 1 with one clear line."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            result = func(*args, **kwargs)
            db.session.commit()
            return result
        except PortalError as error:
            db.session.rollback()
            raise click.ClickException(_one_line(error)) from None
        except Exception:
            db.session.rollback()
            raise

    return wrapper


class IsoDate(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date in the form YYYY-MM-DD.", param, ctx)


ISO_DATE = IsoDate()


class OneLineCommand(click.Command):
    """Reports a bad option as one line (``Error: ...``), without the usage block."""

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            raise click.ClickException(error.format_message()) from None


class PortalGroup(click.Group):
    command_class = OneLineCommand


@click.group("portal", cls=PortalGroup)
def portal():
    """Truancy Referral Portal administration."""


@portal.command("create-district")
@click.option("--name", required=True)
@with_appcontext
@transactional
def create_district(name):
    """Create a district (idempotent)."""
    from app.services.directory import create_district as create

    district, created = create(name)
    click.echo(f"{'Created' if created else 'Exists'}: district {district.name} (id {district.id})")


@portal.command("create-school")
@click.option("--name", required=True)
@click.option("--district", required=True)
@click.option("--kind", required=True, type=click.Choice(SchoolKind.values(), case_sensitive=False))
@with_appcontext
@transactional
def create_school(name, district, kind):
    """Create a school (idempotent on name)."""
    from app.services.directory import create_school as create

    school, created = create(name, district, kind)
    click.echo(f"{'Created' if created else 'Exists'}: school {school.name} (id {school.id})")


@portal.command("create-user")
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option("--email", required=True)
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
@click.option("--role", required=True, type=click.Choice(PORTAL_ROLES))
@click.option("--school", default=None, help="Required for School Staff; refused for county roles.")
@with_appcontext
@transactional
def create_user(username, password, email, first_name, last_name, role, school):
    """Create an active user with one role."""
    from app.services.directory import create_user as create

    user = create(username, password, email, first_name, last_name, role, school)
    click.echo(f"Created: user {user.username} ({role}, id {user.id})")


@portal.command("school-year")
@click.option("--name", required=True, help="For example 2026-2027.")
@click.option("--starts", required=True, type=ISO_DATE)
@click.option("--cutoff", required=True, type=ISO_DATE)
@click.option("--ends", type=ISO_DATE, default=None)
@click.option("--min-age", type=int, default=None, help="Default 12.")
@click.option("--max-age", type=int, default=None, help="Default 16.")
@click.option("--min-days", type=int, default=None, help="Default 7.")
@click.option("--re-referral-days", type=int, default=None, help="Default 3.")
@with_appcontext
@transactional
def school_year(name, starts, cutoff, ends, min_age, max_age, min_days, re_referral_days):
    """Create or update a school year and its eligibility thresholds."""
    from app.services.directory import save_school_year

    year, created = save_school_year(name, starts, cutoff, ends, min_age, max_age, min_days, re_referral_days)
    click.echo(
        f"{'Created' if created else 'Updated'}: school year {year.name} "
        f"({year.starts}..{year.cutoff}, ages {year.min_age}-{year.max_age}, "
        f"{year.min_days} days, {year.re_referral_days} for a re-referral)"
    )


@portal.command("sync-roles")
@with_appcontext
def sync_roles_command():
    """Give every role exactly its declared permissions (flask db upgrade runs this)."""
    from app.roles import sync_roles

    for role, count in sync_roles().items():
        click.echo(f"{role}: {count} permissions")


@portal.command("demo-data")
@click.option("--schools", type=click.IntRange(min=1), default=12, show_default=True)
@click.option("--referrals", type=click.IntRange(min=0), default=300, show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option("--password", default=None, help="Password for the demo users (default: printed).")
@click.option("--if-empty", is_flag=True, help="Do nothing (exit 0) when the database holds data.")
@with_appcontext
def demo_data(schools, referrals, seed, password, if_empty):
    """Fill an empty database with synthetic data (fake names) and one user per role."""
    from app.services.demo import DemoRefused, describe_existing_demo, is_empty, load_demo

    if if_empty and not is_empty():
        click.echo("The database already holds data; demo data not loaded.")
        click.echo(describe_existing_demo())
        return
    try:
        summary = load_demo(schools=schools, referrals=referrals, seed=seed, password=password,
                            progress=click.progressbar)
    except (DemoRefused, PortalError) as error:
        db.session.rollback()
        raise click.ClickException(str(getattr(error, "message", error))) from None
    click.echo(summary.describe())


@portal.command("purge-drafts")
@click.option("--dry-run", is_flag=True, help="Count what would be warned and deleted; change nothing.")
@click.option("--as-of", type=ISO_DATE, default=None, help="Count the 30 days back from this date (default today).")
@with_appcontext
def purge_drafts_command(dry_run, as_of):
    """Delete drafts older than 30 days; warn their creators from day 23 (once)."""
    from app.services.purge import PurgeBusy, purge_drafts

    try:
        result = purge_drafts(as_of=as_of, dry_run=dry_run)
    except PurgeBusy as error:
        db.session.rollback()
        click.echo(f"{error} Nothing done.")
        return
    click.echo(result.describe())


@portal.command("scheduler")
@click.option("--every-seconds", type=click.IntRange(min=1), default=None, hidden=True,
              help="Run the jobs every N seconds instead of daily (for tests).")
@with_appcontext
def scheduler_command(every_seconds):
    """Run the daily jobs (the draft purge) until stopped. Run exactly one per deployment."""
    from flask import current_app

    from app.scheduler import run_scheduler

    run_scheduler(current_app._get_current_object(), every_seconds=every_seconds)


@portal.command("district-report")
@click.option("--school-year", "school_year", required=True, help="For example 2026-2027.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Directory to write into.")
@with_appcontext
def district_report(school_year, out_dir):
    """Write the yearly report of each district (XLSX and CSV), small counts suppressed."""
    from app.services import audit, reports

    try:
        year = reports.resolve_year(school_year)
        written = reports.write_district_reports(year, out_dir)
        audit.record("export", "district_report", None, detail={"school_year": year.name, "files": len(written)})
        db.session.commit()
    except PortalError as error:
        db.session.rollback()
        raise click.ClickException(_one_line(error)) from None
    except OSError as error:
        raise click.ClickException(f"Could not write to {out_dir}: {error.strerror}.") from None
    for path in written:
        click.echo(path)
    click.echo(f"{len(written)} files written for {year.name}.")


@portal.command("rebuild-report-tallies")
@with_appcontext
@transactional
def rebuild_report_tallies():
    """Recompute the running counts behind the reports (the scheduler does it nightly)."""
    from app.services import tally

    click.echo(f"{tally.rebuild(db.session.connection())} tally rows.")
