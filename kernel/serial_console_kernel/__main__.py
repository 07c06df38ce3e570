"""`python -m serial_console_kernel` starts the kernel; `… install` installs its kernelspec."""

import sys

if len(sys.argv) > 1 and sys.argv[1] == "install":
    from .tools.install import main

    sys.exit(main(sys.argv[2:]))

from ipykernel.kernelapp import IPKernelApp

from .jupyter.kernel import SerialConsoleKernel

IPKernelApp.launch_instance(kernel_class=SerialConsoleKernel)
