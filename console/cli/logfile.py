"""Where the CLI's log goes: a private file in the user data directory, and stderr too
with `--debug`.

Core logs errors by class and reference only, never a value or a driver's message, so
the file can be kept: the reference an internal error prints is found there. The file
is opened on the first record (a command that logs nothing never touches it), created
readable by its owner only, and rotated at 1 MiB.
"""

from __future__ import annotations

import logging
import sys
import traceback
import uuid
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

LOG_NAME = "metasaas.log"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
log = logging.getLogger("console.cli")


def log_path() -> Path:
    from core.settings import user_data_dir

    return user_data_dir() / LOG_NAME


class _RotatingPrivate(RotatingFileHandler):
    """A rotating log file made private (0600, in a 0700 directory) whenever it is opened."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, maxBytes=1 << 20, backupCount=1, encoding="utf-8", delay=True)

    def _open(self) -> Any:
        from core.settings import private_dir, private_file

        path = Path(self.baseFilename)
        private_dir(path.parent)
        private_file(path)
        return super()._open()


class PrivateLog(logging.Handler):
    """The log file, found only when the first record comes: finding the user data
    directory loads the settings, which `metasaas --help` must not pay for."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.setFormatter(logging.Formatter(FORMAT))
        self._file: _RotatingPrivate | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self._file is None:
            self._file = _RotatingPrivate(log_path())
            self._file.setFormatter(self.formatter)
        self._file.emit(record)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()


def configure(debug: bool) -> None:
    root = logging.getLogger()
    if not any(isinstance(h, PrivateLog) for h in root.handlers):
        root.addHandler(PrivateLog())
    if debug and not any(type(h) is logging.StreamHandler for h in root.handlers):
        stream = logging.StreamHandler(sys.stderr)
        stream.setLevel(logging.WARNING)
        root.addHandler(stream)


def internal_reference(exc: BaseException) -> str:
    """Log an error the CLI itself did not expect, as core does: class, frames, reference."""
    reference = uuid.uuid4().hex[:12]
    frames = traceback.extract_tb(exc.__traceback__)[-6:]
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in frames[::-1])
    log.error("internal error (reference %s): %s at %s", reference, type(exc).__name__, where)
    return reference


def show_causes(error: BaseException) -> None:
    """`--debug`: the error with every error it came from, the driver's own message
    included (connection refused, missing database, unknown role, read-only file)."""
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        link.__suppress_context__ = False
        link = link.__cause__ or link.__context__
    traceback.print_exception(error, file=sys.stderr)
