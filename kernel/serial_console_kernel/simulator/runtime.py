"""Simulator: runs a simulated machine on its own thread.  Keystrokes, power actions and timers
are handled one at a time, so the machine needs no locks and the same input gives the same
output.  Time comes from a `Clock`: real time, or for tests a clock that skips the machine's
own delays (a boot's pauses) whenever nothing else is waiting, so tests do not wait for them."""

from __future__ import annotations

import heapq
import itertools
import queue
import threading
import time
from collections.abc import Callable

SPEEDS = {"fast": 0.02, "real": 1.0}
# With the skipping clock, boot-menu countdowns still run in real time (something must be able
# to catch them), at this fraction of their length.
INSTANT_MENU_SCALE = 0.2


class Clock:
    """Real time."""

    skips = False

    def now(self) -> float:
        return time.monotonic()

    def skip_to(self, due: float) -> None:
        raise NotImplementedError("real time does not skip")


class SkippingClock(Clock):
    """Virtual time for tests: whenever the machine is idle and its next timer is one of its own
    delays, time jumps to it.  Time only moves forward; real time still passes underneath."""

    skips = True

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.monotonic() + self.offset

    def skip_to(self, due: float) -> None:
        self.offset += max(0.0, due - self.now())


def parse_speed(text: str) -> float:
    """'fast' (boot delays scaled to 2 %), 'real', 'instant' (skipped, see `SkippingClock`), or a
    factor such as 0.5."""
    if text == "instant":
        return 1.0
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
    def __init__(self, scale: float = SPEEDS["fast"], clock: Clock | None = None) -> None:
        self.scale = scale
        self.clock = clock or Clock()
        self.menu_scale = INSTANT_MENU_SCALE if self.clock.skips else max(scale, 0.5)
        self._inbox: queue.Queue[Callable[[], None] | None] = queue.Queue()
        # (due, order, may be skipped, action)
        self._timers: list[tuple[float, int, bool, Callable[[], None]]] = []
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

    def _push(self, seconds: float, skippable: bool, action: Callable[[], None]) -> None:
        heapq.heappush(self._timers, (self.clock.now() + seconds, next(self._order), skippable, action))

    def after(self, seconds: float, action: Callable[[], None]) -> None:
        """Run `action` after `seconds` of simulated time (scaled by the speed)."""
        self._push(seconds * self.scale, True, action)

    def after_menu(self, seconds: float, action: Callable[[], None]) -> None:
        """Boot-menu countdowns are there to be caught: never faster than half real time (a
        fifth with the skipping clock, which never skips them)."""
        self._push(seconds * self.menu_scale, False, action)

    def after_real(self, seconds: float, action: Callable[[], None]) -> None:
        """Unscaled: for keyboard timing (a lone Esc), which the user's speed sets."""
        self._push(seconds, False, action)

    def cancel_timers(self) -> None:
        self._timers.clear()

    def _due(self) -> bool:
        return bool(self._timers) and self._timers[0][0] <= self.clock.now()

    def _run(self) -> None:
        while not self._stopped:
            if self.clock.skips and self._timers and self._timers[0][2] and self._inbox.empty():
                self.clock.skip_to(self._timers[0][0])
            timeout = None
            if self._timers:
                timeout = max(0.0, self._timers[0][0] - self.clock.now())
            try:
                action = self._inbox.get(timeout=timeout)
            except queue.Empty:
                action = None
                if self._due():
                    action = heapq.heappop(self._timers)[3]
            if action is None:
                continue
            action()
            # Timers that fell due while the inbox was busy run in order before more input.
            while self._due() and not self._stopped:
                heapq.heappop(self._timers)[3]()


class PowerSwitch:
    """Power off and on, alike for every simulated machine: off stops all it was doing (its
    timers, and callbacks of an older `generation`), on boots it again with `power_on`.

    `generation` changes at every power transition; `later` runs an action only if none came
    in between, so a timer set before a reset does nothing after it."""

    generation: int = 0
    rt: Runtime
    mode: str  # the machine's Mode, a str enum whose OFF is "off"

    def power_on(self) -> None:
        raise NotImplementedError

    def new_generation(self) -> None:
        """Forget everything scheduled: a reset, a power transition, a crash."""
        self.generation += 1
        self.rt.cancel_timers()

    def later(self, seconds: float, action: Callable[[], object], *, clock: str = "scaled") -> None:
        """Run `action` after `seconds` unless the machine was reset or switched meanwhile;
        `clock` is "scaled" (the machine's own delays), "menu" or "real" (see Runtime)."""
        generation = self.generation

        def run() -> None:
            if generation == self.generation:
                action()

        {"scaled": self.rt.after, "menu": self.rt.after_menu, "real": self.rt.after_real}[clock](
            seconds, run)

    def switch_power(self, action: str) -> str | None:
        """The answer for `power_off` or `power_on`; None for any other action."""
        if action == "power_off":
            self.new_generation()
            self.mode = type(self.mode)("off")  # the machine's own Mode enum
            return "powered off"
        if action == "power_on":
            if self.mode != "off":
                return "already on"
            self.power_on()
            return "powered on"
        return None
