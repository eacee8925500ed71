"""When a scheduled check-in is due (pure; the portal home and the caseload ask it)."""

from datetime import date, timedelta

# A "before every session" check-in opens this many days before the session.
BEFORE_SESSION_WINDOW = timedelta(days=3)
EVERY = {"weekly": timedelta(days=7), "fortnightly": timedelta(days=14)}


def is_due(
    cadence: str,
    today: date,
    last_answered: date | None,
    next_session: date | None = None,
    last_session: date | None = None,
) -> bool:
    """Due when the client has not answered within the cadence.

    before_session: from three days before the next scheduled session, unless answered since
    the last session (or in that window when there was none). Without a scheduled session it
    falls back to weekly, so a client whose next date is not yet set is still asked.
    """
    if cadence == "before_session":
        if next_session is None:
            return is_due("weekly", today, last_answered)
        if today < next_session - BEFORE_SESSION_WINDOW:
            return False
        if last_answered is None:
            return True
        if last_session is not None:
            return last_answered <= last_session  # answered at or before the last session
        return last_answered < next_session - BEFORE_SESSION_WINDOW
    try:
        every = EVERY[cadence]
    except KeyError:
        raise ValueError(f"unknown cadence {cadence!r}") from None
    return last_answered is None or today - last_answered >= every
