"""The hostile corpus (``tests/hostile.py``) through every CLI verb: what happened to it.

Every input of the corpus goes into every slot that takes its kind (text, time,
number, fault id), in-process (``oncall.cli.main``), each on a fresh copy of one
prepared database. Figures: inputs tried, refused (exit 2, one line), accepted
with every output escaped, anything else (a traceback, another exit code, raw
control characters, more than one line: must be 0), and the slowest accepted
input against the same command with a plain value.

    .venv/bin/python bench/reliability_inputs.py

``run()`` returns the figures as (name, value) pairs for ``bench/reliability.py``.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import hostile  # noqa: E402 - the corpus lives with the tests that assert on it

from oncall.cli import main  # noqa: E402

PLAIN = {"text": "SCADA front end drops telemetry", "number": "1"}
PLAIN_BY_SLOT = {"sla-add-seconds": "3600", "new-level": "2", "level": "1"}


class _Env:
    """What ``hostile.environment`` patches (a MonkeyPatch's calls), for a plain script."""

    def __init__(self) -> None:
        self.saved: dict[str, str | None] = {}
        self.patched: list[tuple[object, str, object]] = []

    def setenv(self, key: str, value: str) -> None:
        import os

        self.saved.setdefault(key, os.environ.get(key))
        os.environ[key] = value

    def delenv(self, key: str, raising: bool = True) -> None:
        import os

        self.saved.setdefault(key, os.environ.get(key))
        os.environ.pop(key, None)

    def setattr(self, target: object, name: str, value: object) -> None:
        self.patched.append((target, name, getattr(target, name)))
        setattr(target, name, value)

    def restore(self) -> None:
        import os

        for target, name, value in reversed(self.patched):
            setattr(target, name, value)
        for key, value in self.saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _call(db: Path, argv: list[str]) -> tuple[int | str, str, str, float]:
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code: int | str = main(["--db", str(db), *argv])
    except BaseException:  # noqa: BLE001 - a traceback is what this counts
        code = "traceback:" + traceback.format_exc().strip().splitlines()[-1]
    return code, out.getvalue(), err.getvalue(), time.perf_counter() - start


def _timed(prepared: Path, copy: Path, argv: list[str], runs: int = 5) -> list[float]:
    """In-process times of ``argv``, each on a fresh copy (the least is the least noisy)."""
    samples = []
    for _ in range(runs):
        shutil.copyfile(prepared, copy)
        samples.append(_call(copy, argv)[3])
    return samples


def _process(prepared: Path, copy: Path, argv: list[str], runs: int = 5) -> float:
    """Least wall time of ``oncall ARGV`` as a process of its own."""
    samples = []
    for _ in range(runs):
        shutil.copyfile(prepared, copy)
        start = time.perf_counter()
        oncall = str(Path(sys.executable).parent / "oncall")
        subprocess.run([oncall, "--db", str(copy), *argv], capture_output=True)
        samples.append(time.perf_counter() - start)
    return min(samples)


def _cases():
    """(kind, slot, argv builder, values) for every slot, with the whole corpus."""
    for slot, build, *_readers in hostile.TEXT_SLOTS:
        yield "text", slot, build, hostile.TEXTS
    for slot, build in hostile.TIME_SLOTS:
        yield "time", slot, build, hostile.TIMES
    for slot, build in hostile.NUMBER_SLOTS:
        yield "number", slot, build, hostile.NUMBERS
    for slot, build in hostile.REF_SLOTS:
        yield "id", slot, build, hostile.REFS


def run() -> list[tuple[str, str]]:
    env = _Env()
    folder = Path(tempfile.mkdtemp(prefix="oncall-hostile-"))
    try:
        hostile.environment(env, folder)
        prepared = folder / "prepared.sqlite3"
        for argv in hostile.setup_commands():
            code, _, err, _ = _call(prepared, argv)
            if code != 0:
                raise SystemExit(f"setup failed: {argv}: {err}")
        before = hostile.fingerprint(prepared)
        copy = folder / "case.sqlite3"
        tried = refused = accepted = 0
        bad: list[str] = []
        slowest: tuple = (0.0, "-", None, None)
        for kind, slot, build, values in _cases():
            plain_times: list[float] = []
            for name, value in values:
                shutil.copyfile(prepared, copy)
                code, out, err, seconds = _call(copy, build(value))
                tried += 1
                where = f"{slot} {name}"
                if code == 2:
                    one_line = out == "" and len(err.splitlines()) == 1
                    if not one_line or not hostile.shown_escaped(err):
                        bad.append(f"{where}: refusal not one escaped line")
                    elif hostile.fingerprint(copy) != before:
                        bad.append(f"{where}: refused but wrote")
                    else:
                        refused += 1
                elif code == 0:
                    if err or not hostile.shown_escaped(out):
                        bad.append(f"{where}: output not escaped")
                        continue
                    accepted += 1
                    if kind in PLAIN:
                        plain = PLAIN_BY_SLOT.get(slot, PLAIN[kind])
                        if not plain_times:
                            plain_times = _timed(prepared, copy, build(plain))
                        ratio = seconds / min(plain_times)
                        if ratio > max(slowest[0], 1.2):  # one sample is noisy: the best of 5
                            ratio = min(_timed(prepared, copy, build(value))) / min(plain_times)
                        if ratio > slowest[0]:
                            slowest = (ratio, where, build(value), build(plain))
                else:
                    bad.append(f"{where}: exit {code}")
        figures = [
            ("hostile inputs tried", str(tried)),
            ("refused (exit 2, one line, nothing written)", str(refused)),
            ("accepted, stored and shown escaped", str(accepted)),
            ("tracebacks or other failures (must be 0)", str(len(bad))),
            ("slowest accepted input vs the same, plain (in-process)", f"{slowest[0]:.2f}x"),
            ("  which input", slowest[1]),
        ]
        if slowest[2] is not None:  # what an engineer waits for: the whole command
            worst, plain = (_process(prepared, copy, argv) for argv in slowest[2:])
            figures.append(("  the same as a one-shot command", f"{worst / plain:.2f}x"))
        figures += [("failure", b) for b in bad[:10]]
        return figures
    finally:
        env.restore()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    for name, value in run():
        print(f"{name:55} {value}")
