"""Errors the user sees as one line: what went wrong and what to do."""


class ConsoleError(Exception):
    """An expected failure: shown as a one-line error, never as a traceback."""


class TransportClosed(ConsoleError):
    """The console connection ended (peer closed, command exited, device unplugged)."""


class TakenOver(TransportClosed):
    """Another client took the console over (a forced `virsh console`, another SOL session)."""


class UnsupportedAction(ConsoleError):
    """The transport or power backend cannot do what was asked."""


class WriteStopped(ConsoleError):
    """A write ended before all of it went out: the peer reads nothing, or it was interrupted."""

    def __init__(self, message: str, sent: int, total: int) -> None:
        super().__init__(message)
        self.sent, self.total = sent, total


class MagicError(ConsoleError):
    """A magic was misspelt or given bad arguments."""


class PatternError(ConsoleError):
    """A pattern that does not compile, or takes too long to match."""


class ExpectationFailed(ConsoleError):
    """%expect did not find what the runbook says must be there."""


class WaitTimeout(ConsoleError):
    """A wait ran out of time; the screen at that moment goes with the error."""


class Interrupted(ConsoleError):
    """An interrupt stopped the cell; the console stays connected."""
