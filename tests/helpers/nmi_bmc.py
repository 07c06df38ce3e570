"""A small BMC that does what ipmi_sim cannot: the "pulse diagnostic interrupt" (NMI).

Built on pyghmi's BMC server, over QEMU's monitor (QMP): diag is `inject-nmi`, reset
`system_reset`, status from `query-status`.  It serves IPMI 2.0 on a UDP port of 127.0.0.1
(printed first) with one user: python nmi_bmc.py QMP_SOCKET USER PASSWORD.
"""

from __future__ import annotations

import socket
import sys

from pyghmi.ipmi import bmc
from pyghmi.ipmi.private import serversession
from qemu.qmp.legacy import QEMUMonitorProtocol

INVALID_AUTHENTICATION_ALGORITHM = 0x04  # RMCP+ status code (IPMI 2.0, table 13-15)
_open_session = serversession.ServerSession.create_open_session_response


def _sha1_or_refuse(self: serversession.ServerSession, request: bytearray) -> bytearray:
    """pyghmi's BMC answers every open-session request with SHA-1 (cipher suite 3), even one
    that asks for SHA-256, and pyghmi's client then fails on the hash length: refuse what it
    does not do, as a real BMC does, so that the client falls back to cipher suite 3."""
    if request[12] != 1:  # the authentication algorithm asked for: 1 is HMAC-SHA1
        return bytearray([request[0], INVALID_AUTHENTICATION_ALGORITHM, 0, 0]) + request[4:8] + bytes(4)
    return _open_session(self, request)


serversession.ServerSession.create_open_session_response = _sha1_or_refuse


class QemuBmc(bmc.Bmc):
    def __init__(self, qmp_path: str, user: str, password: str, port: int) -> None:
        super().__init__({user: password}, port=port, address="127.0.0.1")
        self.qmp = QEMUMonitorProtocol(qmp_path)
        self.qmp.connect()

    def get_power_state(self) -> str:
        return "on" if self.qmp.cmd("query-status")["status"] == "running" else "off"

    def pulse_diag(self) -> None:
        self.qmp.cmd("inject-nmi")

    def power_reset(self) -> None:
        self.qmp.cmd("system_reset")


def main() -> None:
    qmp_path, user, password = sys.argv[1:4]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = QemuBmc(qmp_path, user, password, port)
    print(port, flush=True)
    server.listen()


if __name__ == "__main__":
    main()
