"""The draft purge: exact boundary, warnings once, nothing but drafts, safe under faults."""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.extensions import db, mail
from app.models import (
    Attachment,
    AttachmentContent,
    AuditEvent,
    FamilyMember,
    Intervention,
    PortalUser,
    Referral,
    School,
    SchoolYear,
    StatusChange,
)
from app.services import purge
from app.services.demo_pdf import make_pdf
from app.storage import storage
from tests import factories

ROOT = Path(__file__).resolve().parents[1]
REF = dt.datetime(2026, 11, 16, 12, 0, 0)


@pytest.fixture
def setting(app, world):
    with app.app_context():
        school = db.session.get(School, world.north)
        year = db.session.get(SchoolYear, world.year)
        clerk = db.session.scalar(select(PortalUser).where(PortalUser.username == "clerk"))
        yield school, year, clerk
        db.session.remove()


def draft(school, year, clerk, age: dt.timedelta, status="draft", name="Old"):
    referral = factories.make_referral(school, year, clerk, status=status, first=name, last="Quillfeather")
    referral.created_at = REF - age
    data = make_pdf(f"unique content {name} {age}")
    key = storage.put(data)
    db.session.add_all([
        FamilyMember(referral=referral, name="Guardian", phone_cell="651-555-0100"),
        Intervention(referral=referral, kind="other", note="x"),
        StatusChange(referral=referral, to_status="draft"),
        Attachment(referral=referral, kind="attendance_record", filename="a.pdf", size_bytes=len(data),
                   sha256=key),
    ])
    db.session.flush()
    return referral.id


def orphans() -> int:
    """Child rows without a referral and content without an attachment (must always be 0)."""
    total = 0
    for model in (FamilyMember, Intervention, StatusChange, Attachment):
        total += db.session.scalar(select(func.count(model.id)).where(~model.referral_id.in_(select(Referral.id))))
    total += db.session.scalar(select(func.count(AttachmentContent.sha256)).where(
        ~AttachmentContent.sha256.in_(select(Attachment.sha256))))
    return total


def test_exact_boundary_and_nothing_but_drafts(app, setting):
    school, year, clerk = setting
    kept = draft(school, year, clerk, dt.timedelta(days=29, hours=23, minutes=59), name="Kept")
    gone = draft(school, year, clerk, dt.timedelta(days=30, seconds=1), name="Gone")
    others = [draft(school, year, clerk, dt.timedelta(days=400), status=s, name=s)
              for s in ("submitted", "returned", "closed", "under_review", "accepted", "declined", "withdrawn")]
    db.session.commit()
    result = purge.purge_drafts(reference=REF)
    assert result.deleted == 1
    remaining = set(db.session.scalars(select(Referral.id)))
    assert gone not in remaining and kept in remaining and set(others) <= remaining
    assert orphans() == 0
    # The purge left one audit event per deleted draft (id and school only) and a summary.
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "purge")).all()
    assert [(e.object_id, e.school_id) for e in events] == [(gone, school.id)]
    assert events[0].detail is None
    summary = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "purge_run"))
    assert summary.detail["deleted"] == 1


def test_events_about_a_purged_draft_are_kept(app, setting):
    school, year, clerk = setting
    gone = draft(school, year, clerk, dt.timedelta(days=31))
    db.session.add(AuditEvent(action="view", object_type="referral", object_id=gone, school_id=school.id))
    db.session.commit()
    purge.purge_drafts(reference=REF)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "view", AuditEvent.object_id == gone)) == 1


def test_warnings_go_once_from_day_23_and_carry_no_student_data(app, setting):
    school, year, clerk = setting
    warned = draft(school, year, clerk, dt.timedelta(days=23), name="Warnme")
    draft(school, year, clerk, dt.timedelta(days=22, hours=23), name="Tooyoung")
    db.session.commit()
    with mail.record_messages() as outbox:
        first = purge.purge_drafts(reference=REF)
        second = purge.purge_drafts(reference=REF)
    assert (first.warned, second.warned) == (1, 0)
    assert len(outbox) == 1
    message = outbox[0]
    assert message.recipients == ["clerk@example.org"]
    assert f"/referrals/{warned}" in message.body and "7 days" in message.body
    for secret in ("Warnme", "Quillfeather", "North Middle School", "2012"):
        assert secret not in message.body and secret not in message.subject


def test_the_last_days_warning_says_one_day(app, setting):
    school, year, clerk = setting
    draft(school, year, clerk, dt.timedelta(days=29))
    db.session.commit()
    with mail.record_messages() as outbox:
        purge.purge_drafts(reference=REF)
    assert "deleted in 1 day." in outbox[0].body and "1 days" not in outbox[0].body
    assert outbox[0].subject.endswith("deleted in 1 day")


def test_dry_run_counts_and_changes_nothing(app, setting):
    school, year, clerk = setting
    draft(school, year, clerk, dt.timedelta(days=31))
    draft(school, year, clerk, dt.timedelta(days=24))
    db.session.commit()
    with mail.record_messages() as outbox:
        result = purge.purge_drafts(reference=REF, dry_run=True)
    assert (result.deleted, result.warned, len(outbox)) == (1, 1, 0)
    assert db.session.scalar(select(func.count(Referral.id))) == 4  # two here, two in the world
    assert db.session.scalar(select(func.count(Referral.id)).where(Referral.purge_warning_sent_at.isnot(None))) == 0


def test_a_second_run_with_nothing_due_changes_nothing(app, setting):
    school, year, clerk = setting
    draft(school, year, clerk, dt.timedelta(days=35))
    db.session.commit()
    assert purge.purge_drafts(reference=REF).deleted == 1
    before = db.session.scalar(select(func.count(Referral.id)))
    assert purge.purge_drafts(reference=REF).deleted == 0
    assert db.session.scalar(select(func.count(Referral.id))) == before


def test_shared_content_stays_while_another_attachment_uses_it(app, setting):
    school, year, clerk = setting
    gone = draft(school, year, clerk, dt.timedelta(days=35), name="Shared")
    key = db.session.scalar(select(Attachment.sha256).where(Attachment.referral_id == gone))
    keeper = factories.make_referral(school, year, clerk, status="submitted")
    db.session.add(Attachment(referral=keeper, kind="other", filename="b.pdf", size_bytes=1, sha256=key))
    db.session.commit()
    purge.purge_drafts(reference=REF)
    assert db.session.get(AttachmentContent, key) is not None
    assert orphans() == 0


def test_cli_as_of_and_dry_run(app, setting):
    school, year, clerk = setting
    draft(school, year, clerk, dt.timedelta(days=10))  # 10 days before REF: due 20 days later
    db.session.commit()
    runner = app.test_cli_runner()
    early = runner.invoke(args=["portal", "purge-drafts", "--dry-run", "--as-of", "2026-11-16"])
    assert early.exit_code == 0 and "would delete 0 draft" in early.output
    late = runner.invoke(args=["portal", "purge-drafts", "--dry-run", "--as-of", "2026-12-31"])
    assert "would delete 3 draft" in late.output  # ours and the world's two drafts
    bad = runner.invoke(args=["portal", "purge-drafts", "--as-of", "2026-02-30"])
    assert bad.exit_code != 0 and "not a date" in bad.output


def test_two_runs_at_once_neither_crash_nor_double_delete(app, setting):
    school, year, clerk = setting
    for index in range(12):
        draft(school, year, clerk, dt.timedelta(days=40), name=f"C{index}")
    db.session.commit()
    app.config.update(PORTAL_PURGE_BATCH=3, PORTAL_PURGE_BATCH_PAUSE="0.05")
    outcomes, errors = [], []

    def run():
        with app.app_context():
            try:
                outcomes.append(purge.purge_drafts(reference=REF).deleted)
            except purge.PurgeBusy:
                outcomes.append("busy")
            except Exception as error:  # noqa: BLE001 - the test reports any crash
                errors.append(error)
            finally:
                db.session.remove()

    try:
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        app.config.update(PORTAL_PURGE_BATCH=5000, PORTAL_PURGE_BATCH_PAUSE=None)
    assert not errors
    assert sorted(outcomes, key=str) == [12, "busy"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "purge")) == 12
    assert orphans() == 0


def _env(app, **extra):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "subprocess-test-key",
           "DATA_DIR": app.config["DATA_DIR"], "PORTAL_TODAY": "2026-11-16", "FLASK_APP": "run", **extra}
    env.pop("FLASK_DEBUG", None)
    return env


def test_killed_mid_run_then_rerun_finishes_with_no_orphans(app, setting):
    school, year, clerk = setting
    for index in range(20):
        draft(school, year, clerk, dt.timedelta(days=45), name=f"K{index}")
    db.session.commit()
    total_due = db.session.scalar(select(func.count(Referral.id)).where(Referral.created_at < REF - purge.PURGE_AFTER))
    flask = [sys.executable, "-m", "flask", "portal", "purge-drafts"]
    process = subprocess.Popen(flask, cwd=ROOT, env=_env(app, PORTAL_PURGE_BATCH="4", PORTAL_PURGE_BATCH_PAUSE="0.4"),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # wait until at least one batch is committed
        db.session.rollback()
        left = db.session.scalar(select(func.count(Referral.id)).where(Referral.created_at < REF - purge.PURGE_AFTER))
        if left < total_due:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    db.session.rollback()
    left = db.session.scalar(select(func.count(Referral.id)).where(Referral.created_at < REF - purge.PURGE_AFTER))
    assert 0 < left < total_due, "the kill should land between batches"
    assert orphans() == 0
    rerun = subprocess.run(flask, cwd=ROOT, env=_env(app), capture_output=True, text=True, timeout=60)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    db.session.rollback()
    assert db.session.scalar(select(func.count(Referral.id)).where(Referral.created_at < REF - purge.PURGE_AFTER)) == 0
    assert orphans() == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "purge")) == total_due


def test_scheduler_runs_the_job_and_stops_on_sigterm(app, setting):
    school, year, clerk = setting
    draft(school, year, clerk, dt.timedelta(days=50))
    db.session.commit()
    process = subprocess.Popen([sys.executable, "-m", "flask", "portal", "scheduler", "--every-seconds", "1"],
                               cwd=ROOT, env=_env(app), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if "purge run finished" in line:
            break
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=20)
    lines.append(output)
    log = "".join(lines)
    assert "purge run finished" in log, log
    assert process.returncode == 0, log
    assert "scheduler stopped" in log
    db.session.rollback()
    assert db.session.scalar(select(func.count(Referral.id)).where(Referral.created_at < REF - purge.PURGE_AFTER)) == 0


def test_foreign_keys_are_enforced_on_every_connection(app, setting):
    """SQLite ignores foreign keys (and ON DELETE CASCADE) unless told so per connection."""
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        db.session.execute(text("INSERT INTO family_member (referral_id, name, interpreter_needed) "
                                "VALUES (987654, 'Nobody', false)"))
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("username,expected", [("admin", 200), ("caseworker", 403), ("clerk", 403)])
def test_county_admin_sees_recent_purge_runs(app, world, username, expected):
    from tests.conftest import login

    with app.app_context():
        purge.purge_drafts(reference=REF)
        db.session.remove()
    client = login(app.test_client(), username)
    response = client.get("/purge-runs/")
    assert response.status_code == expected
    if expected == 200:
        assert b"purge-runs" in response.data and b"<td>0</td>" in response.data
