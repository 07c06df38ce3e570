"""A small bash for the Linux VM: the commands the Linux runbooks use, with their real outputs."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable

from .state import HOSTNAME, KERNEL, MISSING_UUID, IptablesRule, LinuxState

NOT_FOUND = "-bash: {}: command not found"
DATA_DEVICE = "/dev/vda2"
_FILE = "File /{} (inode #{}, mod time Mon Nov 30 10:50:30 2026)"
FSCK_REPAIR = [
    "Pass 1: Checking inodes, blocks, and sizes", "",
    "Running additional passes to resolve blocks claimed by more than one inode...",
    "Pass 1B: Rescanning for multiply-claimed blocks",
    "Multiply-claimed block(s) in inode 12: 8705",
    "Multiply-claimed block(s) in inode 13: 8705",
    "Pass 1C: Scanning directories for inodes with multiply-claimed blocks",
    "Pass 1D: Reconciling multiply-claimed blocks",
    "(There are 2 inodes containing multiply-claimed blocks.)", "",
    _FILE.format("README", 12), "  has 1 multiply-claimed block(s), shared with 1 file(s):",
    "        /notes (inode #13, mod time Mon Nov 30 10:50:30 2026)",
    "Clone multiply-claimed blocks? yes", "",
    _FILE.format("notes", 13), "  has 1 multiply-claimed block(s), shared with 1 file(s):",
    "        /README (inode #12, mod time Mon Nov 30 10:50:30 2026)",
    "Multiply-claimed blocks already reassigned or cloned.", "",
    "Pass 2: Checking directory structure",
    "Pass 3: Checking directory connectivity",
    "Pass 4: Checking reference counts",
    "Pass 5: Checking group summary information", "",
    "data: ***** FILE SYSTEM WAS MODIFIED *****",
    "data: 13/16632 files (0.0% non-contiguous), 9579/66560 blocks",
]


class Shell:
    def __init__(self, state: LinuxState, user: str, *, cmdline: str, actions: dict[str, Callable]) -> None:
        self.state = state
        self.user = user
        self.cmdline = cmdline
        self.actions = actions  # reboot, continue_boot, logout, boot_log
        self.paged = False  # the last command's output goes through less

    @property
    def prompt(self) -> str:
        if self.user == "bash":
            # bash as process 1 (init=/bin/bash): no hostname yet, in / (fidelity/linux/init-bash.txt)
            return "root@(none):/# "
        mark = "#" if self.user == "root" else "$"
        return f"{self.user}@{HOSTNAME}:~{mark} "

    def run(self, line: str) -> list[str]:
        """The command's output; `paged` then says whether less shows it."""
        self.paged = False
        redirect = None
        if ">" in line:
            line, _, redirect = line.partition(">")
            redirect = redirect.strip()
        try:
            words = shlex.split(line)
        except ValueError:
            return ["-bash: syntax error: unexpected end of file"]
        if words and words[0] == "sudo":
            words = words[1:]
        if not words:
            return []
        handler = getattr(self, "cmd_" + words[0].replace("-", "_"), None)
        if handler is None:
            return [NOT_FOUND.format(words[0])]
        output = handler(words[1:])
        if redirect:
            self.state.files[redirect] = "\n".join(output)
            if redirect == "/etc/iptables/rules.v4" and words[0] == "iptables-save":
                self.state.saved_rules = list(self.state.input_rules)
            return []
        return output

    # -- firewall ---------------------------------------------------------------------------------
    def cmd_iptables(self, args: list[str]) -> list[str]:
        rules = self.state.input_rules
        if "-L" in args:
            numeric, numbers = "-n" in args, "--line-numbers" in args
            head = "num  " if numbers else ""
            lines = ["Chain INPUT (policy ACCEPT)",
                     head + "target     prot opt source               destination"]
            lines += [(f"{i:<5}" if numbers else "") + r.row(numeric) for i, r in enumerate(rules, 1)]
            after = args[args.index("-L") + 1:]
            if after and not after[0].startswith("-"):
                return lines  # one chain asked for: `iptables -L INPUT -n`
            lines += ["", "Chain FORWARD (policy ACCEPT)",
                      head + "target     prot opt source               destination", "",
                      "Chain OUTPUT (policy ACCEPT)",
                      head + "target     prot opt source               destination"]
            return lines
        if "-F" in args:
            rules.clear()
            return []
        for flag in ("-D", "-A", "-I"):
            if flag in args:
                return self._change_rule(flag, args[args.index(flag) + 1:])
        return ["iptables v1.8.9 (nf_tables): no command specified",
                "Try `iptables -h' or 'iptables --help' for more information."]

    def _change_rule(self, flag: str, args: list[str]) -> list[str]:
        rules = self.state.input_rules
        if not args or args[0] != "INPUT":
            return ["iptables: No chain/target/match by that name."]
        if flag == "-D" and len(args) == 2 and args[1].isdigit():
            index = int(args[1]) - 1
            if not 0 <= index < len(rules):
                return ["iptables: Index of deletion too big."]
            del rules[index]
            return []
        options = {args[i]: args[i + 1] for i in range(1, len(args) - 1) if args[i].startswith("-")}
        rule = IptablesRule(options.get("-j", "ACCEPT"), options.get("-p", "all"), options.get("--dport"))
        if flag == "-D":
            if rule not in rules:
                return ["iptables: Bad rule (does a matching rule exist in that chain?)."]
            rules.remove(rule)
        elif flag == "-I":
            rules.insert(0, rule)
        else:
            rules.append(rule)
        return []

    def cmd_iptables_save(self, args: list[str]) -> list[str]:
        lines = ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]"]
        lines += [f"-A INPUT -p {r.protocol} -m {r.protocol} --dport {r.port} -j {r.target}"
                  for r in self.state.input_rules]
        return [*lines, "COMMIT"]

    def cmd_firewall_cmd(self, args: list[str]) -> list[str]:
        return ["FirewallD is not running"]

    # -- services ---------------------------------------------------------------------------------
    def cmd_systemctl(self, args: list[str]) -> list[str]:
        verb = args[0] if args else "status"
        unit = (args[1] if len(args) > 1 else "").removesuffix(".service")
        if verb == "daemon-reload":
            self.state.loaded_fstab = list(self.state.fstab)
            return []
        if verb in ("reboot", "default") or (verb == "isolate" and unit == "default.target"):
            self.actions["continue_boot" if verb != "reboot" else "reboot"]()
            return []
        if unit not in ("ssh", "sshd"):
            return [f"Unit {unit or '?'}.service could not be found."] if unit else []
        state = self.state
        if verb == "status":
            # less pages it unless --no-pager (tests/fidelity/linux/systemctl-pager.txt)
            self.paged = "--no-pager" not in args
            return self._ssh_status(self.paged)
        if verb in ("start", "restart"):
            state.sshd_running = True
        elif verb == "stop":
            state.sshd_running = False
        elif verb == "enable":
            state.sshd_enabled = True
            return ["Synchronizing state of ssh.service with SysV service script with "
                    "/lib/systemd/systemd-sysv-install.",
                    "Executing: /lib/systemd/systemd-sysv-install enable ssh"]
        elif verb == "disable":
            state.sshd_enabled = False
        elif verb == "is-active":
            return ["active" if state.sshd_running else "inactive"]
        elif verb == "is-enabled":
            return ["enabled" if state.sshd_enabled else "disabled"]
        return []

    def _ssh_status(self, paged: bool) -> list[str]:
        """As Debian prints it: less chops long lines at the screen's edge (>), without a pager
        systemd ellipsizes them and says so (tests/fidelity/linux/systemctl-*.txt)."""
        state = self.state
        enabled = "enabled" if state.sshd_enabled else "disabled"
        lines = ["\u25cf ssh.service - OpenBSD Secure Shell server",
                 f"     Loaded: loaded (/lib/systemd/system/ssh.service; {enabled}; preset: enabled)"]
        if not state.sshd_running:
            return [*lines, "     Active: inactive (dead)", "       Docs: man:sshd(8)",
                    "             man:sshd_config(5)"]
        return [*lines,
                "     Active: active (running) since Mon 2026-11-30 10:00:03 UTC; 3s ago",
                "       Docs: man:sshd(8)",
                "             man:sshd_config(5)",
                "    Process: 231 ExecStartPre=/usr/sbin/sshd -t (code=exited, status=0/SUCCESS)",
                "   Main PID: 237 (sshd)",
                "      Tasks: 1 (limit: 536)",
                "     Memory: 6.5M",
                "        CPU: 440ms",
                "     CGroup: /system.slice/ssh.service",
                '             \u2514\u2500237 "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"',
                "",
                "Nov 30 10:00:02 debian-target systemd[1]: Starting ssh.service - OpenBSD Secure>"
                if paged else "Nov 30 10:00:02 debian-target systemd[1]: Starting ssh.service - "
                "OpenBSD Se\u2026r...",
                "Nov 30 10:00:03 debian-target sshd[237]: Server listening on 0.0.0.0 port 22.",
                "Nov 30 10:00:03 debian-target sshd[237]: Server listening on :: port 22.",
                "Nov 30 10:00:03 debian-target systemd[1]: Started ssh.service - OpenBSD Secure >"
                if paged else "Nov 30 10:00:03 debian-target systemd[1]: Started ssh.service - "
                "OpenBSD Sec\u2026ver.",
                *([] if paged else ["Hint: Some lines were ellipsized, use -l to show in full."])]

    def cmd_ss(self, args: list[str]) -> list[str]:
        lines = ["State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process"]
        if self.state.sshd_running:
            lines.append("LISTEN 0      128          0.0.0.0:22        0.0.0.0:*     "
                         'users:(("sshd",pid=612,fd=3))')
        return lines

    # -- files and disks --------------------------------------------------------------------------
    def cmd_cat(self, args: list[str]) -> list[str]:
        files = {"/etc/fstab": "\n".join(self.state.fstab), "/proc/cmdline": self.cmdline,
                 "/etc/hostname": HOSTNAME,
                 "/etc/os-release": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian',
                 **self.state.files}
        out = []
        for path in args:
            if path not in files:
                out.append(f"cat: {path}: No such file or directory")
            else:
                out += files[path].split("\n")
        return out

    def cmd_sed(self, args: list[str]) -> list[str]:
        if len(args) != 3 or args[0] != "-i" or args[2] != "/etc/fstab":
            return ["sed: the simulator edits /etc/fstab only: sed -i 'SCRIPT' /etc/fstab"]
        try:
            self.state.fstab = _sed(args[1], self.state.fstab)
        except ValueError as err:
            return [f"sed: -e expression #1, char 1: {err}"]
        return []

    def cmd_sync(self, args: list[str]) -> list[str]:
        return []

    def cmd_mount(self, args: list[str]) -> list[str]:
        if args == ["-a"]:
            for line in self.state.fstab:
                fields = line.split()
                if fields and not fields[0].startswith("#") and "nofail" not in line \
                        and fields[0].endswith(MISSING_UUID):
                    return [f"mount: /data: can't find {fields[0]}."]
            if self.state.data_fs_errors:
                return [f"mount: /data: wrong fs type, bad option, bad superblock on {DATA_DEVICE}, "
                        "missing codepage or helper program, or other error."]
            return []
        if args:
            return []  # mount -o remount,rw / and the like answer nothing
        return ["/dev/vda1 on / type ext4 (rw,relatime,errors=remount-ro)",
                "/dev/vda2 on /data type ext4 (rw,relatime)"]

    def cmd_fsck(self, args: list[str]) -> list[str]:
        """e2fsck on the data disk, as the real target prints it (tests/fidelity/linux/fsck-repair.txt)."""
        device = next((a for a in args if a.startswith("/dev/")), "")
        if device != DATA_DEVICE:
            return ["fsck from util-linux 2.38.1", f"fsck.ext4: No such file or directory while "
                    f"trying to open {device or '(none)'}"]
        lines = ["fsck from util-linux 2.38.1", "e2fsck 1.47.0 (5-Feb-2023)"]
        if not self.state.data_fs_errors:
            return [*lines, "data: clean, 13/16632 files, 9579/66560 blocks"]
        lines.append("data contains a file system with errors, check forced.")
        if "-y" not in args:
            return [*lines, "Pass 1: Checking inodes, blocks, and sizes", "",
                    "Running additional passes to resolve blocks claimed by more than one inode...",
                    "(the simulator does not ask: run fsck -y to repair)"]
        self.state.data_fs_errors = False
        return [*lines, *FSCK_REPAIR]

    def cmd_journalctl(self, args: list[str]) -> list[str]:
        return self.actions["boot_log"]()

    cmd_dmesg = cmd_journalctl

    # -- the rest ---------------------------------------------------------------------------------
    def cmd_reboot(self, args: list[str]) -> list[str]:
        self.actions["reboot"]()
        return []

    def cmd_exit(self, args: list[str]) -> list[str]:
        self.actions["logout"]()
        return []

    cmd_logout = cmd_exit

    def cmd_echo(self, args: list[str]) -> list[str]:
        return [" ".join(args)]

    def cmd_uname(self, args: list[str]) -> list[str]:
        return [f"Linux {HOSTNAME} {KERNEL} #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 x86_64 GNU/Linux"
                if "-a" in args else "Linux"]

    def cmd_hostname(self, args: list[str]) -> list[str]:
        return [HOSTNAME]

    def cmd_whoami(self, args: list[str]) -> list[str]:
        return ["root" if self.user in ("root", "bash") else self.user]

    def cmd_clear(self, args: list[str]) -> list[str]:
        return ["\x1b[H\x1b[2J"]

    def cmd_true(self, args: list[str]) -> list[str]:
        return []


def _sed(script: str, lines: list[str]) -> list[str]:
    """The sed scripts fstab fixes use: s/A/B/[g], /RE/d, /RE/ s/A/B/, with any delimiter."""
    address = None
    match = re.match(r"^/((?:[^/\\]|\\.)*)/\s*(.*)$", script)
    if match and match.group(2):
        address, script = _regex(match.group(1)), match.group(2)
    if script == "d":
        if address is None:
            raise ValueError("missing address for d")
        return [line for line in lines if not address.search(line)]
    if not script.startswith("s") or len(script) < 4:
        raise ValueError("unknown command")
    delimiter = script[1]
    parts = re.split(r"(?<!\\)" + re.escape(delimiter), script[2:])
    if len(parts) != 3:
        raise ValueError("unterminated `s' command")
    pattern, replacement, flags = _regex(parts[0]), parts[1].replace("&", r"\g<0>"), parts[2]
    count = 0 if "g" in flags else 1
    return [pattern.sub(replacement, line, count=count) if address is None or address.search(line)
            else line for line in lines]


def _regex(sed_pattern: str) -> re.Pattern[str]:
    return re.compile(sed_pattern.replace("\\/", "/").replace("\\|", "|"))
