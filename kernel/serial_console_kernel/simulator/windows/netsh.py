"""`netsh advfirewall …` and `netsh interface …`, in the layouts Windows prints."""

from __future__ import annotations

from .state import Rule, WindowsState
from .words import options

PROFILES = ("Domain", "Private", "Public")
_PROFILE_WORDS = {"domainprofile": ("Domain",), "privateprofile": ("Private",),
                  "publicprofile": ("Public",), "allprofiles": PROFILES,
                  "currentprofile": ("Public",)}
OK = ["Ok.", ""]


def netsh(state: WindowsState, words: list[str]) -> list[str]:
    lowered = [w.lower() for w in words]
    if lowered[:2] == ["advfirewall", "firewall"]:
        return _firewall_rules(state, lowered[2:3], words[3:])
    if lowered[:1] == ["advfirewall"] and len(lowered) >= 3 and lowered[1] in ("show", "set"):
        profiles = _PROFILE_WORDS.get(lowered[2])
        if profiles is None:
            return _bad_command(words)
        if lowered[1] == "show":
            return _show_profiles(state, profiles)
        return _set_profiles(state, profiles, lowered[3:])
    if lowered[:2] == ["interface", "show"] and lowered[2:3] == ["interface"]:
        return _show_interfaces(state)
    if lowered[:3] == ["interface", "set", "interface"]:
        opts = options(words[3:])
        if opts.get("name", "").lower() != "ethernet":
            return [f"The interface name {opts.get('name', '')!s} is not valid.", ""]
        admin = opts.get("admin", "").lower()
        if admin not in ("enabled", "disabled", "enable", "disable"):
            return ["One or more essential parameters were not entered.",
                    "Verify the required parameters, and reenter them.", ""]
        state.nic_enabled = admin.startswith("enable")
        return [""]
    if lowered[:3] == ["interface", "ip", "set"]:
        return [""]
    return _bad_command(words)


def _bad_command(words: list[str]) -> list[str]:
    return ["The following command was not found: " + " ".join(words) + ".", ""]


def _show_profiles(state: WindowsState, profiles: tuple[str, ...]) -> list[str]:
    lines: list[str] = []
    for profile in profiles:
        lines += [
            "",
            f"{profile} Profile Settings:",
            "-" * 70,
            f"{'State':<38}{'ON' if state.firewall_on[profile] else 'OFF'}",
            f"{'Firewall Policy':<38}{state.inbound_policy[profile]},AllowOutbound",
            f"{'LocalFirewallRules':<38}N/A (GPO-store only)",
            f"{'LocalConSecRules':<38}N/A (GPO-store only)",
            f"{'InboundUserNotification':<38}Disable",
            f"{'RemoteManagement':<38}Disable",
            f"{'UnicastResponseToMulticast':<38}Enable",
            "",
            "Logging:",
            f"{'LogAllowedConnections':<38}Disable",
            f"{'LogDroppedConnections':<38}Disable",
            f"{'FileName':<38}%systemroot%\\system32\\LogFiles\\Firewall\\pfirewall.log",
            f"{'MaxFileSize':<38}4096",
        ]
    return [*lines, "", *OK]


def _set_profiles(state: WindowsState, profiles: tuple[str, ...], words: list[str]) -> list[str]:
    if len(words) >= 2 and words[0] == "state" and words[1] in ("on", "off"):
        for profile in profiles:
            state.firewall_on[profile] = words[1] == "on"
        return OK
    if len(words) >= 2 and words[0] == "firewallpolicy":
        inbound = words[1].split(",")[0]
        policy = {"blockinbound": "BlockInbound", "blockinboundalways": "BlockInboundAlways",
                  "allowinbound": "AllowInbound"}.get(inbound)
        if policy is None:
            return ["The parameter is incorrect.", ""]
        for profile in profiles:
            state.inbound_policy[profile] = policy
        return OK
    return ["A specified value is not valid.", ""]


def _rule_lines(rule: Rule) -> list[str]:
    return [
        f"{'Rule Name:':<38}{rule.name}",
        "-" * 70,
        f"{'Enabled:':<38}{'Yes' if rule.enabled else 'No'}",
        f"{'Direction:':<38}{rule.direction}",
        f"{'Profiles:':<38}{rule.profiles}",
        f"{'Grouping:':<38}{rule.group}",
        f"{'LocalIP:':<38}Any",
        f"{'RemoteIP:':<38}Any",
        f"{'Protocol:':<38}{rule.protocol}",
        f"{'LocalPort:':<38}{rule.local_port}",
        f"{'RemotePort:':<38}Any",
        f"{'Edge traversal:':<38}No",
        f"{'Action:':<38}{rule.action}",
    ]


def _firewall_rules(state: WindowsState, verb: list[str], words: list[str]) -> list[str]:
    opts = options(words)
    name = opts.get("name", "")
    group = opts.get("group", "")
    if not verb:
        return _bad_command(["advfirewall", "firewall"])
    matching = [r for r in state.rules.values()
                if (name.lower() == "all" or r.name.lower() == name.lower() or
                    (group and r.group.lower() == group.lower()))]
    if verb[0] == "show":
        if not matching:
            return ["No rules match the specified criteria.", ""]
        # A blank line before each rule and none before `Ok.`: tests/fidelity/windows/netsh-show-rule.txt
        lines: list[str] = []
        for rule in matching:
            lines += ["", *_rule_lines(rule)]
        return [*lines, *OK]
    if verb[0] == "set":
        if not matching:
            return ["No rules match the specified criteria.", ""]
        lowered = [w.lower() for w in words]
        if "new" not in lowered:
            return ["The 'new' keyword is required with 'set rule'.", ""]
        new = options(words[lowered.index("new") + 1:])
        for rule in matching:
            if "enable" in new:
                rule.enabled = new["enable"].lower() == "yes"
            if "localport" in new:
                rule.local_port = new["localport"]
            if "action" in new:
                rule.action = new["action"].capitalize()
        return [f"Updated {len(matching)} rule(s).", *OK]
    if verb[0] == "add":
        if not name or "dir" not in opts or "action" not in opts:
            return ["One or more essential parameters were not entered.",
                    "Verify the required parameters, and reenter them.", ""]
        state.rules[name] = Rule(
            name, opts.get("enable", "yes").lower() == "yes", opts.get("protocol", "Any").upper(),
            opts.get("localport", "Any"), direction=opts["dir"].capitalize(),
            action=opts["action"].capitalize(), group="", profiles="Domain,Private,Public")
        return OK
    if verb[0] == "delete":
        if not matching:
            return ["No rules match the specified criteria.", ""]
        for rule in matching:
            del state.rules[rule.name]
        return [f"Deleted {len(matching)} rule(s).", *OK]
    return _bad_command(["advfirewall", "firewall", verb[0]])


def _show_interfaces(state: WindowsState) -> list[str]:
    admin = "Enabled" if state.nic_enabled else "Disabled"
    connected = "Connected" if state.nic_enabled else "Disconnected"
    return ["",
            "Admin State    State          Type             Interface Name",
            "-" * 73,
            f"{admin:<15}{connected:<15}{'Dedicated':<17}Ethernet",
            ""]
