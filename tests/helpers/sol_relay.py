"""A TCP relay between ipmi_sim's SOL connection and the VM's serial port, run by the BMC test
harness (tests/targets/ipmi_bmc.py): python sol_relay.py VM_SERIAL_PORT; prints its port.

Why: ipmi_sim reconnects a dropped SOL device only from a 10 s timer, and any SOL ACK from an
active client cancels that timer, so SOL dies for good when the VM restarts (power cycle, off
and on: a new QEMU process).  The relay keeps ipmi_sim's side up and reconnects to the VM's
port by itself, as a real BMC's UART stays wired to the board whatever the board does.
"""

from __future__ import annotations

import selectors
import socket
import sys
import time

VM_RETRY = 0.1  # seconds between attempts to reach a VM that is off or booting


def main() -> None:
    vm_port = int(sys.argv[1])
    listener = socket.create_server(("127.0.0.1", 0))
    print(listener.getsockname()[1], flush=True)
    bmc, _ = listener.accept()  # ipmi_sim: one connection for its whole life
    vm: socket.socket | None = None
    selector = selectors.DefaultSelector()
    selector.register(bmc, selectors.EVENT_READ, "bmc")
    while True:
        if vm is None:
            try:
                vm = socket.create_connection(("127.0.0.1", vm_port), timeout=1)
                selector.register(vm, selectors.EVENT_READ, "vm")
            except OSError:
                vm = None
        for key, _ in selector.select(VM_RETRY if vm is None else None):
            data = key.fileobj.recv(65536)  # type: ignore[union-attr]
            if key.data == "bmc":
                if not data:
                    return  # ipmi_sim went away: so do we
                if vm is not None:
                    vm.sendall(data)  # typed while the VM is off: lost, as on a real board
            elif not data:
                selector.unregister(vm)
                vm.close()
                vm = None
                time.sleep(VM_RETRY)
            else:
                bmc.sendall(data)


if __name__ == "__main__":
    main()
