from .machine import LinuxMachine

__all__ = ["LinuxMachine"]
