"""The Windows Server model: what runbooks change, and what later commands and the next boot read.

Names, GUIDs and addresses are fixed so the same input always gives the same output.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..scenario import Scenario, faulty_state

COMPUTER_NAME = "WINSRV-SIM01"
COMPUTER_GUID = "5c3f7e2a-8d41-4b6e-9a0f-2e7d1c9b4a60"
OS_VERSION = "10.0"
OS_BUILD = "17763"
PRODUCT = "Windows Server 2019 Datacenter"
ADMIN_USER = "Administrator"
ADMIN_PASSWORD = "Sim-P@ssw0rd!"  # the documented default of the simulator
IP = ("10.0.0.4", "255.255.255.0", "10.0.0.1")
MAC = "00-0D-3A-4C-7B-21"

TS_KEY = r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\Terminal Server"
RDP_TCP_KEY = TS_KEY + r"\WinStations\RDP-Tcp"
CRASH_KEY = r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\CrashControl"
RDP_RULE = "Remote Desktop - User Mode (TCP-In)"


@dataclass
class Rule:
    name: str
    enabled: bool
    protocol: str
    local_port: str
    direction: str = "In"
    action: str = "Allow"
    group: str = "Remote Desktop"
    profiles: str = "Domain,Private,Public"


@dataclass
class Service:
    name: str
    display: str
    state: str  # RUNNING, STOPPED
    start: str  # AUTO_START, DEMAND_START, DISABLED
    kind: str = "20  WIN32_SHARE_PROCESS"


@dataclass
class WindowsState:
    scenario: str = "healthy"
    firewall_on: dict[str, bool] = field(
        default_factory=lambda: {"Domain": True, "Private": True, "Public": True})
    inbound_policy: dict[str, str] = field(
        default_factory=lambda: dict.fromkeys(("Domain", "Private", "Public"), "BlockInbound"))
    rules: dict[str, Rule] = field(default_factory=lambda: {r.name: r for r in [
        Rule(RDP_RULE, True, "TCP", "3389"),
        Rule("Remote Desktop - User Mode (UDP-In)", True, "UDP", "3389"),
        Rule("File and Printer Sharing (Echo Request - ICMPv4-In)", False, "ICMPv4", "Any",
             group="File and Printer Sharing"),
    ]})
    registry: dict[str, dict[str, tuple[str, object]]] = field(default_factory=lambda: {
        TS_KEY: {"fDenyTSConnections": ("REG_DWORD", 0), "TSEnabled": ("REG_DWORD", 1),
                 "TSUserEnabled": ("REG_DWORD", 0), "TSServerDrainMode": ("REG_DWORD", 0)},
        RDP_TCP_KEY: {"PortNumber": ("REG_DWORD", 3389), "UserAuthentication": ("REG_DWORD", 1),
                      "fEnableWinStation": ("REG_DWORD", 1), "fLogonDisabled": ("REG_DWORD", 0)},
        CRASH_KEY: {"CrashDumpEnabled": ("REG_DWORD", 1), "AutoReboot": ("REG_DWORD", 1),
                    "NMICrashDump": ("REG_DWORD", 1),
                    "DumpFile": ("REG_EXPAND_SZ", r"%SystemRoot%\MEMORY.DMP")},
    })
    services: dict[str, Service] = field(default_factory=lambda: {s.name.lower(): s for s in [
        Service("TermService", "Remote Desktop Services", "RUNNING", "DEMAND_START", "30  WIN32"),
        Service("MpsSvc", "Windows Defender Firewall", "RUNNING", "AUTO_START"),
        Service("BFE", "Base Filtering Engine", "RUNNING", "AUTO_START"),
        Service("sacsvr", "Special Administration Console Helper", "RUNNING", "AUTO_START"),
        Service("W32Time", "Windows Time", "RUNNING", "DEMAND_START"),
        Service("Dhcp", "DHCP Client", "RUNNING", "AUTO_START"),
    ]})
    nic_enabled: bool = True
    disk_dirty: bool = False
    chkdsk_scheduled: bool = False
    safeboot: str | None = None
    display_boot_menu: bool = False
    boot_timeout: int = 30
    users: dict[str, bool] = field(default_factory=lambda: {"Administrator": True, "azureuser": True})
    admins: list[str] = field(default_factory=lambda: ["Administrator", "azureuser"])
    hung: bool = False
    running_safe: str | None = None  # the safe mode this boot runs in (BCD or an F8 choice)
    memory_dump: bool = False
    boots: int = 0

    # -- derived facts ------------------------------------------------------------------------
    def reg(self, key: str, name: str) -> object:
        return self.registry.get(key, {}).get(name, (None, None))[1]

    @property
    def rdp_port(self) -> int:
        port = self.reg(RDP_TCP_KEY, "PortNumber")
        return port if isinstance(port, int) and port else 3389

    @property
    def safe_mode(self) -> bool:
        return self.running_safe is not None

    def service_running(self, name: str) -> bool:
        service = self.services.get(name.lower())
        return service is not None and service.state == "RUNNING"

    def rdp_listening(self) -> bool:
        return (self.service_running("TermService")
                and self.reg(TS_KEY, "fDenyTSConnections") == 0
                and self.reg(RDP_TCP_KEY, "fEnableWinStation") == 1)

    def firewall_allows(self, port: int) -> bool:
        for profile in ("Domain", "Private", "Public"):
            if not self.firewall_on[profile]:
                continue
            if self.inbound_policy[profile] == "BlockInboundAlways":
                return False
            allowed = any(r.enabled and r.direction == "In" and r.action == "Allow"
                          and r.protocol == "TCP" and r.local_port in (str(port), "Any")
                          for r in self.rules.values())
            if not allowed:
                return False
        return True

    def health(self) -> dict[str, object]:
        """RDP reachable on 3389 from the network: the check every Windows runbook ends with."""
        checks = {
            "nic_enabled": self.nic_enabled,
            "normal_boot": not self.safe_mode,
            "termservice_running": self.service_running("TermService"),
            "rdp_enabled": self.reg(TS_KEY, "fDenyTSConnections") == 0,
            "rdp_port_3389": self.rdp_port == 3389,
            "firewall_allows_3389": self.firewall_allows(3389),
            "disk_clean": not self.disk_dirty,
            "responsive": not self.hung,
        }
        return {"healthy": all(checks.values()), "checks": checks}

    # -- what happens at boot --------------------------------------------------------------------
    def on_boot(self, override: str | None = None) -> list[str]:
        """Apply what a restart does; returns lines the boot prints (chkdsk).

        `override` is a choice made in Advanced Boot Options for this boot only."""
        self.boots += 1
        if override == "Normal":
            self.running_safe = None
        else:
            self.running_safe = override or self.safeboot
        lines: list[str] = []
        if self.disk_dirty or self.chkdsk_scheduled:
            lines = [
                "Checking file system on C:",
                "The type of the file system is NTFS.",
                "",
                "One of your disks needs to be checked for consistency. You",
                "may cancel the disk check, but it is strongly recommended",
                "that you continue.",
                "Windows will now check the disk.",
                "",
                "Stage 1: Examining basic file system structure ...",
                "Stage 2: Examining file name linkage ...",
                "Stage 3: Examining security descriptors ...",
                "Windows has scanned the file system and found no problems.",
                "No further action is required.",
            ]
            if self.disk_dirty and self.chkdsk_scheduled:
                self.disk_dirty = False
            self.chkdsk_scheduled = False
        for service in self.services.values():
            # TermService is demand-start but starts with the RDP listener, except in safe mode.
            starts = service.start == "AUTO_START" or (
                service.name == "TermService" and service.start != "DISABLED" and not self.safe_mode)
            service.state = "RUNNING" if starts else "STOPPED"
        return lines


def _rule_disabled(state: WindowsState) -> None:
    state.rules[RDP_RULE].enabled = False


def _all_profiles_block(state: WindowsState) -> None:
    state.inbound_policy = dict.fromkeys(state.inbound_policy, "BlockInboundAlways")


def _rdp_denied(state: WindowsState) -> None:
    state.registry[TS_KEY]["fDenyTSConnections"] = ("REG_DWORD", 1)


def _termservice_disabled(state: WindowsState) -> None:
    service = state.services["termservice"]
    service.state, service.start = "STOPPED", "DISABLED"


def _rdp_port_3390(state: WindowsState) -> None:
    state.registry[RDP_TCP_KEY]["PortNumber"] = ("REG_DWORD", 3390)


def _nic_disabled(state: WindowsState) -> None:
    state.nic_enabled = False


def _disk_dirty(state: WindowsState) -> None:
    state.disk_dirty = True


def _safeboot_minimal(state: WindowsState) -> None:
    state.safeboot = "Minimal"


def _hung(state: WindowsState) -> None:
    state.hung = True


SCENARIO_TABLE: dict[str, Scenario[WindowsState]] = {
    "healthy": Scenario("Everything works: RDP reachable on 3389."),
    "firewall-blocks-rdp": Scenario(
        "The firewall rule 'Remote Desktop - User Mode (TCP-In)' is disabled.", _rule_disabled),
    "firewall-all-profiles-block": Scenario(
        "All firewall profiles block every inbound connection.", _all_profiles_block),
    "rdp-disabled": Scenario("RDP is switched off in the registry (fDenyTSConnections=1).",
                             _rdp_denied),
    "termservice-stopped": Scenario("The Remote Desktop Services service is disabled and stopped.",
                                    _termservice_disabled),
    "rdp-port-changed": Scenario("RDP listens on 3390 instead of 3389 (RDP-Tcp PortNumber).",
                                 _rdp_port_3390),
    "nic-disabled": Scenario("The network adapter 'Ethernet' is disabled.", _nic_disabled),
    "disk-dirty": Scenario("Volume C: is dirty: chkdsk must run at the next restart.", _disk_dirty),
    "stuck-in-safe-mode": Scenario(
        "The boot configuration forces Safe Mode, where RDP does not start.", _safeboot_minimal),
    "hung": Scenario("The VM is hung: nothing answers but an NMI, which gets a crash dump.", _hung),
}
SCENARIOS = {name: scenario.description for name, scenario in SCENARIO_TABLE.items()}


def scenario_state(name: str) -> WindowsState:
    return faulty_state(SCENARIO_TABLE, name, lambda scenario: WindowsState(scenario=scenario), "Windows")
