"""The Jupyter-free Target on the simulator: the API the kernel, the panel and the runner share."""

from __future__ import annotations

import asyncio

import pytest

from serial_console_kernel.engine.patterns import compile_pattern
from serial_console_kernel.errors import ExpectationFailed
from serial_console_kernel.target import Target


def test_press_until_finds_grubs_linux_line_by_its_text():
    async def main() -> None:
        target = Target()
        target.settings.quiet_ms = 100  # shorter than a tick of GRUB's countdown
        try:
            await target.connect("sim:linux?speed=instant")
            await target.wait(compile_pattern("GNU GRUB"))
            await target.press(["e"])
            presses = await target.press_until(["Down"], compile_pattern(r"^linux\s"))
            assert presses == 9  # Debian's entry: setparams, a blank, load_video, … then linux
            with pytest.raises(ExpectationFailed, match="no row matched nothing-like-this after 3"):
                await target.press_until(["Down"], compile_pattern("nothing-like-this"), limit=3,
                                         written="nothing-like-this")
        finally:
            await target.close()

    asyncio.run(main())
