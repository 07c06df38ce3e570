"""The `serial-console` command line: install the kernelspec (more subcommands come later)."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="serial-console",
                                     description="Serial Console kernel for Jupyter")
    commands = parser.add_subparsers(dest="command", required=True)
    install = commands.add_parser("install", help="install the kernelspec")
    where = install.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true")
    where.add_argument("--sys-prefix", action="store_true")
    where.add_argument("--prefix")
    args, rest = parser.parse_known_args(argv)
    if args.command == "install":
        from .install import main as install_main

        return install_main(sys.argv[2:] if argv is None else argv[1:])
    return 2


if __name__ == "__main__":
    sys.exit(main())
