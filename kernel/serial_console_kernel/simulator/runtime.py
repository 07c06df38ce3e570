"""Runs a simulated machine on its own thread: keystrokes, power actions and timers are handled
one at a time, so the machine needs no locks and the same input gives the same output."""

from __future__ import annotations

import heapq
import itertools
import queue
import threading
import time
from collections.abc import Callable

SPEEDS = {"fast": 0.02, "real": 1.0}


def parse_speed(text: str) -> float:
    """'fast' (boot delays scaled to 2 %), 'real', or a factor such as 0.5."""
    if text in SPEEDS:
        return SPEEDS[text]
    try:
        factor = float(text)
    except ValueError:
        raise ValueError(f"bad speed {text!r}: fast, real or a factor like 0.1") from None
    if factor <= 0:
        raise ValueError("speed factor must be more than 0")
    return factor


class Runtime:
    def __init__(self, scale: float = SPEEDS["fast"]) -> None:
        self.scale = scale
        self._inbox: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._timers: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self._sinks: list[Callable[[bytes], None]] = []
        self._thread = threading.Thread(target=self._run, name="simulator", daemon=True)
        self._stopped = False

    # -- from any thread ----------------------------------------------------------------------
    def start(self, first: Callable[[], None]) -> None:
        self.post(first)
        self._thread.start()

    def post(self, action: Callable[[], None]) -> None:
        self._inbox.put(action)

    def call(self, action: Callable[[], object], timeout: float = 10) -> object:
        """Run `action` on the machine's thread and return its result."""
        done: queue.Queue = queue.Queue()

        def run() -> None:
            try:
                done.put((True, action()))
            except Exception as err:  # noqa: BLE001 - handed back to the caller
                done.put((False, err))

        self.post(run)
        ok, value = done.get(timeout=timeout)
        if not ok:
            raise value
        return value

    def add_sink(self, sink: Callable[[bytes], None]) -> None:
        self._sinks.append(sink)

    def remove_sink(self, sink: Callable[[bytes], None]) -> None:
        if sink in self._sinks:
            self._sinks.remove(sink)

    def stop(self) -> None:
        self._stopped = True
        self._inbox.put(None)
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=5)

    # -- from the machine's thread ------------------------------------------------------------
    def emit(self, data: bytes) -> None:
        for sink in list(self._sinks):
            sink(data)

    def after(self, seconds: float, action: Callable[[], None]) -> None:
        """Run `action` after `seconds` of simulated time (scaled by the speed)."""
        due = time.monotonic() + seconds * self.scale
        heapq.heappush(self._timers, (due, next(self._order), action))

    def after_menu(self, seconds: float, action: Callable[[], None]) -> None:
        """Boot-menu countdowns are there to be caught: never faster than half real time."""
        due = time.monotonic() + seconds * max(self.scale, 0.5)
        heapq.heappush(self._timers, (due, next(self._order), action))

    def after_real(self, seconds: float, action: Callable[[], None]) -> None:
        """Unscaled: for keyboard timing (a lone Esc), which the user's speed sets."""
        heapq.heappush(self._timers, (time.monotonic() + seconds, next(self._order), action))

    def cancel_timers(self) -> None:
        self._timers.clear()

    def _run(self) -> None:
        while not self._stopped:
            timeout = None
            if self._timers:
                timeout = max(0.0, self._timers[0][0] - time.monotonic())
            try:
                action = self._inbox.get(timeout=timeout)
            except queue.Empty:
                action = None
                if self._timers and self._timers[0][0] <= time.monotonic():
                    action = heapq.heappop(self._timers)[2]
            if action is None:
                continue
            action()
            # Timers that fell due while the inbox was busy run in order before more input.
            while self._timers and self._timers[0][0] <= time.monotonic() and not self._stopped:
                heapq.heappop(self._timers)[2]()


class PowerSwitch:
    """Power off and on, alike for every simulated machine: off stops all it was doing (its
    timers, and callbacks of an older `generation`), on boots it again with `power_on`."""

    generation: int
    rt: Runtime
    mode: str

    def power_on(self) -> None:
        raise NotImplementedError

    def switch_power(self, action: str) -> str | None:
        """The answer for `power_off` or `power_on`; None for any other action."""
        if action == "power_off":
            self.generation += 1
            self.rt.cancel_timers()
            self.mode = "off"
            return "powered off"
        if action == "power_on":
            if self.mode != "off":
                return "already on"
            self.power_on()
            return "powered on"
        return None
