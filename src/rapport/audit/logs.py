"""Logs without personal data: what happened, where and in which request, never a record's values.

Two filters sit on every handler (settings.LOGGING), so whatever formatter is used, a line never
carries an exception's arguments (a database error quotes the row it refused, a ValueError the
text it could not parse) nor SQL parameters or the SQL with its parameters filled in. An exception
keeps its type and the frames (file, line, function) it passed through. A permission refusal is
expected behaviour, not a fault: it is one line with no traceback.
"""

import json
import logging
import time
import traceback

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404

# Refusals, not-found answers and refused requests (a bad host, an over-large body) are the
# application working as designed: one line each.
_ONE_LINE = (PermissionDenied, Http404, SuspiciousOperation)


def _frames(exc: BaseException) -> str:
    lines = ["Traceback (most recent call last; values removed):"]
    for frame in traceback.extract_tb(exc.__traceback__):
        lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
    lines.append(f"{type(exc).__module__}.{type(exc).__qualname__} (message removed)")
    return "\n".join(lines)


def _chain(exc: BaseException) -> str:
    parts, seen = [], set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts.append(_frames(current))
        current = current.__cause__ or current.__context__
    return "\n\nwhile handling:\n".join(reversed(parts)) if len(parts) > 1 else parts[0]


class NoRecordValuesFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("django.db.backends"):
            # Django logs each query as "(duration) sql; args=params; alias=...": the SQL comes with
            # its parameters filled in, so only the statement's kind and its timing are kept.
            sql = str(getattr(record, "sql", "") or "")
            duration = getattr(record, "duration", None)
            record.msg = "(%s) %s …; %s parameters removed"
            record.args = (
                f"{duration:.3f}" if isinstance(duration, float) else "-",
                sql.split(None, 1)[0].upper() if sql else "query",
                len(getattr(record, "params", None) or ()),
            )
            for name in ("sql", "params"):
                if hasattr(record, name):
                    setattr(record, name, None)
        if isinstance(record.args, tuple) and any(isinstance(a, BaseException) for a in record.args):
            # logger.error("... %s", exc) would print the exception's message: its type only.
            record.args = tuple(
                f"{type(a).__qualname__} (message removed)" if isinstance(a, BaseException) else a
                for a in record.args
            )
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            record.exc_text = None if isinstance(exc, _ONE_LINE) else _chain(exc)
            record.exc_info = None
        record.stack_info = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line, for a log collector (the production default)."""

    converter = staticmethod(time.gmtime)  # UTC, as the "Z" says

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if status := getattr(record, "status_code", None):
            entry["status"] = status
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)
