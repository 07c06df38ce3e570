"""Install the kernelspec by hand, as bash_kernel does (the wheel already ships it)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager

KERNEL_NAME = "serial-console"
KERNEL_JSON = {
    "argv": [sys.executable, "-m", "serial_console_kernel", "-f", "{connection_file}"],
    "display_name": "Serial Console",
    "language": "serial-console",
    "interrupt_mode": "signal",
    "metadata": {"debugger": False},
}


def install(user: bool = False, prefix: str | None = None) -> str:
    with tempfile.TemporaryDirectory() as folder:
        spec = Path(folder)
        (spec / "kernel.json").write_text(json.dumps(KERNEL_JSON, indent=2))
        # The wheel put the logos beside its own copy of the kernelspec.
        shipped = Path(sys.prefix) / "share" / "jupyter" / "kernels" / KERNEL_NAME
        for logo in shipped.glob("logo-*.png"):
            shutil.copyfile(logo, spec / logo.name)
        return KernelSpecManager().install_kernel_spec(
            str(spec), KERNEL_NAME, user=user, prefix=prefix
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m serial_console_kernel install",
                                     description="Install the Serial Console kernelspec.")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="for this user only")
    where.add_argument("--sys-prefix", action="store_true", help="into sys.prefix (a venv)")
    where.add_argument("--prefix", help="into PREFIX/share/jupyter/kernels")
    return install_from_args(parser.parse_args(argv))


def install_from_args(args: argparse.Namespace) -> int:
    prefix = sys.prefix if args.sys_prefix else args.prefix
    # Like bash_kernel: without root, a plain install goes to the user's folder.
    path = install(user=args.user or (prefix is None and os.geteuid() != 0), prefix=prefix)
    print(f"installed the Serial Console kernelspec in {path}")
    return 0
