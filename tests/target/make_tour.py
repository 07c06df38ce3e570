"""Write linux-qemu-tour.ipynb and execute it against a freshly booted QEMU VM, so that it is
saved with the outputs nbval compares.   .venv/bin/python tests/target/make_tour.py"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from targets.build_linux_vm import ROOT_PASSWORD  # noqa: E402
from targets.qemu_vm import LinuxVM  # noqa: E402

IGNORE_OUTPUT = {"tags": ["nbval-ignore-output"]}  # boot messages vary from boot to boot
CELLS = [
    ("md", "# A real Linux VM over its serial console\n\nDebian's kernel and busybox under QEMU: "
           "serial on a TCP socket, NMI, reset and SysRq over QMP. `tests/target/test_qemu_tour.py` "
           "boots the VM and runs this notebook with nbval; boot timestamps are sanitized."),
    ("code", "%connect ${SERIAL_CONSOLE_TARGET} --power ${SERIAL_CONSOLE_POWER}", {}),
    ("code", "%wait login: --timeout 60", IGNORE_OUTPUT),
    ("md", "Sign in; the password comes from the environment and never reaches the notebook."),
    ("code", "root\n%password TARGET_ROOT_PASSWORD\nclear", {}),
    ("code", "uname -sm; echo tour-ok\ncat /proc/cmdline", {}),
    ("md", "An NMI through QEMU's monitor: Linux reports it on the console and carries on."),
    ("code", "%nmi\n%wait Dazed and confused --timeout 10", {}),
    ("md", "Magic SysRq: a BREAK on the serial line, then the key."),
    ("code", "clear\n%sysrq h\n%wait sysrq: HELP --timeout 10", {}),
    ("md", "A hard reset brings the machine back to its login prompt."),
    ("code", "%reset\n%wait login: --timeout 60", IGNORE_OUTPUT),
]


def build() -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "serial-console", "display_name": "Serial Console",
                                       "language": "serial-console"}
    for kind, text, *rest in CELLS:
        if kind == "md":
            notebook.cells.append(nbformat.v4.new_markdown_cell(text))
        else:
            notebook.cells.append(nbformat.v4.new_code_cell(text, metadata=dict(rest[0])))
    return notebook


def environment(vm: LinuxVM) -> dict[str, str]:
    return {"SERIAL_CONSOLE_TARGET": vm.console_url, "SERIAL_CONSOLE_POWER": f"qmp:{vm.qmp_path}",
            "TARGET_ROOT_PASSWORD": ROOT_PASSWORD, "SERIAL_CONSOLE_QEMU_TOUR": "1"}


def start_when_connected(vm: LinuxVM) -> threading.Thread:
    thread = threading.Thread(target=vm.start_when_connected, kwargs={"timeout": 120}, daemon=True)
    thread.start()
    return thread


if __name__ == "__main__":
    vm = LinuxVM()
    try:
        os.environ.update(environment(vm))
        start_when_connected(vm)
        notebook = build()
        NotebookClient(notebook, timeout=120, kernel_name="serial-console").execute()
        for cell in notebook.cells:
            cell.pop("id", None)
        nbformat.write(notebook, HERE / "linux-qemu-tour.ipynb")
    finally:
        vm.stop()
