"""Write the runbooks in notebooks/ from the definitions below, then run each one against the
simulator so it is saved with its outputs (what GitHub shows and what nbval compares).

    .venv/bin/python tools/make_runbooks.py [NAME…]
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
RULE = 'name="Remote Desktop - User Mode (TCP-In)"'
TS_KEY = '"HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server"'
RDP_TCP = TS_KEY[:-1] + '\\WinStations\\RDP-Tcp"'

OPEN_CMD = [
    ("md", "Open a Command Prompt channel from SAC, switch to it and sign in. The password comes "
           "from the environment variable `SAC_PASSWORD` (on the simulator, its documented "
           "default is typed when the variable is not set)."),
    ("code", "cmd\n%expect The Command Prompt session was successfully launched."),
    ("code", "ch -si 1\n%key Enter"),
    ("code", "Administrator\n\n%password SAC_PASSWORD\n%expect C:\\Windows\\system32>"),
]
LOGIN_LINUX = [
    ("md", "Sign in as root. The password comes from `ROOT_PASSWORD` (on the simulator, its "
           "documented default is typed when the variable is not set)."),
    ("code", "%wait login: --timeout 120\nroot\n%password ROOT_PASSWORD\n%expect root@"),
]


# bash as process 1: on Debian its prompt is root@(none):/# (no hostname set yet).
GRUB_ROOT_SHELL = [
    ("code", "%boot-menu --timeout 120\n%expect GNU GRUB"),
    ("code", "%key e\n%key Down --until /^linux/\n%key Ctrl-E\n%send \\ init=/bin/bash\n"
             "%expect init=/bin/bash"),
    ("code", "%key Ctrl-X\n%wait (none):/# --timeout 300"),
]


def connect(default: str) -> tuple[str, str]:
    return ("code", f"%connect ${{SERIAL_CONSOLE_TARGET:-{default}}}")


RUNBOOKS: dict[str, list[tuple[str, str]]] = {
    "windows-firewall-blocks-rdp": [
        ("md", "# Windows: the firewall blocks RDP\n\n**Symptom:** the VM runs and answers "
               "nothing on 3389; RDP times out. Often a firewall rule or profile was changed.\n\n"
               "This runbook checks the Remote Desktop firewall rule through the serial "
               "console (SAC), enables it, and verifies that RDP listens and is allowed."),
        ("md", "Connect to the console. `SERIAL_CONSOLE_TARGET` names a real VM; without it the "
               "built-in simulator plays a VM with this fault."),
        connect("sim:windows?scenario=firewall-blocks-rdp"),
        *OPEN_CMD,
        ("md", "## Diagnose\nIs the rule that lets RDP in enabled?"),
        ("code", f"netsh advfirewall firewall show rule {RULE}\n%expect Rule Name:"),
        ("md", "## Fix\nEnable the rule (the profiles stay on: switching the firewall off is the "
               "blunt fix, and a policy may switch it back)."),
        ("code", f"netsh advfirewall firewall set rule {RULE} new enable=yes\n%expect Ok."),
        ("md", "## Verify\nThe rule is enabled and Remote Desktop listens on 3389."),
        ("code", f'netsh advfirewall firewall show rule {RULE} | find "Enabled"\n%expect /Enabled:\\s+Yes/'),
        ("code", 'netstat -an | find ":3389"\n%expect LISTENING'),
    ],
    "windows-rdp-disabled": [
        ("md", "# Windows: RDP is disabled\n\n**Symptom:** RDP is refused at once although the "
               "VM runs. Remote Desktop is switched off in the registry, its service is stopped, "
               "or it listens on another port.\n\nThis runbook checks the three and repairs what "
               "is wrong, through the serial console (SAC)."),
        connect("sim:windows?scenario=rdp-disabled"),
        *OPEN_CMD,
        ("md", "## Diagnose\n`fDenyTSConnections` is 1 when Remote Desktop is off."),
        ("code", f"reg query {TS_KEY} /v fDenyTSConnections\n%expect fDenyTSConnections"),
        ("md", "The service and the port (3389 is expected; NLA is `UserAuthentication`)."),
        ("code", "sc query TermService\n%expect SERVICE_NAME: TermService"),
        ("code", f"reg query {RDP_TCP} /v PortNumber\n%expect PortNumber"),
        ("md", "## Fix\nSwitch Remote Desktop back on."),
        ("code", f"reg add {TS_KEY} /v fDenyTSConnections /t REG_DWORD /d 0 /f\n"
                 "%expect The operation completed successfully."),
        ("md", "## Verify"),
        ("code", f"reg query {TS_KEY} /v fDenyTSConnections\n"
                 "%expect /fDenyTSConnections\\s+REG_DWORD\\s+0x0/"),
        ("code", 'netstat -an | find ":3389"\n%expect LISTENING'),
    ],
    "windows-filesystem-chkdsk": [
        ("md", "# Windows: the file system needs chkdsk\n\n**Symptom:** services fail, the event "
               "log reports NTFS errors, the volume is marked dirty.\n\nchkdsk cannot lock the "
               "system volume while Windows runs: schedule it, restart, and verify."),
        connect("sim:windows?scenario=disk-dirty"),
        *OPEN_CMD,
        ("md", "## Diagnose"),
        ("md", "Windows Server 2012 and later print `Volume - C: is Dirty`; older documentation "
               "shows `Volume C: is dirty`. The check matches both."),
        ("code", "fsutil dirty query c:\n%expect /(?i)volume (- )?c: is dirty/"),
        ("md", "## Fix\nSchedule the check for the next restart; answer `Y`."),
        ("code", "chkdsk c: /f\n%expect (Y/N)"),
        ("code", "Y\n%expect This volume will be checked the next time the system restarts."),
        ("md", "Leave the channel and restart from SAC; the check runs during the boot. After "
               "`exit` SAC shows its channel screen, and the next key only leaves it: press "
               "Enter before typing `restart`."),
        ("code", "exit\n%key Enter\nrestart\n%wait Windows has scanned the file system --timeout 300\n"
                 "%wait EVENT: The CMD command is now available. --timeout 300"),
        *OPEN_CMD[1:],
        ("md", "## Verify"),
        ("code", "fsutil dirty query c:\n%expect /(?i)volume (- )?c: is not dirty/"),
    ],
    "windows-boot-menu-safe-mode": [
        ("md", "# Windows: stuck in Safe Mode\n\n**Symptom:** after a restart the VM boots into "
               "Safe Mode every time; RDP does not start there.\n\nRemove the `safeboot` flag "
               "from the boot configuration, then restart through the boot menu and choose "
               "*Start Windows Normally*."),
        connect("sim:windows?scenario=stuck-in-safe-mode"),
        *OPEN_CMD,
        ("md", "## Diagnose"),
        ("code", 'bcdedit /enum | find /i "safeboot"\n%expect safeboot'),
        ("code", "sc query TermService\n%expect STATE"),
        ("md", "## Fix"),
        ("code", "bcdedit /deletevalue {current} safeboot\n%expect The operation completed successfully."),
        ("md", "Restart and catch Advanced Boot Options (F8, sent as `Esc 8` on EMS), then choose "
               "*Start Windows Normally*. `%boot-menu` arms the wait before the restart so the "
               "menu is never missed."),
        ("code", "%boot-menu --select Start Windows Normally --timeout 120\n"
                 "%wait EVENT: The CMD command is now available. --timeout 300"),
        *OPEN_CMD[1:],
        ("md", "## Verify"),
        ("code", "sc query TermService\n%expect RUNNING"),
    ],
    "windows-nmi-crash-dump": [
        ("md", "# Windows: the VM hangs; collect a crash dump with an NMI\n\n**Symptom:** "
               "nothing answers, not even SAC. An NMI makes Windows stop with bug check 0x80 "
               "NMI_HARDWARE_FAILURE and write a memory dump for the root-cause analysis; with "
               "automatic restart on, the VM comes back."),
        connect("sim:windows?scenario=hung"),
        ("md", "## Diagnose\nSAC does not answer."),
        ("code", "id"),
        ("md", "## Collect the dump\nSend the NMI; SAC switches to `!SAC` and shows the Stop "
               "error in its `<BP>` block."),
        ("code", "%nmi\n%expect !SAC>\n%expect \"0x80\""),
        ("md", "Windows writes the dump, then restarts by itself (automatic restart is on)."),
        ("code", "%wait EVENT: The CMD command is now available. --timeout 600"),
        *OPEN_CMD[1:],
        ("md", "## Verify\nThe dump is on disk, ready to be copied off the VM."),
        ("code", "dir C:\\Windows\\MEMORY.DMP\n%expect MEMORY.DMP"),
    ],
    "windows-bad-driver-boot-loop": [
        ("md", "# Windows: a bad driver update sends the VM into a boot loop\n\n**Symptom:** after "
               "an agent or driver update the VM restarts over and over; every boot stops with a "
               "Stop error.\n\nBoot into Safe Mode, which loads only Windows' own drivers, "
               "rename the bad driver so it no longer loads, and restart normally."),
        connect("sim:windows?scenario=bad-driver-boot-loop"),
        ("md", "## Diagnose\nEach normal boot stops: SAC switches to `!SAC` and shows the Stop "
               "error in its `<BP>` block (here 0x50, PAGE_FAULT_IN_NONPAGED_AREA)."),
        ("code", "%wait !SAC> --timeout 300\n%expect STOPCODE"),
        ("md", "## A way in: Safe Mode\nRestart and catch Advanced Boot Options (F8, sent as "
               "`Esc 8` on EMS), then choose *Safe Mode*. The choice lasts this one boot."),
        ("code", "%boot-menu --select Safe Mode --timeout 120\n"
                 "%wait EVENT: The CMD command is now available. --timeout 300"),
        *OPEN_CMD[1:],
        ("md", "The System log of this boot records the Stop error of the one before."),
        ("code", 'wevtutil qe System /q:"Event[System[EventID=1001]]" /c:1 /rd:true /f:text\n'
                 "%expect The computer has rebooted from a bugcheck."),
        ("md", "The vendor's advisory names the file; here it is the agent's file system filter, "
               "a boot-start driver."),
        ("code", "sc qc ContosoFlt\n%expect BOOT_START"),
        ("md", "## Fix\nRename the driver so it no longer loads (keep it for the vendor)."),
        ("code", "cd C:\\Windows\\System32\\drivers\nren contosoflt.sys contosoflt.sys.bad\n"
                 "dir contoso*\n%expect contosoflt.sys.bad"),
        ("md", "Safe Mode chosen in F8 lasts one boot. Had it been set with `bcdedit /set "
               "{current} safeboot minimal`, remove it now with `bcdedit /deletevalue {current} "
               "safeboot`, or every boot lands in Safe Mode again (see "
               "[windows-boot-menu-safe-mode](windows-boot-menu-safe-mode.ipynb)).\n\n"
               "## Restart\nLeave the channel (`exit`, then Enter to leave SAC's channel screen) "
               "and restart from SAC."),
        ("code", "exit\n%key Enter\nrestart\n%wait EVENT: The CMD command is now available. --timeout 300"),
        ("md", "## Verify\nThe boot went through without a Stop error, and Remote Desktop runs."),
        *OPEN_CMD[1:],
        ("code", "sc query TermService\n%expect RUNNING"),
    ],
    "linux-iptables-lockout": [
        ("md", "# Linux: iptables locks SSH out\n\n**Symptom:** SSH to port 22 times out after "
               "a firewall change.\n\nFind the rule that drops SSH, delete it, save the rule set "
               "so the fix survives a reboot, and check that sshd listens."),
        connect("sim:linux?scenario=iptables-drops-ssh"),
        *LOGIN_LINUX,
        ("md", "## Diagnose"),
        ("code", "iptables -L INPUT -n --line-numbers\n%expect Chain INPUT"),
        ("md", "## Fix\nDelete the rule by its number, then save the rules."),
        ("code", "iptables -D INPUT 1\niptables-save > /etc/iptables/rules.v4"),
        ("md", "## Verify\nThe INPUT chain is empty and sshd listens on 22."),
        ("code", "iptables -L INPUT -n\n%expect /destination\\s*\\n\\S+@\\S+[#$]/"),
        ("code", "ss -tlnp\n%expect 0.0.0.0:22"),
    ],
    "linux-fstab-emergency-mode": [
        ("md", "# Linux: a bad /etc/fstab entry drops the boot into emergency mode\n\n"
               "**Symptom:** the VM never reaches SSH; the console shows *You are in emergency "
               "mode*. A disk listed in fstab is gone.\n\nMark the entry `nofail` so the boot "
               "goes on without it. The way in is GRUB's `init=/bin/bash`, which needs no "
               "password: cloud images lock root, and then emergency mode lets nobody in "
               "(*the root account is locked*)."),
        connect("sim:linux?scenario=fstab-bad-entry"),
        ("md", "systemd waits 90 s for the missing disk, then gives up."),
        ("code", "%wait You are in emergency mode --timeout 300"),
        ("md", "## A root shell\nRestart and catch the GRUB menu, edit the first entry: find "
               "the `linux` line by its text, append `init=/bin/bash`, boot with Ctrl-X."),
        *GRUB_ROOT_SHELL,
        ("md", "## Fix\nThe root file system is mounted read-only: remount it, then mark the "
               "`/data` entry `nofail`."),
        ("code", "mount -o remount,rw /\ncat /etc/fstab\n%expect /data"),
        ("code", "sed -i '/\\/data/ s/defaults/defaults,nofail/' /etc/fstab\ncat /etc/fstab\n"
                 "%expect defaults,nofail"),
        ("md", "## Verify\nWrite it to disk and reset: the boot reaches the login prompt."),
        ("code", "sync\n%reset\n%wait login: --timeout 300\n"
                 "%expect /Debian GNU\\/Linux 12 \\S+ ttyS0/"),
    ],
    "linux-grub-single-user": [
        ("md", "# Linux: boot to a root shell from GRUB\n\n**Symptom:** nobody can log in (lost "
               "password, broken PAM, a user locked out).\n\nCatch the GRUB menu over the "
               "serial console, edit the entry, and boot with `init=/bin/bash`."),
        connect("sim:linux?scenario=healthy"),
        ("md", "Restart and catch the GRUB menu (the countdown is stopped). Then edit the first "
               "entry: `e`, go down to the `linux` line (found by its text: the lines above it "
               "differ from one install to the next), append `init=/bin/bash`, boot with Ctrl-X."),
        *GRUB_ROOT_SHELL,
        ("md", "## Verify"),
        ("code", "cat /proc/cmdline\n%expect init=/bin/bash"),
    ],
}

INDEX = """# Runbooks

Each runbook is a procedure an operator follows on a broken VM through its serial console,
and a regression test (`pytest --nbval`). Every one connects to `${SERIAL_CONSOLE_TARGET}`
and falls back to the built-in simulator playing a VM with the fault, so each runs anywhere.

A runbook that passes only on the simulator is a defect. "Proven on" says where each one has
passed in the test suite: the Linux ones on a real Debian 12 VM under QEMU
(`tests/target/test_debian_runbooks.py`); a real Windows Server is not available to these
tests, so the Windows ones are proven on the simulator only, which is checked against
transcripts of the real SAC and cmd.exe (`tests/fidelity/windows/`, each quoting its sources).

| runbook | symptom it fixes | proven on |
| --- | --- | --- |
"""
# Where each runbook passes in the suite (tests/target/test_debian_runbooks.py for real Debian).
PROVEN = dict.fromkeys(["linux-iptables-lockout", "linux-fstab-emergency-mode",
                        "linux-grub-single-user"], "simulator, real Debian 12 (QEMU)")


def notebook(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "serial-console", "display_name": "Serial Console",
                                 "language": "serial-console"}
    nb.metadata["language_info"] = {"name": "serial-console", "mimetype": "text/x-sh",
                                    "file_extension": ".txt", "codemirror_mode": "shell"}
    for index, (kind, source) in enumerate(cells):
        cell = nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)
        cell.id = f"cell-{index:02d}"  # stable ids: diffs stay small
        nb.cells.append(cell)
    return nb


def main(names: list[str]) -> int:
    selected = names or list(RUNBOOKS)
    rows = []
    for name, cells in RUNBOOKS.items():
        symptom = cells[0][1].split("**Symptom:**", 1)[1].split("\n")[0].strip()
        rows.append(f"| [{name}]({name}.ipynb) | {symptom} | {PROVEN.get(name, 'simulator')} |")
        if name not in selected:
            continue
        path = NOTEBOOKS / f"{name}.ipynb"
        nbformat.write(notebook(cells), path)
        command = [str(Path(sys.executable).parent / "serial-console"), "run", str(path), "-o", str(path)]
        if subprocess.run(command).returncode:
            print(f"{name}: the runbook failed against the simulator", file=sys.stderr)
            return 1
    (NOTEBOOKS / "README.md").write_text(INDEX + "\n".join(rows) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
