"""Where the test suite's CPU goes: seconds of CPU per test file, printed, never asserted.

    .venv/bin/python bench/suite_cpu.py [--top 30] [pytest arguments...]

Runs the README's test command (``pytest -q -n auto``) with a small plugin that
sums, for every test, the CPU of its worker process (``time.process_time``: every
thread of it) and of the child processes it waited for (``RUSAGE_CHILDREN``:
the CLI and watcher subprocesses); setup and teardown included. Then prints the
wall time, the CPU of the whole run, the CPU the tests account for (the rest is
the workers' start and collection) and the files that cost most.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PLUGIN = textwrap.dedent(
    """
    import json, os, resource, time
    import pytest

    _cpu = {}

    def _now():
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + children.ru_utime + children.ru_stime

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(item, nextitem):
        start = _now()
        yield
        _cpu[item.nodeid] = _cpu.get(item.nodeid, 0.0) + _now() - start

    def pytest_sessionfinish(session):
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        with open(os.path.join(os.environ["SUITE_CPU_OUT"], worker + ".json"), "w") as f:
            json.dump(_cpu, f)
    """
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=30, help="how many files to list")
    args, pytest_args = parser.parse_known_args()
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "suite_cpu_plugin.py").write_text(PLUGIN)
        env = dict(os.environ, SUITE_CPU_OUT=tmp)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [tmp, env.get("PYTHONPATH")]))
        command = [sys.executable, "-m", "pytest", "-q", "-n", "auto", "-p", "suite_cpu_plugin"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        run = subprocess.run([*command, *pytest_args], cwd=ROOT, env=env)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        per_test: dict[str, float] = {}
        for path in Path(tmp).glob("*.json"):
            per_test.update(json.loads(path.read_text()))
    total = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    by_file: collections.Counter[str] = collections.Counter()
    for nodeid, seconds in per_test.items():
        by_file[nodeid.split("::")[0]] += seconds
    print(f"\nsuite: {len(per_test)} tests, {wall:.1f} s wall, {total:.1f} s of CPU in all")
    print(f"the tests account for {sum(per_test.values()):.1f} s of CPU; by file:")
    for name, seconds in by_file.most_common(args.top):
        print(f"  {seconds:7.1f} s  {name}")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
