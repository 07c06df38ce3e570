"""Drive a real kernel process through jupyter_client and collect what a cell published."""

from __future__ import annotations

from dataclasses import dataclass, field

from jupyter_client.blocking import BlockingKernelClient


@dataclass
class CellResult:
    reply: dict
    displays: list[dict] = field(default_factory=list)
    streams: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.reply["status"]

    @property
    def text(self) -> str:
        """text/plain of the cell's last display."""
        return self.displays[-1]["data"]["text/plain"] if self.displays else ""

    @property
    def stdout(self) -> str:
        return "".join(self.streams)

    @property
    def error(self) -> str:
        return self.errors[-1]["evalue"] if self.errors else ""


def execute(kc: BlockingKernelClient, code: str, timeout: float = 120, **options) -> CellResult:
    # Tests expect errors: without this, ipykernel aborts requests that follow one closely.
    options.setdefault("stop_on_error", False)
    msg_id = kc.execute(code, **options)
    return collect(kc, msg_id, timeout)


def collect(kc: BlockingKernelClient, msg_id: str, timeout: float = 120) -> CellResult:
    reply = kc.get_shell_msg(timeout=timeout)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=timeout)
    result = CellResult(reply["content"])
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "status" and content["execution_state"] == "idle":
            return result
        if kind == "display_data":
            result.displays.append(content)
        elif kind == "stream":
            result.streams.append(content["text"])
        elif kind == "error":
            result.errors.append(content)
