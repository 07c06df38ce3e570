"""cmd's `sc` and `net` over the machine's services, in the layouts Windows prints: the
captures they follow are in tests/fidelity/windows/ (sc-*.txt)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .state import COMPUTER_NAME, Service

if TYPE_CHECKING:
    from .cmd import CmdShell

_START_NAMES = {"auto": "AUTO_START", "demand": "DEMAND_START", "disabled": "DISABLED",
                "boot": "BOOT_START", "system": "SYSTEM_START"}
_START_CODES = {"BOOT_START": "0", "SYSTEM_START": "1", "AUTO_START": "2", "DEMAND_START": "3",
                "DISABLED": "4"}
_LOAD_ORDER = {"2  FILE_SYSTEM_DRIVER": "FSFilter Activity Monitor"}
NET_OK = ["The command completed successfully.", ""]
START_ERRORS = {
    1058: "The service cannot be started, either because it is disabled or because it has no "
          "enabled devices associated with it.",
    1056: "An instance of the service is already running.",
}


def sc(shell: CmdShell, args: list[str]) -> list[str]:
    if len(args) < 2:
        return ["DESCRIPTION:", "        SC is a command line program used for communicating with the",
                "        Service Control Manager and services.", ""]
    verb, service = args[0].lower(), shell.state.services.get(args[1].lower())
    if service is None:
        # `sc query` goes through EnumQueryServicesStatus, the other verbs do not.
        where = "EnumQueryServicesStatus:" if verb in ("query", "queryex") else ""
        return [f"[SC] {where}OpenService FAILED 1060:", "",
                "The specified service does not exist as an installed service.", ""]
    if verb in ("query", "queryex"):
        return _sc_query(service)
    if verb == "qc":
        return _sc_qc(service)
    if verb == "config":
        words = [w.lower() for w in args[2:]]
        if "start=" in words and words.index("start=") + 1 < len(words):
            start = _START_NAMES.get(words[words.index("start=") + 1])
            if start is None:
                return ["[SC] ChangeServiceConfig FAILED 87:", "", "The parameter is incorrect.", ""]
            service.start = start
        return ["[SC] ChangeServiceConfig SUCCESS", ""]
    if verb == "start":
        error = _start(service)
        if error:
            return [f"[SC] StartService FAILED {error}:", "", START_ERRORS[error], ""]
        return _sc_query(service, starting=True)
    if verb == "stop":
        service.state = "STOPPED"
        return _sc_query(service)
    return ["[SC] Unknown command.", ""]


def net(shell: CmdShell, args: list[str]) -> list[str]:
    verb = args[0].lower() if args else ""
    if verb in ("start", "stop") and len(args) > 1:
        name = " ".join(args[1:]).lower()
        service = shell.state.services.get(name) or next(
            (s for s in shell.state.services.values() if s.display.lower() == name), None)
        if service is None:
            return ["The service name is invalid.", "",
                    "More help is available by typing NET HELPMSG 2185.", ""]
        if verb == "start":
            error = _start(service)
            if error == 1058:
                return ["System error 1058 has occurred.", "", START_ERRORS[error], ""]
            if error:  # net words "already running" its own way
                return ["The requested service has already been started.", "",
                        "More help is available by typing NET HELPMSG 2182.", ""]
            return [f"The {service.display} service is starting.",
                    f"The {service.display} service was started successfully.", ""]
        service.state = "STOPPED"
        return [f"The {service.display} service is stopping.",
                f"The {service.display} service was stopped successfully.", ""]
    if verb == "user":
        if len(args) == 1:
            names = sorted(shell.state.users, key=str.lower) + ["DefaultAccount", "Guest"]
            return ["", f"User accounts for \\\\{COMPUTER_NAME}", "", "-" * 79,
                    "".join(n.ljust(25) for n in names).rstrip(), *NET_OK]
        name = args[1]
        if name not in shell.state.users:
            return ["The user name could not be found.", "",
                    "More help is available by typing NET HELPMSG 2221.", ""]
        if len(args) > 2 and args[2].lower().startswith("/active:"):
            shell.state.users[name] = args[2].lower().endswith("yes")
            return NET_OK
        active = "Yes" if shell.state.users[name] else "No"
        groups = "*Administrators" if name in shell.state.admins else "*Users"
        return [f"User name                    {name}", f"Account active               {active}",
                "Password expires             Never", f"Local Group Memberships      {groups}",
                *NET_OK]
    if verb == "localgroup" and len(args) > 1 and args[1].lower() == "administrators":
        return ["Alias name     administrators",
                "Comment        Administrators have complete and unrestricted access to the "
                "computer/domain", "", "Members", "", "-" * 79, *shell.state.admins, *NET_OK]
    return ["The syntax of this command is:", "", "NET", "    [ ACCOUNTS | COMPUTER | CONFIG | "
            "CONTINUE | FILE | GROUP | HELP |", ""]


def _start(service: Service) -> int:
    """Start the service: 0, or the Win32 error that stops it (sc and net word it apart)."""
    if service.start == "DISABLED":
        return 1058
    if service.state == "RUNNING":
        return 1056
    service.state = "RUNNING"
    return 0


def _sc_qc(service: Service) -> list[str]:
    dependencies = service.dependencies.split("/") if service.dependencies else [""]
    return ["[SC] QueryServiceConfig SUCCESS", "", f"SERVICE_NAME: {service.name}",
            f"        TYPE               : {service.config_kind}",
            f"        START_TYPE         : {_START_CODES[service.start]}   {service.start}",
            "        ERROR_CONTROL      : 1   NORMAL",
            f"        BINARY_PATH_NAME   : {service.binary}",
            f"        LOAD_ORDER_GROUP   : {_LOAD_ORDER.get(service.config_kind, '')}",
            "        TAG                : 0",
            f"        DISPLAY_NAME       : {service.display}",
            f"        DEPENDENCIES       : {dependencies[0]}",
            *(f"                           : {name}" for name in dependencies[1:]),
            f"        SERVICE_START_NAME : {service.start_name}", ""]


def _sc_query(service: Service, starting: bool = False) -> list[str]:
    state = "2  START_PENDING" if starting else (
        "4  RUNNING" if service.state == "RUNNING" else "1  STOPPED")
    controls = ("(STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)" if service.state == "RUNNING" and not starting
                else "(NOT_STOPPABLE, NOT_PAUSABLE, IGNORES_SHUTDOWN)")
    return ["", f"SERVICE_NAME: {service.name}",
            f"        TYPE               : {service.kind}",
            f"        STATE              : {state}",
            f"                                {controls}",
            "        WIN32_EXIT_CODE    : 0  (0x0)",
            "        SERVICE_EXIT_CODE  : 0  (0x0)",
            "        CHECKPOINT         : 0x0",
            "        WAIT_HINT          : 0x0", ""]


COMMANDS = {"sc": sc, "net": net}
