"""The command behind `serial-console run NOTEBOOK --targets FILE …`: read the targets, run them
(here or on Dask), write each one's artifacts as it finishes, then the reports.  Exit status 0
when every target passed, 1 otherwise, 2 for bad arguments, 130 after Ctrl-C."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import nbformat

from ..errors import ConsoleError
from .fleet import (
    Artifacts,
    FleetTarget,
    Outcome,
    Progress,
    parse_targets,
    read_targets,
    run_dask,
    run_local,
    write_artifacts,
)
from .fleet_report import Display, print_summary, write_reports


def _targets(targets_file: str | None, target_specs: list[str]) -> list[FleetTarget]:
    targets = read_targets(targets_file) if targets_file else []
    if target_specs:
        extra = parse_targets(target_specs, "--target")
        taken = {t.name for t in targets}
        targets += [t if t.name not in taken else FleetTarget(f"arg-{i:03d}", t.spec, t.env)
                    for i, t in enumerate(extra, 1)]
    return targets


def _retry(out: Path, targets_file: str | None,
           target_specs: list[str]) -> tuple[list[FleetTarget], list[Outcome]]:
    """The targets of OUT's last run that did not pass, and the outcomes of those that did."""
    try:
        report = json.loads((out / "report.json").read_text())
    except (OSError, ValueError) as err:
        raise ConsoleError(f"--retry-failed {out}: no report.json of an earlier run there ({err})") from None
    every = _targets(targets_file, target_specs)
    passed = [Outcome(**o) for o in report["outcomes"] if o["status"] == "passed"]
    done = {o.name for o in passed}
    return [t for t in every if t.name not in done], passed


def _earlier_targets_file(out: Path) -> str | None:
    try:
        return json.loads((out / "report.json").read_text()).get("targets_file")
    except (OSError, ValueError):
        return None  # _retry says what is missing


def run_fleet(notebook_path: str, *, targets_file: str | None, target_specs: list[str],
              out: str | None, parallel: int, max_failures: int | None, cell_timeout: float,
              dask: str | None, dry_run: bool, retry_failed: str | None) -> int:
    try:
        notebook = nbformat.read(notebook_path, as_version=4)
    except (OSError, ValueError) as err:
        print(f"serial-console run: cannot read {notebook_path}: {err}", file=sys.stderr)
        return 2
    name = Path(notebook_path).name
    folder = Path(retry_failed or out or Path(notebook_path).stem + ".fleet")
    try:
        kept: list[Outcome] = []
        if retry_failed:
            targets_file = targets_file or _earlier_targets_file(folder)
            targets, kept = _retry(folder, targets_file, target_specs)
        else:
            targets = _targets(targets_file, target_specs)
    except ConsoleError as err:
        print(f"serial-console run: {err}", file=sys.stderr)
        return 2
    if dry_run:
        for target in targets:
            params = " ".join(f"{key}=…" for key in target.env)
            print(f"{target.name:<20} {target.spec} {params}".rstrip())
        print(f"{len(targets)} targets would run {name}, {parallel} at a time"
              + (f" on Dask ({dask})" if dask else "") + f"; artifacts in {folder}/")
        return 0
    folder.mkdir(parents=True, exist_ok=True)
    progress = Progress(len(targets))
    source = dict(notebook)
    interrupted = False

    def deliver(artifacts: Artifacts) -> None:
        write_artifacts(folder, name, artifacts)
        display.finished(artifacts.outcome)

    with Display(progress) as display:
        try:
            if dask:
                run_dask(source, targets, address=dask, parallel=parallel, max_failures=max_failures,
                         cell_timeout=cell_timeout, progress=progress, deliver=deliver)
            else:
                asyncio.run(run_local(source, targets, parallel=parallel, max_failures=max_failures,
                                      cell_timeout=cell_timeout, progress=progress, deliver=deliver))
        except KeyboardInterrupt:
            interrupted = True
        except ConsoleError as err:
            print(f"serial-console run: {err}", file=sys.stderr)
            return 2
    finished = {o.name for o in progress.outcomes}
    never = [Outcome(t.name, t.spec, "interrupted" if interrupted else "not run",
                     error="stopped by Ctrl-C" if interrupted else "")
             for t in targets if t.name not in finished]
    order = {t.name: i for i, t in enumerate(targets)}
    outcomes = kept + sorted(progress.outcomes + never, key=lambda o: order.get(o.name, -1))
    write_reports(folder, name, outcomes, str(Path(targets_file).resolve()) if targets_file else None)
    print_summary(outcomes, folder)
    if interrupted:
        return 130
    return 0 if all(o.status == "passed" for o in outcomes) else 1
