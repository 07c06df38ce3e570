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

    run = commands.add_parser("run", help="execute a runbook headless (nbclient)")
    run.add_argument("notebook")
    run.add_argument("--target", help="the console to run against (default: the runbook's, "
                     "usually the simulator); sets SERIAL_CONSOLE_TARGET")
    run.add_argument("-o", "--output", help="where to write the executed notebook "
                     "(default NOTEBOOK.out.ipynb beside it)")
    run.add_argument("--timeout", type=float, default=300, help="seconds per cell (300)")
    run.add_argument("--in-process", action="store_true",
                     help="run the cells in this process, without a kernel (same outputs)")

    args = parser.parse_args(argv)
    if args.command == "run":
        from .runner import run_notebook

        return run_notebook(args.notebook, target=args.target, output=args.output,
                            cell_timeout=args.timeout, in_process=args.in_process)
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
