"""`make bench`: run every benchmark and print each figure beside its in-run baseline."""

from __future__ import annotations

import asyncio
import platform
import sys

from bench import (
    bench_app,
    bench_auth,
    bench_checklists,
    bench_compression,
    bench_programme,
    bench_reports,
    bench_review,
    bench_signatures,
    bench_sync,
    bench_tablets,
)
from bench.harness import report

SUITES = {
    "auth": bench_auth.run,
    "checklists": bench_checklists.run,
    "sync": bench_sync.run,
    "tablets": bench_tablets.run,
    "app": bench_app.run,
    "reports": bench_reports.run,
    "signatures": bench_signatures.run,
    "programme": bench_programme.run,
    "review": bench_review.run,
    "compression": bench_compression.run,
}


def main() -> int:
    wanted = sys.argv[1:] or list(SUITES)
    unknown = [name for name in wanted if name not in SUITES]
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)}; choose among {', '.join(SUITES)}", file=sys.stderr)
        return 2
    print(
        f"Tadqiq benchmarks on {platform.node()} ({platform.processor() or platform.machine()}), "
        "client and server on loopback, same machine"
    )
    for name in wanted:
        rows = asyncio.run(SUITES[name]())
        report(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
