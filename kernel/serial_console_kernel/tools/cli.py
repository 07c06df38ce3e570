"""The `serial-console` command line: install the kernelspec, serve the simulator, run runbooks."""

from __future__ import annotations

import argparse
import signal
import sys
import threading


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="serial-console",
                                     description="Serial Console kernel for Jupyter")
    commands = parser.add_subparsers(dest="command", required=True)

    install = commands.add_parser("install", help="install the kernelspec")
    where = install.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="for this user only")
    where.add_argument("--sys-prefix", action="store_true", help="into sys.prefix (a venv)")
    where.add_argument("--prefix", help="into PREFIX/share/jupyter/kernels")

    sim = commands.add_parser("sim", help="serve a simulated Windows or Linux console over TCP")
    sim.add_argument("kind", nargs="?", choices=["windows", "linux"], default="windows")
    sim.add_argument("--scenario", default="healthy", help="the fault to simulate (--list)")
    sim.add_argument("--speed", default="fast", help="fast (default), real, or a factor like 0.2")
    sim.add_argument("--listen", default="127.0.0.1:2323", help="console HOST:PORT (2323)")
    sim.add_argument("--control", default=None,
                     help="JSON-lines control HOST:PORT for power actions (console port + 1)")
    sim.add_argument("--list", action="store_true", help="list the scenarios and exit")

    run = commands.add_parser(
        "run", help="execute a runbook headless (nbclient), or over many targets",
        description="Run a runbook. With one --target (or none) a kernel runs it; with "
        "--targets FILE, several --target or the fleet options, it runs on every target, "
        "each in this process (or on Dask), with a report in --out.")
    run.add_argument("notebook")
    run.add_argument("--target", action="append", default=[],
                     help="the console to run against (default: the runbook's, usually the "
                     "simulator); sets SERIAL_CONSOLE_TARGET; repeat it for a fleet run")
    run.add_argument("-o", "--output", help="where to write the executed notebook "
                     "(default NOTEBOOK.out.ipynb beside it)")
    run.add_argument("--timeout", type=float, default=300, help="seconds per cell (300)")
    run.add_argument("--in-process", action="store_true",
                     help="run the cells in this process, without a kernel (same outputs)")
    fleet = run.add_argument_group("fleet runs")
    fleet.add_argument("--targets", metavar="FILE", help="one target a line: TARGET [OPTIONS] "
                       "[name=NAME] [VAR=VALUE…] (see the README)")
    fleet.add_argument("--parallel", type=int, default=None, metavar="N",
                       help="targets running at once (10)")
    fleet.add_argument("--out", metavar="DIR", help="artifacts and reports (NOTEBOOK.fleet/)")
    fleet.add_argument("--max-failures", type=int, default=None, metavar="K",
                       help="start no new target once K have failed")
    fleet.add_argument("--dask", metavar="ADDRESS",
                       help="run on a Dask cluster: tcp://SCHEDULER:8786, or local:N workers")
    fleet.add_argument("--dry-run", action="store_true", help="list what would run, run nothing")
    fleet.add_argument("--retry-failed", metavar="DIR",
                       help="run again the targets that did not pass in DIR's report")

    args = parser.parse_args(argv)
    if args.command == "run":
        fleet_run = (args.targets or len(args.target) > 1 or args.out or args.dask
                     or args.retry_failed or args.dry_run or args.parallel or args.max_failures)
        if fleet_run:
            from .fleet_run import run_fleet

            if (args.parallel is not None and args.parallel < 1) or (
                    args.max_failures is not None and args.max_failures < 1):
                parser.error("--parallel and --max-failures take a number from 1 up")
            return run_fleet(args.notebook, targets_file=args.targets, target_specs=args.target,
                             out=args.out, parallel=args.parallel or 10,
                             max_failures=args.max_failures, cell_timeout=args.timeout,
                             dask=args.dask, dry_run=args.dry_run, retry_failed=args.retry_failed)
        from .runner import run_notebook

        return run_notebook(args.notebook, target=args.target[0] if args.target else None,
                            output=args.output, cell_timeout=args.timeout,
                            in_process=args.in_process)
    if args.command == "install":
        from .install import install_from_args

        return install_from_args(args)
    if args.command == "sim":
        return run_simulator(args)
    return 2


def run_simulator(args: argparse.Namespace) -> int:
    from ..simulator import Simulation, scenarios
    from ..simulator.server import ConsoleServer, parse_address

    if args.list:
        for kind in ("windows", "linux"):
            for name, text in scenarios(kind).items():
                print(f"{kind:<8} {name:<28} {text}")
        return 0
    # SIGTERM and Ctrl-C are taken with sigwait by this thread, which does nothing else.  With
    # a Python handler that had to interrupt the thread blocked in accept(), the server at
    # times did not stop on SIGTERM under load (8 of 12 runs of a test were killed after 5 s).
    # Blocked before any thread starts, so that every thread inherits the mask.
    stop_signals = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    try:
        console = parse_address(args.listen)
        control = parse_address(args.control) if args.control else (
            console[0], console[1] + 1 if console[1] else 0)
        server = ConsoleServer(Simulation(args.kind, args.scenario, args.speed), console, control)
    except ValueError as err:
        print(f"serial-console sim: {err}", file=sys.stderr)
        return 2
    print(f"simulated {args.kind} ({args.scenario}): {server.addresses}", flush=True)
    threading.Thread(target=server.serve_forever, name="console-server", daemon=True).start()
    signal.sigwait(stop_signals)
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
