"""Business days: weekends and US federal holidays (observed) excluded."""
import datetime as dt

import pytest

from app.services.business_days import business_days_between, federal_holidays, is_business_day

D = dt.date


@pytest.mark.parametrize("start,end,days", [
    (D(2026, 12, 1), D(2026, 12, 1), 0),
    (D(2026, 12, 1), D(2026, 12, 3), 2),     # Tue -> Thu
    (D(2026, 12, 4), D(2026, 12, 7), 1),     # Fri -> Mon: the weekend does not count
    (D(2026, 11, 25), D(2026, 11, 27), 1),   # Thanksgiving (Thu 26) does not count
    (D(2026, 12, 24), D(2026, 12, 28), 1),   # Christmas Fri 25: only Mon 28 counts
    (D(2027, 7, 2), D(2027, 7, 6), 1),       # July 4 2027 is a Sunday: observed Mon 5
])
def test_business_days_between(start, end, days):
    assert business_days_between(start, end) == days


def test_federal_holidays_2026():
    assert federal_holidays(2026) == {
        D(2026, 1, 1), D(2026, 1, 19), D(2026, 2, 16), D(2026, 5, 25), D(2026, 6, 19), D(2026, 7, 3),
        D(2026, 9, 7), D(2026, 10, 12), D(2026, 11, 11), D(2026, 11, 26), D(2026, 12, 25),
    }
    assert not is_business_day(D(2026, 7, 3))  # July 4 2026 is a Saturday: observed Friday
