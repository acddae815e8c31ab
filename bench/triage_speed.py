"""Log triage speed and memory: 100,000 mixed lines (JSON responses, SDK exceptions, nginx
lines, noise) triaged on one core, as `manage.py triage` and the page do it.

    .venv/bin/python bench/triage_speed.py                  # SQLite (in memory)
    .venv/bin/python bench/triage_speed.py --lines 20000    # a quicker run

The log is generated with a fixed seed from the writers of tests/logs.py, every line with
its own time and request ID; 100,000 such lines are about 18 MB, over the 10 MB a log may
be sent as, so they are triaged as the gzip file a customer would send (which adds the
unpacking to the time). Printed: the time (CPU seconds of this process and wall seconds),
the peak memory the triage allocated (tracemalloc, in a second run: tracing slows it) and
the process's peak resident size (getrusage, Django and the catalog included). Targets:
at most 10 s and under 200 MB.
"""

import argparse
import gzip
import io
import os
import resource
import sys
import time
import tracemalloc
from io import StringIO

from _django import ROOT, setup_throwaway_database

sys.path.insert(0, str(ROOT))

from tests.logs import mixed_log  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core

    teardown = setup_throwaway_database()
    try:
        from django.core.management import call_command
        from django.utils import translation

        from kb.triage import triage

        call_command("import_catalog", stdout=StringIO())
        raw = mixed_log(args.lines)
        packed = gzip.compress(raw, 6)
        print(f"lines={args.lines} raw_mb={len(raw) / 1e6:.1f} gzip_mb={len(packed) / 1e6:.2f}")

        with translation.override("en"):
            wall, cpu = time.perf_counter(), time.process_time()
            report = triage(io.BytesIO(packed))
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            tracemalloc.start()
            triage(io.BytesIO(packed))
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"groups={len(report.groups)} recognised={report.recognised} "
            f"unrecognised={report.unrecognised} searches={report.searches}"
        )
        for group in report.groups:
            cause = group.cause.slug if group.cause else "-"
            print(f"  {group.entry.code} {group.entry.http_status} {cause}: {group.count}")
        print(f"cpu_seconds={cpu:.2f} wall_seconds={wall:.2f} (target <= 10)")
        print(
            f"triage_peak_mb={peak / 1e6:.1f} process_peak_rss_mb={rss_mb:.0f} "
            f"(target < 200); load average {os.getloadavg()[0]:.1f}"
        )
    finally:
        teardown()


if __name__ == "__main__":
    main()
