"""The files a recovery session looks at and changes (drivers, hosts, the memory dump), and cmd's
`cd`, `dir`, `type`, `del` and `ren` over them, in cmd.exe's layouts.

The layouts follow captures of Windows Server 2019's cmd.exe (tests/fidelity/windows/).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .cmd import CmdShell

DATE = "11/22/2026  03:14 AM"
VOLUME = [" Volume in drive C is Windows", " Volume Serial Number is 4E2B-91C7", ""]
FREE_BYTES = 96_411_254_784
NOT_FOUND = ["The system cannot find the file specified.", ""]
NO_PATH = ["The system cannot find the path specified.", ""]
DRIVERS = r"C:\Windows\System32\drivers"
HOSTS = "\n".join(["# Copyright (c) 1993-2009 Microsoft Corp.", "#",
                   "# This is a sample HOSTS file used by Microsoft TCP/IP for Windows.", "#",
                   "# localhost name resolution is handled within DNS itself.",
                   "#      127.0.0.1       localhost", "#      ::1             localhost"])


@dataclass
class File:
    path: str  # as Windows shows it
    size: int
    text: str = ""

    @property
    def name(self) -> str:
        return self.path.rsplit("\\", 1)[1]


def default_environment() -> dict[str, str]:
    return {"ALLUSERSPROFILE": r"C:\ProgramData", "COMPUTERNAME": "WINSRV-SIM01",
            "ComSpec": r"C:\Windows\system32\cmd.exe", "NUMBER_OF_PROCESSORS": "2",
            "OS": "Windows_NT", "Path": r"C:\Windows\system32;C:\Windows;C:\Windows\System32\Wbem",
            "PATHEXT": ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC",
            "PROCESSOR_ARCHITECTURE": "AMD64", "PROMPT": "$P$G", "SystemDrive": "C:",
            "SystemRoot": r"C:\Windows", "TEMP": r"C:\Windows\TEMP", "TMP": r"C:\Windows\TEMP",
            "USERDOMAIN": "WINSRV-SIM01", "USERNAME": "Administrator",
            "USERPROFILE": r"C:\Users\Administrator", "windir": r"C:\Windows"}


class Files:
    """Directories and files by their lowercased path; names keep their case."""

    def __init__(self) -> None:
        self.dirs: dict[str, str] = {}
        self.files: dict[str, File] = {}
        for path in ("C:", r"C:\Program Files", r"C:\Users", r"C:\Users\Administrator",
                     r"C:\Windows", r"C:\Windows\System32", DRIVERS, DRIVERS + r"\etc",
                     r"C:\Windows\TEMP"):
            self.dirs[path.lower()] = path
        for name, size in (("acpi.sys", 780_152), ("disk.sys", 109_880), ("netvsc.sys", 253_752),
                           ("storvsc.sys", 78_136), ("tcpip.sys", 3_066_232), ("vmbus.sys", 139_064)):
            self.add(DRIVERS + "\\" + name, size)
        self.add(DRIVERS + r"\etc\hosts", len(HOSTS) + 1, HOSTS)

    def add(self, path: str, size: int, text: str = "") -> None:
        self.files[path.lower()] = File(path, size, text)

    def remove(self, path: str) -> None:
        self.files.pop(path.lower(), None)

    def resolve(self, cwd: str, arg: str) -> str:
        """`arg` as an absolute path, in the case it was typed (`..` and `.` folded)."""
        arg = arg.rstrip("\\") or "\\"
        if len(arg) >= 2 and arg[1] == ":":
            parts = arg[:2].upper().split("\\") + arg[2:].lstrip("\\").split("\\")
        elif arg.startswith("\\"):
            parts = ["C:", *arg.lstrip("\\").split("\\")]
        else:
            parts = cwd.split("\\") + arg.split("\\")
        folded: list[str] = []
        for part in parts:
            if part == "..":
                if len(folded) > 1:
                    folded.pop()
            elif part not in ("", "."):
                folded.append(part)
        return "\\".join(folded)

    def directory(self, path: str) -> str | None:
        return self.dirs.get(path.lower())

    def file(self, path: str) -> File | None:
        return self.files.get(path.lower())

    def children(self, directory: str, pattern: str = "*") -> tuple[list[str], list[File]]:
        prefix = directory.lower() + "\\"

        def here(key: str) -> bool:
            return key.startswith(prefix) and "\\" not in key[len(prefix):]

        def wanted(name: str) -> bool:
            return fnmatch.fnmatch(name.lower(), pattern.lower())

        dirs = sorted(shown.rsplit("\\", 1)[1] for key, shown in self.dirs.items()
                      if here(key) and wanted(shown.rsplit("\\", 1)[1]))
        files = sorted((f for key, f in self.files.items() if here(key) and wanted(f.name)),
                       key=lambda f: f.name.lower())
        return dirs, files


def shown_dir(path: str) -> str:
    return path + "\\" if path.endswith(":") else path


def cd(shell: CmdShell, args: list[str]) -> list[str]:
    args = [a for a in args if a.lower() != "/d"]
    if not args:
        return [shell.cwd, ""]
    found = shell.state.files.directory(shell.state.files.resolve(shell.cwd, " ".join(args)))
    if found is None:
        return NO_PATH
    shell.cwd = found
    return [""]


def dir_listing(shell: CmdShell, args: list[str]) -> list[str]:
    files = shell.state.files
    target = files.resolve(shell.cwd, " ".join(a for a in args if not a.startswith("/")) or ".")
    directory, pattern = target, "*"
    if files.directory(target) is None:
        directory, _, pattern = target.rpartition("\\")
    shown = files.directory(directory)
    if shown is None:
        return [*VOLUME[:2], "The system cannot find the path specified.", ""]
    dirs, found = files.children(shown, pattern)
    if pattern == "*" and not shown.endswith(":"):
        dirs = [".", "..", *dirs]
    if not dirs and not found:
        return [*VOLUME, f" Directory of {shown_dir(shown)}", "", "File Not Found", ""]
    rows = [f"{DATE}    {'<DIR>':<14} {name}" for name in dirs]
    rows += [f"{DATE} {f.size:>17,} {f.name}" for f in found]
    total = sum(f.size for f in found)
    return [*VOLUME, f" Directory of {shown_dir(shown)}", "", *rows,
            f"{len(found):>16} File(s) {total:>14,} bytes",
            f"{len(dirs):>16} Dir(s) {FREE_BYTES:>15,} bytes free", ""]


def type_file(shell: CmdShell, args: list[str]) -> list[str]:
    if not args:
        return ["The syntax of the command is incorrect.", ""]
    found = shell.state.files.file(shell.state.files.resolve(shell.cwd, " ".join(args)))
    if found is None:
        return NOT_FOUND
    return [*found.text.split("\n"), ""]


def delete(shell: CmdShell, args: list[str]) -> list[str]:
    names = [a for a in args if not a.startswith("/")]
    if not names:
        return ["The syntax of the command is incorrect.", ""]
    path = shell.state.files.resolve(shell.cwd, names[0])
    if shell.state.files.file(path) is None:
        return [f"Could Not Find {path}", ""]
    shell.state.files.remove(path)
    return [""]


def rename(shell: CmdShell, args: list[str]) -> list[str]:
    if len(args) != 2 or "\\" in args[1]:
        return ["The syntax of the command is incorrect.", ""]
    files = shell.state.files
    found = files.file(files.resolve(shell.cwd, args[0]))
    if found is None:
        return NOT_FOUND
    new_path = found.path.rsplit("\\", 1)[0] + "\\" + args[1]
    if files.file(new_path) is not None:
        return ["A duplicate file name exists, or the file", "cannot be found.", ""]
    files.remove(found.path)
    files.add(new_path, found.size, found.text)
    return [""]


COMMANDS: dict[str, Callable[[CmdShell, list[str]], list[str]]] = {
    "cd": cd, "chdir": cd, "dir": dir_listing, "type": type_file, "del": delete,
    "erase": delete, "ren": rename, "rename": rename,
}
