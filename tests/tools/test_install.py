import json
import subprocess
import sys
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager


def test_the_wheel_ships_the_kernelspec():
    spec = KernelSpecManager().get_kernel_spec("serial-console")
    assert spec.display_name == "Serial Console"
    assert spec.argv[1:3] == ["-m", "serial_console_kernel"]
    assert spec.interrupt_mode == "signal"


def test_install_into_a_prefix_like_bash_kernel(tmp_path):
    subprocess.run([sys.executable, "-m", "serial_console_kernel", "install", "--prefix",
                    str(tmp_path)], check=True, capture_output=True)
    folder = tmp_path / "share" / "jupyter" / "kernels" / "serial-console"
    kernel = json.loads((folder / "kernel.json").read_text())
    assert kernel["argv"][0] == sys.executable
    assert {"logo-32x32.png", "logo-64x64.png"} <= {p.name for p in folder.iterdir()}


def test_command_line_install(tmp_path):
    command = Path(sys.executable).parent / "serial-console"
    subprocess.run([str(command), "install", "--prefix", str(tmp_path)], check=True,
                   capture_output=True)
    assert (tmp_path / "share/jupyter/kernels/serial-console/kernel.json").is_file()
