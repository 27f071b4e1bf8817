"""One run of the notify command: ``/bin/sh -c COMMAND``, the alert's JSON on stdin.

Kept apart from ``notify`` (settings, payload) so that the delivery supervisor
(``oncall.alerts.deliver``), a process started for every alert, imports only
this and SQLAlchemy's core: it starts in a fraction of a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from dataclasses import dataclass

from oncall.text import printable

_OUTPUT_LIMIT = 2000  # characters of a failed run's output kept for the log


@dataclass(frozen=True)
class HookResult:
    ok: bool
    error: str | None = None  # why it failed, one line
    output: str = ""  # what it printed (trimmed)
    status: int | None = None  # its exit status (negative: killed by that signal)


async def run_hook(command: str, data: bytes, timeout: float) -> HookResult:
    """Run ``command`` once with ``data`` on stdin; never raises (but may be cancelled).

    The command runs in a session of its own, so that a timeout kills it and
    everything it started.
    """
    try:
        proc = await asyncio.create_subprocess_shell(
            command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as exc:
        return HookResult(False, f"cannot start the notify command: {printable(str(exc))}")
    try:
        out, _ = await asyncio.wait_for(proc.communicate(data), timeout)
    except TimeoutError:
        _kill(proc)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(proc.wait(), 5)
        return HookResult(False, f"the notify command timed out after {timeout:g} s")
    except asyncio.CancelledError:
        _kill(proc)
        raise
    text = out.decode("utf-8", "replace")[-_OUTPUT_LIMIT:] if out else ""
    if proc.returncode != 0:
        # Its output ends up on a terminal (the log, the console): escaped, once, here.
        last = printable(text.strip().splitlines()[-1]) if text.strip() else ""
        why = f"the notify command exited with status {proc.returncode}"
        return HookResult(False, f"{why}: {last}" if last else why, text, proc.returncode)
    return HookResult(True, None, text, 0)


def _kill(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the shell and whatever it started
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
