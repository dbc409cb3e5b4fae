"""Two caseworkers move the same referral at the same moment: exactly one wins, the other
gets 409, and the history holds one row for the move."""
from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from app.extensions import db
from app.models import PortalUser, Referral, StatusChange
from app.services import workflow
from app.services.errors import Conflict


def test_concurrent_moves_let_exactly_one_win(app, world):
    with app.app_context():
        db.session.execute(Referral.__table__.update().where(Referral.id == world.own).values(status="submitted"))
        db.session.commit()
    barrier = threading.Barrier(2)
    outcomes = {}

    def caseworker(name, to, note):
        with app.app_context():
            try:
                user = db.session.scalar(select(PortalUser).where(PortalUser.username == "caseworker"))
                referral = db.session.get(Referral, world.own)
                assert referral.status == "submitted"  # both read the same status first
                barrier.wait(timeout=10)
                workflow.transition(referral, to, user, note=note)
                time.sleep(0.3)  # hold the row while the other one tries
                db.session.commit()
                outcomes[name] = "moved"
            except Conflict:
                db.session.rollback()
                outcomes[name] = 409
            finally:
                db.session.remove()

    threads = [threading.Thread(target=caseworker, args=("a", "under_review", None)),
               threading.Thread(target=caseworker, args=("b", "returned", "Need the record."))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values(), key=str) == [409, "moved"], outcomes
    with app.app_context():
        assert db.session.scalar(select(func.count(StatusChange.id)).where(StatusChange.referral_id == world.own)) == 1
        status = db.session.scalar(select(Referral.status).where(Referral.id == world.own))
        winner = "under_review" if outcomes["a"] == "moved" else "returned"
        assert status == winner
