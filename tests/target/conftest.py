import os

# The QEMU tour notebook needs its VM: test_qemu_tour.py starts one and runs nbval on it.
collect_ignore_glob = [] if os.environ.get("SERIAL_CONSOLE_QEMU_TOUR") else ["*.ipynb"]
