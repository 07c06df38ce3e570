"""The Linux VM model: firewall rules, sshd, fstab and the data disk, and the health check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

HOSTNAME = "simvm"
PASSWORD = "Sim-P@ssw0rd!"  # root and azureuser: the documented default of the simulator
KERNEL = "6.1.0-28-cloud-amd64"
DATA_UUID = "9b1e4c2a-77d0-4f5e-a1c3-2f6b8d0e4a17"
FSTAB = [
    "# /etc/fstab: static file system information.",
    "UUID=0f3c9a1e-5b7d-4e2a-9c8f-1d2e3f4a5b6c /     ext4 defaults,discard 0 1",
    "UUID=4d2e1f0a-3b9c-4a8d-b7e6-5c4d3e2f1a0b /boot ext4 defaults,discard 0 2",
    f"UUID={DATA_UUID} /data ext4 defaults 0 2",
]
MISSING_UUID = "c0ffee00-dead-4bee-8f00-0123456789ab"


@dataclass
class IptablesRule:
    target: str
    protocol: str
    port: str | None

    def row(self, numeric: bool) -> str:
        port = self.port if numeric or self.port is None else {"22": "ssh"}.get(self.port, self.port)
        dpt = f"{self.protocol} dpt:{port}"
        source = "0.0.0.0/0" if numeric else "anywhere"
        return f"{self.target:<11}{self.protocol:<5}--  {source:<20} {source:<20} {dpt if self.port else ''}"


@dataclass
class LinuxState:
    scenario: str = "healthy"
    input_rules: list[IptablesRule] = field(default_factory=list)
    saved_rules: list[IptablesRule] = field(default_factory=list)  # /etc/iptables/rules.v4
    sshd_enabled: bool = True
    sshd_running: bool = True
    fstab: list[str] = field(default_factory=lambda: list(FSTAB))
    data_fs_errors: bool = False
    emergency: bool = False
    files: dict[str, str] = field(default_factory=dict)

    def fstab_ok(self) -> bool:
        for line in self.fstab:
            fields = line.split()
            if fields and not fields[0].startswith("#") and MISSING_UUID in fields[0] \
                    and "nofail" not in fields[3]:
                return False
        return True

    def ssh_allowed(self) -> bool:
        for rule in self.input_rules:
            if rule.port in ("22", None) and rule.protocol in ("tcp", "all"):
                return rule.target == "ACCEPT"
        return True

    def health(self) -> dict[str, object]:
        """SSH reachable on port 22: the check every Linux runbook ends with."""
        checks = {
            "booted_to_multi_user": not self.emergency,
            "sshd_running": self.sshd_running,
            "iptables_allows_22": self.ssh_allowed(),
            "fstab_ok": self.fstab_ok(),
            "filesystem_clean": not self.data_fs_errors,
        }
        return {"healthy": all(checks.values()), "checks": checks}

    def on_boot(self) -> list[str]:
        """The boot's verdict: messages for a failed mount, and whether it ends in emergency mode."""
        self.sshd_running = self.sshd_enabled
        self.input_rules = list(self.saved_rules)  # what netfilter-persistent restores
        if not self.fstab_ok():
            self.emergency = True
            unit = "dev-disk-by\\x2duuid-" + MISSING_UUID.replace("-", "\\x2d")
            return [f"[ TIME ] Timed out waiting for device {unit}.device.",
                    "[DEPEND] Dependency failed for /data.",
                    "[DEPEND] Dependency failed for Local File Systems."]
        if self.data_fs_errors:
            self.emergency = True
            return ["[FAILED] Failed to start File System Check on /dev/sdc1.",
                    "[DEPEND] Dependency failed for /data.",
                    "[DEPEND] Dependency failed for Local File Systems."]
        self.emergency = False
        return []


def _drop_ssh(state: LinuxState) -> None:
    state.input_rules = [IptablesRule("DROP", "tcp", "22")]
    state.saved_rules = list(state.input_rules)


def _sshd_disabled(state: LinuxState) -> None:
    state.sshd_enabled = state.sshd_running = False


def _fstab_missing_disk(state: LinuxState) -> None:
    state.fstab[-1] = f"UUID={MISSING_UUID} /data ext4 defaults 0 2"


def _data_fs_errors(state: LinuxState) -> None:
    state.data_fs_errors = True


class Scenario(NamedTuple):
    description: str
    fault: Callable[[LinuxState], None] | None = None  # what it changes on a healthy machine


SCENARIO_TABLE = {
    "healthy": Scenario("Everything works: SSH reachable on port 22."),
    "iptables-drops-ssh": Scenario("An iptables rule drops incoming SSH (tcp port 22).", _drop_ssh),
    "sshd-disabled": Scenario("The ssh service is disabled and stopped.", _sshd_disabled),
    "fstab-bad-entry": Scenario(
        "/etc/fstab mounts a disk that is gone: the boot ends in emergency mode.", _fstab_missing_disk),
    "fs-needs-fsck": Scenario("The data file system on /dev/sdc1 has errors: fsck must repair it.",
                              _data_fs_errors),
}
SCENARIOS = {name: scenario.description for name, scenario in SCENARIO_TABLE.items()}


def scenario_state(name: str) -> LinuxState:
    if name not in SCENARIO_TABLE:
        raise ValueError(f"unknown Linux scenario {name!r}: {', '.join(SCENARIO_TABLE)}")
    state = LinuxState(scenario=name)
    fault = SCENARIO_TABLE[name].fault
    if fault is not None:
        fault(state)
    return state
