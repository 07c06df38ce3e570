from .machine import WindowsMachine

__all__ = ["WindowsMachine"]
