"""Every log record emitted while tests run goes to the watcher, and what is printed stays the same.

- Records are taken where every emitted record passes, whichever logger made it:
  `logging.Logger.callHandlers`, which hands a record to the handlers of its logger and its
  ancestors. A handler on the root logger would miss records of loggers that do not propagate,
  and the records powertools keeps from the root's handlers (each powertools Logger adds a
  SuppressFilter to them so its lines are not printed twice).
- Herald's own loggers ("herald", "local", and each powertools service logger: "herald-api" ...)
  are lowered to DEBUG, so that their INFO and DEBUG records are made and watched too. A record
  below the level its logger had goes to the watcher only, never to a handler: nothing more is
  printed or captured than without the watcher."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .watcher import Watcher

HERALD_LOGGERS = ("herald", "local")
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def record_text(record: logging.LogRecord) -> str:
    """All a record can show: its message, extra fields, exception, stack, and powertools' JSON
    (which adds the keys appended to the logger)."""
    try:
        parts = [record.getMessage()]
    except Exception:  # a bad format string must not hide the arguments
        parts = [str(record.msg), repr(record.args)]
    parts += [f"{key}={value}" for key, value in vars(record).items() if key not in _STANDARD]
    if record.exc_info and record.exc_info[0] is not None:
        parts.append("".join(traceback.format_exception(*record.exc_info)))
    parts += [text for text in (record.exc_text, record.stack_info) if text]
    handler = _powertools_handler(record.name)
    if handler is not None and handler.formatter is not None:
        try:
            parts.append(handler.formatter.format(record))
        except Exception:  # printing it would fail the same way; the parts above are scanned
            pass
    return "\n".join(parts)


def _powertools_handler(name: str) -> logging.Handler | None:
    logger: logging.Logger | None = logging.getLogger(name)
    while logger is not None:
        handler = getattr(logger, "powertools_handler", None)
        if handler is not None:
            return handler  # type: ignore[no-any-return]
        logger = logger.parent
    return None


@dataclass
class _Lowered:
    """A logger lowered to DEBUG, and the level it had (NOTSET: its parent's, read at each record)."""

    logger: logging.Logger
    prior: int

    def floor(self) -> int:
        if self.logger.level != logging.DEBUG:  # someone set a level since: theirs applies as it is
            return logging.NOTSET
        if self.prior != logging.NOTSET or self.logger.parent is None:
            return self.prior
        return self.logger.parent.getEffectiveLevel()


class LogWatch:
    def __init__(self, active: Callable[[], Watcher]) -> None:
        self._active = active
        self._lowered: dict[str, _Lowered] = {}
        self._original: Callable[[logging.Logger, logging.LogRecord], None] | None = None

    def install(self) -> None:
        if self._original is None:
            self._original = original = logging.Logger.callHandlers
            watch = self

            def callHandlers(logger: logging.Logger, record: logging.LogRecord) -> None:  # noqa: N802
                watch.saw(record)
                lowered = watch.lowered_for(record.name)
                if lowered is None or record.levelno >= lowered.floor():
                    original(logger, record)

            logging.Logger.callHandlers = callHandlers  # type: ignore[method-assign]
        self.lower()

    def saw(self, record: logging.LogRecord) -> None:
        where = f"log record {record.name} {record.levelname} ({record.filename}:{record.lineno})"
        self._active().saw(where, record_text(record))

    def lowered_for(self, name: str) -> _Lowered | None:
        """The lowered logger whose level decides whether `name`'s records are made; None when
        `name` or a logger between them has a level of its own."""
        loggers = logging.root.manager.loggerDict
        while True:
            lowered = self._lowered.get(name)
            if lowered is not None:
                return lowered
            if "." not in name or getattr(loggers.get(name), "level", logging.NOTSET) != logging.NOTSET:
                return None
            name = name.rsplit(".", 1)[0]

    def lower(self, *_: Any) -> None:
        """Lower Herald's loggers (again: powertools service loggers appear as functions are
        imported, and powertools sets their level when it makes them)."""
        names = [*HERALD_LOGGERS, *(name for name, logger in list(logging.root.manager.loggerDict.items())
                                    if "." not in name and getattr(logger, "powertools_handler", None) is not None)]
        for name in names:
            logger = logging.getLogger(name)
            lowered = self._lowered.get(name)
            if lowered is None:
                self._lowered[name] = _Lowered(logger, logger.level)
            elif logger.level != logging.DEBUG:
                lowered.prior = logger.level
            logger.setLevel(logging.DEBUG)

    def uninstall(self) -> None:
        if self._original is not None:
            logging.Logger.callHandlers = self._original  # type: ignore[method-assign]
            self._original = None
        for lowered in self._lowered.values():
            lowered.logger.setLevel(lowered.prior)
        self._lowered.clear()
