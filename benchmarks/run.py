"""Run the benchmarks, print a table, write JSON.

    python benchmarks/run.py [--quick] [--json results.json]

--quick is the smoke run the test suite does: small sizes, same correctness checks.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import bench_fleet
import bench_ingest
import bench_kernel
import bench_management
import bench_typing

FULL = {"ingest_bytes": 4_000_000, "history_sample": 400_000, "cells": 300, "flood_mb": 100,
        "memory_cells": 10_000, "live_seconds": 10, "hostile_bytes": 2_000_000,
        "typed_line": 10_000, "fleet": (1, 10, 50, 200), "fleet_dask": 200, "managed_lines": 50}
QUICK = {"ingest_bytes": 300_000, "history_sample": 60_000, "cells": 30, "flood_mb": 2,
         "memory_cells": 100, "live_seconds": 2, "hostile_bytes": 100_000,
         "typed_line": 1_000, "fleet": (1, 3), "fleet_dask": 3, "managed_lines": 3}


def table(rows: list[dict]) -> str:
    keys = list(rows[0])
    widths = {key: max(len(key), *(len(str(row[key])) for row in rows)) for key in keys}
    lines = ["  ".join(key.ljust(widths[key]) for key in keys)]
    lines += ["  ".join(str(row[key]).ljust(widths[key]) for key in keys) for row in rows]
    return "\n".join(line.rstrip() for line in lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results.json"))
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    machine = (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
               f"Python {platform.python_version()}")
    print(f"# Serial Console kernel benchmarks ({'quick' if args.quick else 'full'}) on {machine}\n")

    ingest = bench_ingest.run(size["ingest_bytes"], size["history_sample"])
    print("## Ingest (unthrottled TCP console -> transport, emulation, snapshot, transcript)")
    print(table(ingest), "\n")
    hostile = bench_ingest.hostile(size["hostile_bytes"])
    print("## Hostile input (the engine alone: emulation cell by cell, or strings dropped)")
    print(table(hostile), "\n")
    latency = bench_kernel.latency(size["cells"])
    print(f"## Cell latency: last prompt byte written -> execute_reply received ({latency['cells']} cells)")
    print(table([{"path": key, **value} for key, value in latency.items() if isinstance(value, dict)]), "\n")
    memory = bench_kernel.memory(size["flood_mb"], size["memory_cells"])
    print("## Kernel memory")
    print(table([memory]), "\n")
    live = bench_kernel.live_view(size["live_seconds"])
    print("## Live screen widget")
    print(table([live]), "\n")
    typing = bench_typing.run(size["typed_line"])
    print("## Typing a long line into a console that echoes (paced pieces vs all at once)")
    print(table(typing), "\n")
    fleet = bench_fleet.run(size["fleet"], size["fleet_dask"])
    print("## Fleet runs (a runbook over simulated VMs; a third of them fail, as meant)")
    print(table(fleet), "\n")
    managed = bench_management.run(size["managed_lines"])
    print("## Consoles behind management peers (connect includes the 0.4 s of quiet %connect waits)")
    print(table(managed))

    results = {"machine": machine, "quick": args.quick, "ingest": ingest, "hostile": hostile,
               "latency": latency,
               "memory": memory, "live_view": live, "typing": typing, "fleet": fleet,
               "managed": managed}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    failed = [row["workload"] for row in ingest
              if not (row["final_screen_equals_pyte"] and row["transcript_holds_every_byte"])]
    failed += [f"typing with paste-limit {row['paste_limit']}" for row in typing
               if not row["arrived_whole"]]
    failed += [f"fleet of {row['targets']} ({row['where']})" for row in fleet
               if not row["outcomes_right"]]
    failed += [row["console"] for row in managed if not row["every_line_answered"]]
    if failed:
        print(f"\nCORRECTNESS FAILED for: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
