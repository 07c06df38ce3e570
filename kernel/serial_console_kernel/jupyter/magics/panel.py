"""%controls: the control panel (built by `jupyter.widgets` where a front end can show it)."""

from __future__ import annotations

from argparse import Namespace
from typing import TYPE_CHECKING

from .declare import Magic

if TYPE_CHECKING:
    from ..cell import Cell

# What nbval compares and what a front end without widgets shows.
PANEL_TEXT = "Serial Console controls (open in JupyterLab or Notebook to use them)"


async def controls(cell: Cell, args: Namespace) -> bool:
    bundle = cell.open_panel() if cell.open_panel is not None else {}
    cell.display({**bundle, "text/plain": PANEL_TEXT})
    return False


MAGICS = [
    Magic("controls", "%controls", "Show the control panel: power buttons (with a confirmation "
          "for NMI, reset and power off), a boot-menu pad, a live screen and a line to type.",
          run=controls),
]
