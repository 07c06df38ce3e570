"""The few PowerShell cmdlets the runbooks use, in their default output formats."""

from __future__ import annotations

import re

from .state import WindowsState

_PROFILES = ("Domain", "Private", "Public")


def run(state: WindowsState, line: str) -> list[str]:
    words = line.split()
    if not words:
        return []
    cmdlet = words[0].lower()
    params = _params(line)
    if cmdlet == "get-netfirewallprofile":
        lines = [""]
        for profile in _PROFILES:
            lines += [f"Name                            : {profile}",
                      f"Enabled                         : {state.firewall_on[profile]}",
                      "DefaultInboundAction            : NotConfigured",
                      "DefaultOutboundAction           : NotConfigured", ""]
        return lines
    if cmdlet == "set-netfirewallprofile":
        enabled = params.get("enabled", "").strip("$").lower()
        if enabled not in ("true", "false"):
            return _error(words[0], "Cannot process argument 'Enabled'.")
        names = [p.strip() for p in params.get("profile", ",".join(_PROFILES)).split(",")]
        for name in names:
            match = next((p for p in _PROFILES if p.lower() == name.lower()), None)
            if match is None:
                return _error(words[0], f"Cannot bind parameter 'Profile'. Value '{name}' is invalid.")
            state.firewall_on[match] = enabled == "true"
        return [""]
    if cmdlet in ("get-service", "start-service", "stop-service", "restart-service"):
        name = params.get("name") or (words[1] if len(words) > 1 else "")
        service = state.services.get(name.lower())
        if service is None:
            return _error(words[0], f"Cannot find any service with service name '{name}'.")
        if cmdlet == "get-service":
            status = "Running" if service.state == "RUNNING" else "Stopped"
            return ["", "Status   Name               DisplayName",
                    "------   ----               -----------",
                    f"{status:<9}{service.name:<19}{service.display}", ""]
        if cmdlet == "stop-service":
            service.state = "STOPPED"
            return [""]
        if service.start == "DISABLED":
            return _error(words[0], f"Service '{service.display} ({service.name})' cannot be "
                                    "started due to the following error: Cannot start service "
                                    f"{service.name} on computer '.'.")
        service.state = "RUNNING"
        return [""]
    if cmdlet in ("get-itemproperty", "set-itemproperty"):
        path = params.get("path", "").replace("HKLM:", "HKEY_LOCAL_MACHINE").strip("'\"")
        key = next((k for k in state.registry if k.lower() == path.lower()), None)
        if key is None:
            return _error(words[0], f"Cannot find path '{params.get('path', '')}' because it does "
                                    "not exist.")
        name = params.get("name", "").strip("'\"")
        if cmdlet == "set-itemproperty":
            kind, _ = state.registry[key].get(name, ("REG_DWORD", 0))
            value = params.get("value", "0")
            state.registry[key][name] = (kind, int(value) if kind == "REG_DWORD" else value)
            return [""]
        values = {n: v for n, (_, v) in state.registry[key].items() if not name or n == name}
        width = max([len(n) for n in values] + [12])
        lines = [""] + [f"{n:<{width}} : {v}" for n, v in values.items()]
        return [*lines, f"{'PSPath':<{width}} : Microsoft.PowerShell.Core\\Registry::{key}", ""]
    if cmdlet == "remove-module":
        return [""]
    return [f"{words[0]} : The term '{words[0]}' is not recognized as the name of a cmdlet, function,",
            "script file, or operable program.", ""]


def _params(line: str) -> dict[str, str]:
    return {m.group(1).lower(): m.group(2) for m in
            re.finditer(r"-(\w+)\s+('[^']*'|\"[^\"]*\"|\S+)", line)}


def _error(cmdlet: str, message: str) -> list[str]:
    return [f"{cmdlet} : {message}", "    + CategoryInfo          : InvalidArgument", ""]
