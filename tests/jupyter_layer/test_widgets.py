"""%controls through a real kernel: the panel's comms, clicks as comm messages, also while a
cell waits; the panel's text/plain is fixed so nbval can run notebooks that show it."""

from __future__ import annotations

import time

from helpers.jupyter import collect, execute
from serial_console_kernel.jupyter.magics.panel import PANEL_TEXT


def open_panel(kc) -> dict[str, str]:
    """Show %controls; returns {button description: comm id}."""
    msg_id = kc.execute("%controls")
    states = {}
    buttons = {}
    while True:
        msg = kc.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "comm_open":
            state = msg["content"]["data"]["state"]
            states[msg["content"]["comm_id"]] = state
            if state.get("_model_name") == "ButtonModel":
                buttons[state["description"]] = (msg["content"]["comm_id"], state)
        if msg["msg_type"] == "comm_msg" and msg["content"]["data"].get("method") == "update":
            states.get(msg["content"]["comm_id"], {}).update(msg["content"]["data"]["state"])
        if msg["msg_type"] == "display_data":
            assert msg["content"]["data"]["text/plain"] == PANEL_TEXT
            assert "application/vnd.jupyter.widget-view+json" in msg["content"]["data"]
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return buttons


def click(kc, comm_id: str) -> None:
    msg = kc.session.msg("comm_msg", {"comm_id": comm_id,
                                      "data": {"method": "custom", "content": {"event": "click"}}})
    kc.shell_channel.send(msg)


def wait_for_output(kc, text: str, timeout: float = 30) -> str:
    """The panel's Output widget reports a click's result: wait for that state update."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["msg_type"] != "comm_msg":
            continue
        outputs = msg["content"]["data"].get("state", {}).get("outputs") or []
        printed = "".join(o.get("text", "") for o in outputs)
        if text in printed:
            return printed
    raise AssertionError(f"{text!r} never reached the panel's output")


def test_panel_offers_what_the_backend_supports(kc):
    execute(kc, "%connect loop://")
    execute(kc, "%power-backend cmd:nmi=true")
    buttons = open_panel(kc)
    assert {"NMI", "Reset", "Power off", "F8", "Ctrl-X", "Restart into boot menu", "Send"} <= set(buttons)
    assert buttons["NMI"][1]["disabled"] is False
    assert buttons["Reset"][1]["disabled"] is True
    assert "cannot reset" in buttons["Reset"][1]["tooltip"]
    # loop:// cannot send a BREAK and the backend has no SysRq: neither is offered.
    assert buttons["BREAK"][1]["disabled"] is True and buttons["SysRq"][1]["disabled"] is True
    assert buttons["BREAK"][1]["tooltip"] == ("neither the cmd power backend nor the console can "
                                              "send BREAK")


def test_panel_offers_break_and_sysrq_where_the_line_can_send_a_break(kc, tcp_console):
    execute(kc, f"%connect {tcp_console.replace('socket://', 'telnet://')} --power none")
    buttons = open_panel(kc)
    assert buttons["BREAK"][1]["disabled"] is False and buttons["SysRq"][1]["disabled"] is False


def test_power_off_asks_first_then_acts(kc):
    execute(kc, "%connect sim:linux")
    buttons = open_panel(kc)
    click(kc, buttons["Power off"][0])
    assert execute(kc, "%power status").stdout == "power status via sim: running\n"
    click(kc, buttons["Yes"][0])
    wait_for_output(kc, "power off sent via sim")
    assert execute(kc, "%power status").stdout == "power status via sim: off\n"


def test_nmi_button_works_while_a_cell_waits(kc):
    execute(kc, "%connect sim:linux")
    execute(kc, "%wait login: --timeout 30")
    buttons = open_panel(kc)
    waiting = kc.execute("%wait NMI received --timeout 60")
    click(kc, buttons["NMI"][0])
    click(kc, buttons["Yes"][0])
    wait_for_output(kc, "NMI sent via sim")
    result = collect(kc, waiting)
    assert result.status == "ok", "the waiting cell saw the NMI the button sent"
    assert "Uhhuh. NMI received for unknown reason" in result.text


def test_pad_keys_and_send_line_reach_the_console(kc):
    execute(kc, "%connect sim:linux")
    execute(kc, "%wait login: --timeout 30")
    buttons = open_panel(kc)
    click(kc, buttons["Enter"][0])
    wait_for_output(kc, "pressed Enter")
    assert execute(kc, "%screen").text.count("debian-target login:") >= 2
