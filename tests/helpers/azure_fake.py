"""A local fake of the two Azure endpoints the serial console uses, with the simulator's
machine behind them: ARM (the VM and its instance view, `serialPorts/0/connect`) and the
console service (the websocket, `adminCommand`), over HTTPS on one port of 127.0.0.1.

It follows the Azure CLI serial-console extension message for message: the websocket URL
from `connect` ends in `/client`; the client opens it with `?authorization=TOKEN&new=1`, sends
the token again as its first message and drops the service's first message (a banner); then
text frames both ways.  `adminCommand/{nmi,reset,sysrq}` is that URL with https and
`/adminCommand/X` in place of `/client`, a Bearer token and {command, requestId,
commandParameters}.  What the extension does not show, the fake assumes: a second websocket
closes the first with the reason "another user took over the serial console".

python azure_fake.py --cert C --key K --token T [--kind windows|linux] [--scenario S]
[--power running|deallocated] [--boot-diagnostics on|off]; prints its port.
"""

from __future__ import annotations

import argparse
import asyncio
import ssl

from aiohttp import WSMsgType, web

from serial_console_kernel.simulator import Simulation

BANNER = "Serial console connected\r\n"  # what the extension throws away
TAKEN = "another user took over the serial console"


class FakeAzure:
    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.simulation = Simulation(options.kind, options.scenario)
        self.started = False
        self.port = 0
        self.socket: web.WebSocketResponse | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.simulation.attach(self._output)

    # -- ARM ------------------------------------------------------------------------------------
    def authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.options.token}"

    @staticmethod
    def error(status: int, code: str, message: str) -> web.Response:
        return web.json_response({"error": {"code": code, "message": message}}, status=status)

    async def vm(self, request: web.Request) -> web.Response:
        if not self.authorized(request):
            return self.error(401, "AuthenticationFailed", "Authentication failed.")
        if request.match_info["vm"] not in ("vm1", "0"):  # a VM, or instance 0 of a scale set
            return self.error(404, "ResourceNotFound", "The Resource was not found.")
        return web.json_response({"name": "vm1", "properties": {
            "storageProfile": {"osDisk": {"osType": self.options.kind.capitalize()}},
            "diagnosticsProfile": {"bootDiagnostics": {"enabled": self.options.boot_diagnostics == "on"}},
            "instanceView": {"statuses": [{"code": "ProvisioningState/succeeded"},
                                          {"code": f"PowerState/{self.options.power}"}]}}})

    async def connect(self, request: web.Request) -> web.Response:
        if not self.authorized(request):
            return self.error(401, "AuthenticationFailed", "Authentication failed.")
        return web.json_response(
            {"connectionString": f"wss://127.0.0.1:{self.port}/console/vm1/client"})

    # -- the console service ----------------------------------------------------------------------
    async def console(self, request: web.Request) -> web.StreamResponse:
        if request.query.get("authorization") != self.options.token:
            return self.error(401, "AuthenticationFailed", "Authentication failed.")
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        first = await socket.receive()
        if first.type != WSMsgType.TEXT or first.data != self.options.token:
            await socket.close(code=4001, message=b"authorization expected first")
            return socket
        previous, self.socket = self.socket, socket
        if previous is not None:
            await previous.close(code=1000, message=TAKEN.encode())
        await socket.send_str(BANNER)
        if not self.started:  # powered on when the first client is there to see the boot
            self.started = True
            self.simulation.start()
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                self.simulation.type(message.data.encode("utf-8"))
        if self.socket is socket:
            self.socket = None
        return socket

    async def drop(self, request: web.Request) -> web.Response:
        """Not Azure's: the test's way to cut the websocket, as a network blip does."""
        if self.socket is not None:
            await self.socket.close(code=1011, message=b"connection reset")
        return web.json_response({})

    def _output(self, data: bytes) -> None:
        """On the simulator's thread."""
        socket, loop = self.socket, self.loop
        if socket is not None and loop is not None:
            text = data.decode("utf-8", "replace")
            asyncio.run_coroutine_threadsafe(socket.send_str(text), loop)

    async def admin_command(self, request: web.Request) -> web.Response:
        if not self.authorized(request):
            return self.error(401, "AuthenticationFailed", "Authentication failed.")
        command = request.match_info["command"]
        body = await request.json()
        if body.get("command") != command or "requestId" not in body:
            return self.error(400, "BadRequest", "command and requestId are required")
        if command not in ("nmi", "reset", "sysrq"):
            return self.error(400, "BadRequest", f"unknown command {command}")
        key = str(body.get("commandParameters", {}).get("SysRqCommand", ""))
        if command == "sysrq" and self.options.kind == "windows":
            return self.error(400, "BadRequest", "SysRq is not supported on Windows VMs")
        action = {"nmi": "nmi", "reset": "reset", "sysrq": "sysrq"}[command]
        await asyncio.to_thread(self.simulation.control, action, key)
        return web.json_response({"status": "success"})


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--kind", default="linux", choices=["windows", "linux"])
    parser.add_argument("--scenario", default="healthy")
    parser.add_argument("--power", default="running")
    parser.add_argument("--boot-diagnostics", default="on")
    fake = FakeAzure(parser.parse_args())
    fake.loop = asyncio.get_running_loop()
    vm = ("/subscriptions/{sub}/{rg:resource[gG]roups}/{group}/providers/Microsoft.Compute/"
          "virtualMachines/{vm}")
    app = web.Application()
    vmss = ("/subscriptions/{sub}/{rg:resource[gG]roups}/{group}/providers/Microsoft.Compute/"
            "virtualMachineScaleSets/{scaleset}/virtualMachines/{vm}")
    connect = "/providers/Microsoft.SerialConsole/serialPorts/0/connect"
    app.add_routes([
        web.get(vm, fake.vm),
        web.post(vm + connect, fake.connect),
        web.get(vmss, fake.vm),
        web.post(vmss + connect, fake.connect),
        web.post("/fake/drop", fake.drop),
        web.get("/console/{vm}/client", fake.console),
        web.post("/console/{vm}/adminCommand/{command}", fake.admin_command),
    ])
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(fake.options.cert, fake.options.key)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    fake.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(fake.port, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
