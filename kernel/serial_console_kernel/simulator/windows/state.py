"""The Windows Server model: what runbooks change, and what later commands and the next boot read.

Names, GUIDs and addresses are fixed so the same input always gives the same output.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..scenario import Scenario, faulty_state
from .files import Files, default_environment

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
MEMORY_DMP = r"C:\Windows\MEMORY.DMP"
BAD_DRIVER = r"C:\Windows\System32\drivers\contosoflt.sys"


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
    start: str  # AUTO_START, DEMAND_START, DISABLED, SYSTEM_START
    kind: str = "20  WIN32_SHARE_PROCESS"  # as `sc query` shows the running service
    binary: str = r"C:\Windows\system32\svchost.exe -k netsvcs -p"
    dependencies: str = "RpcSs"
    start_name: str = "LocalSystem"  # the logon account, which RDP troubleshooting checks
    config_kind: str = "20  WIN32_SHARE_PROCESS"  # as `sc qc` shows the configuration


@dataclass
class Event:
    """A System log event, as `wevtutil qe System /f:text` prints it."""

    source: str
    event_id: int
    level: str  # Error, Warning, Information
    description: str
    date: str
    task: str = "N/A"
    opcode: str = "N/A"
    keyword: str = "Classic"
    user: str = "N/A"
    user_name: str = "N/A"


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
        Service("TermService", "Remote Desktop Services", "RUNNING", "DEMAND_START", "30  WIN32",
                r"C:\Windows\System32\svchost.exe -k NetworkService", "RPCSS",
                r"NT Authority\NetworkService"),
        Service("MpsSvc", "Windows Defender Firewall", "RUNNING", "AUTO_START",
                binary=r"C:\Windows\system32\svchost.exe -k LocalServiceNoNetworkFirewall -p",
                dependencies="mpsdrv", start_name=r"NT Authority\LocalService"),
        Service("BFE", "Base Filtering Engine", "RUNNING", "AUTO_START",
                binary=r"C:\Windows\system32\svchost.exe -k LocalServiceNoNetworkFirewall -p",
                start_name=r"NT AUTHORITY\LocalService"),
        Service("sacsvr", "Special Administration Console Helper", "RUNNING", "AUTO_START"),
        Service("W32Time", "Windows Time", "RUNNING", "DEMAND_START",
                binary=r"C:\Windows\system32\svchost.exe -k LocalService", dependencies="",
                start_name=r"NT AUTHORITY\LocalService"),
        Service("Dhcp", "DHCP Client", "RUNNING", "AUTO_START",
                binary=r"C:\Windows\system32\svchost.exe -k LocalServiceNetworkRestricted -p",
                dependencies="NSI", start_name=r"NT Authority\LocalService"),
    ]})
    files: Files = field(default_factory=Files)
    environment: dict[str, str] = field(default_factory=default_environment)
    events: list[Event] = field(default_factory=lambda: [
        Event("Microsoft-Windows-Kernel-General", 12, "Information",
              "The operating system started at system time 2026-11-22T07:59:58.500000000Z.",
              "2026-11-22T07:59:58.500", opcode="Info", keyword="N/A", user="S-1-5-18",
              user_name=r"NT AUTHORITY\SYSTEM"),
        Event("EventLog", 6005, "Information", "The Event log service was started.",
              "2026-11-22T08:00:04.112"),
    ])
    bad_driver: str | None = None  # a driver file that crashes every normal boot
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
    last_bugcheck: str | None = None  # logged as events 41 and 1001 by the next boot that lasts
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

    def crashes_at_boot(self) -> bool:
        """A bad boot-start driver stops every normal boot; Safe Mode does not load it."""
        return (self.bad_driver is not None and self.files.file(self.bad_driver) is not None
                and not self.safe_mode)

    def write_dump(self, code: str) -> None:
        if self.reg(CRASH_KEY, "CrashDumpEnabled") == 1:
            self.files.add(MEMORY_DMP, 1_073_741_824)
        self.last_bugcheck = code

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
            "boots_normally": self.bad_driver is None or self.files.file(self.bad_driver) is None,
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
            if service.start in ("BOOT_START", "SYSTEM_START"):  # third-party drivers: not in Safe Mode
                starts = not self.safe_mode
            service.state = "RUNNING" if starts else "STOPPED"
        if self.last_bugcheck is not None and not self.crashes_at_boot():
            self.events += bugcheck_events(self.last_bugcheck)
            self.last_bugcheck = None
        return lines


def bugcheck_events(code: str) -> list[Event]:
    """What the first boot after a Stop error logs (Kernel-Power 41, then WER's 1001)."""
    long_code = f"0x{int(code, 16):08x}"
    return [
        Event("Microsoft-Windows-Kernel-Power", 41, "Critical",
              "The system has rebooted without cleanly shutting down first. This error could be "
              "caused if the system stopped responding, crashed, or lost power unexpectedly.",
              "2026-11-22T08:10:02.316", task="(63)", opcode="Info",
              keyword="(70368744177664),(2)", user="S-1-5-18", user_name=r"NT AUTHORITY\SYSTEM"),
        Event("Microsoft-Windows-WER-SystemErrorReporting", 1001, "Error",
              f"The computer has rebooted from a bugcheck.  The bugcheck was: {long_code} "
              "(0xffffc40a1b2c3d40, 0x0000000000000002, 0xfffff8051c2d1e40, 0x0000000000000002). "
              f"A dump was saved in: {MEMORY_DMP}. Report Id: 5e0c1a9d-3b7f-4c21-9e80-6a1d2f4b7c90.",
              "2026-11-22T08:10:09.871"),
    ]


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


def _bad_driver(state: WindowsState) -> None:
    state.bad_driver = BAD_DRIVER
    state.files.add(BAD_DRIVER, 92_672)
    state.services["contosoflt"] = Service(
        "ContosoFlt", "Contoso Endpoint Protection Filter", "RUNNING", "BOOT_START",
        "2  FILE_SYSTEM_DRIVER", r"\SystemRoot\System32\drivers\contosoflt.sys", "FltMgr", "",
        "2  FILE_SYSTEM_DRIVER")


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
    "bad-driver-boot-loop": Scenario(
        "An agent update left a bad boot-start driver: every normal boot stops with 0x50 and "
        "restarts; Safe Mode does not load it.", _bad_driver),
}
SCENARIOS = {name: scenario.description for name, scenario in SCENARIO_TABLE.items()}


def scenario_state(name: str) -> WindowsState:
    return faulty_state(SCENARIO_TABLE, name, lambda scenario: WindowsState(scenario=scenario), "Windows")
