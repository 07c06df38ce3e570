"""The Linux VM model: firewall rules, sshd, fstab and the data disk, and the health check."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..scenario import Scenario, faulty_state

# Like the real Debian 12 test target (tests/targets/build_debian_vm.py) the recordings come from.
HOSTNAME = "debian-target"
PASSWORD = "Sim-P@ssw0rd!"  # root and azureuser: the documented default of the simulator
KERNEL = "6.1.0-57-cloud-amd64"
KERNEL_BUILD = "Debian 6.1.192-3 (2026-11-26)"
ROOT_UUID = "0b9e2f4c-5d1a-4c3e-9f27-6a1d3e5b7c01"
DATA_UUID = "7c3f1a2e-8b4d-4e6f-a1c2-3d4e5f6a7b8c"
FSTAB = [
    f"UUID={ROOT_UUID} / ext4 errors=remount-ro 0 1",
    f"UUID={DATA_UUID} /data ext4 defaults 0 2",
]
MISSING_UUID = "d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6"


@dataclass
class IptablesRule:
    target: str
    protocol: str
    port: str | None

    def row(self, numeric: bool) -> str:
        port = self.port if numeric or self.port is None else {"22": "ssh"}.get(self.port, self.port)
        dpt = f"{self.protocol} dpt:{port}"
        source = "0.0.0.0/0" if numeric else "anywhere"
        # iptables-nft prints the protocol's number with -n (tests/fidelity/linux/iptables-drop-rule.txt).
        protocol = {"tcp": "6", "udp": "17"}.get(self.protocol, self.protocol) if numeric else self.protocol
        return f"{self.target:<11}{protocol:<5}--  {source:<20} {source:<20} {dpt if self.port else ''}"


@dataclass
class LinuxState:
    scenario: str = "healthy"
    input_rules: list[IptablesRule] = field(default_factory=list)
    saved_rules: list[IptablesRule] = field(default_factory=list)  # /etc/iptables/rules.v4
    sshd_enabled: bool = True
    sshd_running: bool = True
    fstab: list[str] = field(default_factory=lambda: list(FSTAB))
    # What systemd read at boot: an edited fstab counts only after `systemctl daemon-reload`.
    loaded_fstab: list[str] = field(default_factory=lambda: list(FSTAB))
    root_locked: bool = False  # no root password (a cloud image): sulogin lets nobody in
    data_fs_errors: bool = False
    emergency: bool = False
    files: dict[str, str] = field(default_factory=dict)

    def fstab_ok(self, loaded: bool = False) -> bool:
        for line in self.loaded_fstab if loaded else self.fstab:
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

    def on_boot(self, reload: bool = True) -> list[str]:
        """The boot's verdict: messages for a failed mount, and whether it ends in emergency
        mode.  `reload`: systemd reads fstab afresh (a boot, not `systemctl default`)."""
        self.sshd_running = self.sshd_enabled
        self.input_rules = list(self.saved_rules)  # what netfilter-persistent restores
        if reload:
            self.loaded_fstab = list(self.fstab)
        if not self.fstab_ok(loaded=True):
            self.emergency = True
            # What the screen keeps once the job's spinner line was overwritten
            # (tests/fidelity/linux/emergency-mode.txt).
            tail = MISSING_UUID[-33:]
            return [f"[ TIME ] Timed out waiting for device {tail}.",
                    f"[DEPEND] Dependency failed for syst\u2026{tail}.",
                    "[DEPEND] Dependency failed for data.mount - /data.",
                    "[DEPEND] Dependency failed for loca\u2026s.target - Local File Systems."]
        if self.data_fs_errors:
            self.emergency = True
            # The boot's fsck -p refuses to repair it (tests/fidelity/linux/fsck-emergency.txt).
            return [f"[FAILED] Failed to start systemd-fs\u2026{DATA_UUID[-33:]}.",
                    "[DEPEND] Dependency failed for data.mount - /data.",
                    "[DEPEND] Dependency failed for loca\u2026s.target - Local File Systems."]
        self.emergency = False
        return []


def _drop_ssh(state: LinuxState) -> None:
    state.input_rules = [IptablesRule("DROP", "tcp", "22")]
    state.saved_rules = list(state.input_rules)


def _sshd_disabled(state: LinuxState) -> None:
    state.sshd_enabled = state.sshd_running = False


def _fstab_missing_disk(state: LinuxState) -> None:
    state.fstab[-1] = f"UUID={MISSING_UUID} /data ext4 defaults 0 2"


def _root_locked(state: LinuxState) -> None:
    _fstab_missing_disk(state)
    state.root_locked = True


def _data_fs_errors(state: LinuxState) -> None:
    state.data_fs_errors = True


SCENARIO_TABLE: dict[str, Scenario[LinuxState]] = {
    "healthy": Scenario("Everything works: SSH reachable on port 22."),
    "iptables-drops-ssh": Scenario("An iptables rule drops incoming SSH (tcp port 22).", _drop_ssh),
    "sshd-disabled": Scenario("The ssh service is disabled and stopped.", _sshd_disabled),
    "fstab-bad-entry": Scenario(
        "/etc/fstab mounts a disk that is gone: the boot ends in emergency mode.", _fstab_missing_disk),
    "root-locked": Scenario("As fstab-bad-entry, and root has no password (a cloud image): "
                            "emergency mode lets nobody in.", _root_locked),
    "fs-needs-fsck": Scenario("The data file system on /dev/vda2 has errors: fsck must repair it.",
                              _data_fs_errors),
}
SCENARIOS = {name: scenario.description for name, scenario in SCENARIO_TABLE.items()}


def scenario_state(name: str) -> LinuxState:
    return faulty_state(SCENARIO_TABLE, name, lambda scenario: LinuxState(scenario=scenario), "Linux")
