"""Simulator: the Linux VM (GRUB, the kernel's log, systemd's emergency mode, a small bash)."""

from .machine import LinuxMachine

__all__ = ["LinuxMachine"]
