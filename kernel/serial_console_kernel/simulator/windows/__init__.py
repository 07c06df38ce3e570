"""Simulator: the Windows Server VM (boot menus, SAC, Cmd channels, cmd.exe)."""

from .machine import WindowsMachine

__all__ = ["WindowsMachine"]
