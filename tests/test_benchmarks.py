"""The benchmarks' smoke run: it must run end to end and its correctness checks must hold.
The figures themselves are not asserted (timing belongs to benchmarks, not tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_quick_benchmark_runs_and_its_checks_hold(tmp_path):
    out = tmp_path / "results.json"
    run = subprocess.run([sys.executable, "benchmarks/run.py", "--quick", "--json", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(out.read_text())
    assert {row["workload"] for row in results["ingest"]} == {
        "plain log lines", "ls --color", "menu redraws", "Linux boot log"}
    for row in results["ingest"]:
        assert row["final_screen_equals_pyte"] and row["transcript_holds_every_byte"], row
    assert results["latency"]["cells"] == 30
    assert results["memory"]["peak_rss_after_flood_MB"] > 0
    assert results["live_view"]["live_updates_per_s"] > 0
    assert "## Cell latency" in run.stdout
    assert [row["every_line_answered"] for row in results["managed"]] == [True, True, True]
