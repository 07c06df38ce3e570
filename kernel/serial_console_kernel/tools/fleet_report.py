"""What a fleet run tells: a live display while it runs (rich), then a summary table on the
terminal, OUT/report.html (a row per target, with the screen where it failed), OUT/junit.xml (a
testcase per target, for CI systems) and OUT/report.json (what `--retry-failed` reads)."""

from __future__ import annotations

import html
import json
import sys
from pathlib import Path
from xml.etree import ElementTree

from rich.console import Console as RichConsole
from rich.console import Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from .fleet import Outcome, Progress, outcomes_as_json

STATUS_STYLE = {"passed": "green", "failed": "bold red", "not run": "yellow",
                "interrupted": "magenta"}
SHOWN_RUNNING = 12  # running targets listed under the counts


def progress_view(progress: Progress) -> Group:
    done = len(progress.outcomes)
    passed = sum(o.status == "passed" for o in progress.outcomes)
    counts = Text.assemble(
        (f"{done}/{progress.total} done", "bold"), "  ", (f"{passed} passed", "green"), "  ",
        (f"{progress.failures} failed", "red"), "  ", (f"{len(progress.running)} running", "cyan"))
    table = Table(show_header=True, box=None, pad_edge=False)
    table.add_column("running")
    table.add_column("at step")
    for name, step in list(progress.running.items())[:SHOWN_RUNNING]:
        table.add_row(name, step)
    more = len(progress.running) - SHOWN_RUNNING
    extra = [Text(f"… and {more} more")] if more > 0 else []
    return Group(counts, table, *extra)


class Display:
    """A live view on a terminal; on a pipe (CI logs) a line per finished target instead."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.console = RichConsole(file=sys.stdout)
        self.live = (Live(get_renderable=lambda: progress_view(progress), console=self.console,
                          refresh_per_second=4, transient=True)
                     if self.console.is_terminal else None)

    def __enter__(self) -> Display:
        if self.live is not None:
            self.live.start()
        return self

    def finished(self, outcome: Outcome) -> None:
        if self.live is None:
            where = f" at {outcome.failed_step}: {outcome.error}" if outcome.status == "failed" else ""
            print(f"{outcome.name}: {outcome.status}{where}", flush=True)

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.stop()


def summary_table(outcomes: list[Outcome]) -> Table:
    table = Table(title="serial-console fleet run")
    for column in ("target", "status", "steps", "failing step", "error", "s"):
        table.add_column(column, overflow="fold")
    for o in outcomes:
        table.add_row(o.name, Text(o.status, style=STATUS_STYLE.get(o.status, "")),
                      f"{o.steps_done}/{o.steps}", o.failed_step[:48], o.error[:120], f"{o.seconds:g}")
    return table


def print_summary(outcomes: list[Outcome], out: Path) -> None:
    console = RichConsole(file=sys.stdout, width=None if sys.stdout.isatty() else 140)
    console.print(summary_table(outcomes))
    counts = {status: sum(o.status == status for o in outcomes) for status in STATUS_STYLE}
    console.print(", ".join(f"{n} {status}" for status, n in counts.items() if n)
                  + f"; report: {out / 'report.html'}, {out / 'junit.xml'}")


_STYLE = """<style>
body{font-family:system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}
.passed{color:#186a18}.failed{color:#b00;font-weight:bold}.not-run{color:#a06000}
.interrupted{color:#808}details{margin-top:4px}</style>"""


def write_html(path: Path, notebook_name: str, outcomes: list[Outcome]) -> None:
    counts = {s: sum(o.status == s for o in outcomes) for s in STATUS_STYLE}
    rows = []
    for o in outcomes:
        links = (f'<a href="{html.escape(o.name)}/{html.escape(notebook_name)}">notebook</a> · '
                 f'<a href="{html.escape(o.name)}/transcript.log">transcript</a>'
                 if o.status != "not run" else "")
        screen = (f"<details open><summary>screen at failure</summary>{o.screen_html}</details>"
                  if o.screen_html else "")
        rows.append(
            f"<tr><td>{html.escape(o.name)}</td><td><code>{html.escape(o.spec)}</code></td>"
            f'<td class="{o.status.replace(" ", "-")}">{html.escape(o.status)}</td>'
            f"<td>{o.steps_done}/{o.steps}</td><td><code>{html.escape(o.failed_step)}</code></td>"
            f"<td>{html.escape(o.error)}{screen}</td><td>{links}</td><td>{o.seconds:g}</td></tr>")
    path.write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(notebook_name)}: "
        f"fleet run</title>{_STYLE}</head><body><h1>{html.escape(notebook_name)}</h1><p>"
        + ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        + "</p><table><tr><th>target</th><th>connects to</th><th>status</th><th>steps</th>"
        "<th>failing step</th><th>error</th><th>artifacts</th><th>s</th></tr>"
        + "".join(rows) + "</table></body></html>\n")


def write_junit(path: Path, notebook_name: str, outcomes: list[Outcome]) -> None:
    suite = ElementTree.Element("testsuite", {
        "name": notebook_name, "tests": str(len(outcomes)),
        "failures": str(sum(o.status == "failed" for o in outcomes)),
        "errors": str(sum(o.status == "interrupted" for o in outcomes)),
        "skipped": str(sum(o.status == "not run" for o in outcomes)),
        "time": f"{sum(o.seconds for o in outcomes):.2f}"})
    for o in outcomes:
        case = ElementTree.SubElement(suite, "testcase", {
            "classname": f"serial-console.{Path(notebook_name).stem}", "name": o.name,
            "time": f"{o.seconds:.2f}"})
        if o.status == "failed":
            failure = ElementTree.SubElement(case, "failure", {"message": f"{o.failed_step}: {o.error}"})
            failure.text = o.error
        elif o.status == "interrupted":
            ElementTree.SubElement(case, "error", {"message": "interrupted"})
        elif o.status == "not run":
            ElementTree.SubElement(case, "skipped", {"message": o.error})
        ElementTree.SubElement(case, "system-out").text = f"target: {o.spec}"
    root = ElementTree.Element("testsuites")
    root.append(suite)
    ElementTree.indent(root)
    ElementTree.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def write_reports(out: Path, notebook_name: str, outcomes: list[Outcome], targets_file: str | None,
                  ) -> None:
    write_html(out / "report.html", notebook_name, outcomes)
    write_junit(out / "junit.xml", notebook_name, outcomes)
    (out / "report.json").write_text(json.dumps(
        {"notebook": notebook_name, "targets_file": targets_file,
         "outcomes": outcomes_as_json(outcomes)}, indent=1) + "\n")
