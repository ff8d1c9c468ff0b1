"""Today's date, which tests (and a rehearsal of next year's audit) may set: the environment
variable KETABROCHURE_TODAY=YYYY-MM-DD stands in for the system clock."""

from __future__ import annotations

import datetime as dt
import os

from ..diagnostics import UsageError

VARIABLE = "KETABROCHURE_TODAY"


def today() -> dt.date:
    value = os.environ.get(VARIABLE, "").strip()
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{VARIABLE}={value!r} is not a date written YYYY-MM-DD") from None
