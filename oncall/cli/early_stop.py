"""A stop asked for before a command's event loop runs (``oncall watch``).

``oncall watch`` stops on SIGTERM or SIGINT, and its event loop handles them
once it runs; but before that it imports, reads the config and loads the
policy (over a second on a fresh holiday cache), and a SIGTERM then would
kill it (exit 143) where systemd expects a clean stop. So ``main`` installs
this handler before it builds the parser: it only records that a stop was
asked for, and the command looks at ``asked()`` between its start-up stages
and hands over to its loop. It raises nothing: an exception thrown at an
arbitrary point could leave a cache file or a notify claim half written.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

SIGNALS = (signal.SIGTERM, signal.SIGINT)

_asked = False


def _record(signum: int, frame: object) -> None:
    global _asked
    _asked = True


def asked() -> bool:
    """Whether SIGTERM or SIGINT came while ``record_stops`` was in force."""
    return _asked


def install() -> None:
    """Record SIGTERM and SIGINT from now on (main thread only; elsewhere: nothing)."""
    with contextlib.suppress(ValueError):  # not the main thread: signals are not ours
        for sig in SIGNALS:
            signal.signal(sig, _record)


@contextlib.contextmanager
def record_stops() -> Iterator[None]:
    """Record stops for the duration of a command, then put the previous handlers back."""
    global _asked
    _asked = False
    previous = {sig: signal.getsignal(sig) for sig in SIGNALS}
    install()
    try:
        yield
    finally:
        # ValueError: not the main thread; TypeError: a handler not set from Python.
        with contextlib.suppress(ValueError, TypeError):
            for sig, handler in previous.items():
                signal.signal(sig, handler)
