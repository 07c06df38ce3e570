"""`azure://SUBSCRIPTION/RESOURCE_GROUP/VM` (and `…/vmss/SCALESET/INSTANCE`): an Azure VM's
serial console, spoken as the Azure CLI's serial-console extension speaks it.

ARM is asked whether the VM runs and has boot diagnostics on (the console needs both), then
`…/providers/Microsoft.SerialConsole/serialPorts/0/connect` gives a websocket URL; the token
goes in its query and again as the first message, and the service's first message is a banner,
not console output.  The token is a secret: it is never in a message, `%status` or the log.

Credentials: SERIAL_CONSOLE_AZURE_TOKEN (a bearer token for ARM, e.g. from
`az account get-access-token`), else azure-identity's DefaultAzureCredential (Azure CLI login,
managed identity, environment variables…).  AZURE_RESOURCE_MANAGER_ENDPOINT names another
cloud's ARM (https://management.usgovcloudapi.net); its CA comes from SSL_CERT_FILE as usual.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import ssl
import threading
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from ..errors import ConsoleError, TakenOver, TransportClosed, UnsupportedAction

INSTALL = "azure targets need websockets and azure-identity: pip install 'serial-console-kernel[azure]'"
ARM = "https://management.azure.com"
ENDPOINT_VARIABLE = "AZURE_RESOURCE_MANAGER_ENDPOINT"
TOKEN_VARIABLE = "SERIAL_CONSOLE_AZURE_TOKEN"
COMPUTE_API, SERIAL_API = "2023-09-01", "2018-05-01"
TIMEOUT = 30.0
# How the service ends a session when another user connects (see README: what the fake assumes).
TAKEN_WORDS = ("another user", "took over", "taken over")


class AzureVm:
    """Where the VM is in ARM, and the calls this product makes there."""

    def __init__(self, target: str, environ: Mapping[str, str]) -> None:
        parts = urlsplit(target)
        segments = [parts.netloc, *[s for s in parts.path.split("/") if s]]
        if parts.scheme != "azure" or len(segments) not in (3, 5) or (
                len(segments) == 5 and segments[2].lower() != "vmss"):
            raise ConsoleError(f"bad azure target {target!r}: write azure://SUBSCRIPTION/"
                               "RESOURCE_GROUP/VM or azure://SUBSCRIPTION/RESOURCE_GROUP/vmss/"
                               "SCALESET/INSTANCE")
        self.subscription, self.group = segments[0], segments[1]
        if len(segments) == 3:
            self.name = segments[2]
            self.path = f"virtualMachines/{quote(self.name)}"
            self.fix_hint = f"-g {self.group} -n {self.name}"
        else:
            self.name = f"{segments[3]} instance {segments[4]}"
            self.path = f"virtualMachineScaleSets/{quote(segments[3])}/virtualMachines/{quote(segments[4])}"
            self.fix_hint = f"-g {self.group} --vmss {segments[3]} (instance {segments[4]})"
        self.environ = environ
        self.arm = environ.get(ENDPOINT_VARIABLE, ARM).rstrip("/")
        self.resource = (f"{self.arm}/subscriptions/{quote(self.subscription)}/resourceGroups/"
                         f"{quote(self.group)}/providers/Microsoft.Compute/{self.path}")
        self._token: str | None = None

    # -- credentials ----------------------------------------------------------------------------
    def token(self) -> str:
        static = self.environ.get(TOKEN_VARIABLE)
        if static:
            return static
        try:
            from azure.identity import DefaultAzureCredential
        except ImportError:
            raise ConsoleError(INSTALL) from None
        # The chain logs each credential it tried, on many lines: the error says it in one.
        logging.getLogger("azure.identity").setLevel(logging.ERROR)
        try:
            # Interactive browser login would wait for a person: never from a kernel.
            credential = DefaultAzureCredential(exclude_interactive_browser_credential=True)
            return str(credential.get_token(f"{self.arm}/.default").token)
        except Exception as err:  # noqa: BLE001 - the chain's failures are many; one line
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise ConsoleError(f"no Azure credential: {first} (az login, a managed identity, or "
                               f"{TOKEN_VARIABLE})") from None

    def call(self, method: str, url: str, body: dict | None = None, *, retried: bool = False) -> dict:
        """An ARM (or console service) request; its failure as one line without the token.
        A refused token is fetched again once: ARM tokens live about an hour, a session longer."""
        token = self._token = self._token or self.token()
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method, headers={
            "Authorization": f"Bearer {token}", "Accept": "application/json",
            "Content-Type": "application/json"})
        try:
            context = ssl.create_default_context()
            with urllib.request.urlopen(request, timeout=TIMEOUT, context=context) as answer:
                text = answer.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as err:
            if err.code == 401 and not retried and not self.environ.get(TOKEN_VARIABLE):
                self._token = None
                return self.call(method, url, body, retried=True)
            raise ConsoleError(self._refusal(err.code, err.read().decode("utf-8", "replace"))) from None
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise ConsoleError(f"cannot reach {urlsplit(url).netloc}: {reason}") from None
        return json.loads(text) if text.strip() else {}

    def _refusal(self, status: int, text: str) -> str:
        try:
            error = json.loads(text).get("error", {})
            message = f"{error.get('code', '')}: {error.get('message', '')}".strip(": ")
        except (ValueError, AttributeError):
            message = text.strip()[:200]
        if status in (401, 403):
            return (f"Azure refused access to {self.name} ({status} {message}): the console needs "
                    "Virtual Machine Contributor (or Serial Console access) on the VM")
        if status == 404:
            return f"no VM {self.name} in {self.group} of subscription {self.subscription} ({message})"
        return f"Azure answered {status} for {self.name}: {message}"

    # -- what the console needs -------------------------------------------------------------------
    def check(self) -> str:
        """The VM runs and has boot diagnostics on; returns its OS type ("Windows"/"Linux")."""
        vm = self.call("GET", f"{self.resource}?api-version={COMPUTE_API}&$expand=instanceView")
        properties = vm.get("properties", {})
        statuses = properties.get("instanceView", {}).get("statuses", [])
        power = next((s["code"].split("/", 1)[1] for s in statuses
                      if s.get("code", "").startswith("PowerState/")), "unknown")
        if power != "running":
            raise ConsoleError(f"{self.name} is {power}: the serial console needs it running "
                               f"(az vm start {self.fix_hint})")
        boot = properties.get("diagnosticsProfile", {}).get("bootDiagnostics", {})
        if not boot.get("enabled"):
            raise ConsoleError(f"boot diagnostics are off on {self.name}, and the serial console "
                               f"needs them: az vm boot-diagnostics enable {self.fix_hint}")
        return str(properties.get("storageProfile", {}).get("osDisk", {}).get("osType", "Linux"))

    def console_url(self) -> str:
        answer = self.call("POST", f"{self.resource}/providers/Microsoft.SerialConsole/serialPorts/0"
                                   f"/connect?api-version={SERIAL_API}")
        if "connectionString" not in answer:
            raise ConsoleError(f"Azure gave no console for {self.name} (no connectionString)")
        return str(answer["connectionString"])

    def admin_command(self, console_url: str, command: str, parameters: dict) -> None:
        """nmi, reset or sysrq, at the console service that gave `console_url`."""
        scheme, _, rest = console_url.partition("://")
        https = "https" if scheme == "wss" else "http"
        url = f"{https}://{rest}".replace("/client", f"/adminCommand/{command}")
        self.call("POST", url, {"command": command, "requestId": os.urandom(16).hex(),
                                "commandParameters": parameters})


class AzureConsoleTransport:
    can_break = False  # no BREAK on the websocket: SysRq is an adminCommand (the power backend)
    reconnects = True  # a websocket hiccup: ask for a new console URL and open it again

    def __init__(self, target: str, *, baud: int = 0, environ: Mapping[str, str] | None = None) -> None:
        self.vm = AzureVm(target, os.environ if environ is None else environ)
        self.description = target
        self.default_power = target  # nmi, reset and sysrq through the same service
        self.default_keys = "xterm"
        self.os_type = "Linux"
        self.console_url: str | None = None
        self.secrets: list[str] = []  # the token: masked everywhere by the Target
        self._socket: Any = None
        self._context = contextlib.ExitStack()
        self._lock = threading.Lock()

    def open(self) -> None:
        try:
            from websockets.sync.client import connect
        except ImportError:
            raise ConsoleError(INSTALL) from None
        self.os_type = self.vm.check()
        # Windows answers on SAC (EMS): its keys, as for sim:windows.
        self.default_keys = "ems" if self.os_type.lower() == "windows" else "xterm"
        self.console_url = self.vm.console_url()
        token = self.vm._token or self.vm.token()
        self.secrets = [token]
        try:
            # Entered as a context (websockets 17 wants it so), left in `close`.
            self._socket = self._context.enter_context(connect(
                f"{self.console_url}?authorization={quote(token)}&new=1", open_timeout=TIMEOUT,
                max_size=None, compression=None,
                ssl=ssl.create_default_context() if self.console_url.startswith("wss:") else None))
            self._socket.send(token)
            self._socket.recv(timeout=TIMEOUT)  # the service's banner
        except Exception as err:  # noqa: BLE001 - websockets' and the network's: one line, masked
            self.close()
            raise ConsoleError(f"cannot open the serial console of {self.vm.name}: "
                               f"{str(err).replace(token, '***')}") from None

    def read(self, timeout: float) -> bytes:
        from websockets.exceptions import ConnectionClosed

        sock = self._socket
        if sock is None:
            raise TransportClosed(f"{self.description} is closed")
        try:
            message = sock.recv(timeout=timeout)
        except TimeoutError:
            return b""
        except ConnectionClosed as err:
            reason = (err.rcvd.reason if err.rcvd else "") or "no reason given"
            if any(words in reason.lower() for words in TAKEN_WORDS):
                raise TakenOver(f"another user took over the serial console of {self.vm.name}") from None
            raise TransportClosed(f"the serial console of {self.vm.name} closed ({reason})") from None
        # Text frames are the console's characters; a binary frame is decoded with replacement.
        if isinstance(message, bytes):
            message = message.decode("utf-8", "replace")
        return message.encode("utf-8")

    def write(self, data: bytes, timeout: float | None = None,
              abort: threading.Event | None = None) -> None:
        from websockets.exceptions import ConnectionClosed

        sock = self._socket
        if sock is None:
            raise TransportClosed(f"{self.description} is closed")
        try:
            with self._lock:
                sock.send(data.decode("utf-8", "replace"))
        except ConnectionClosed:
            raise TransportClosed(f"the serial console of {self.vm.name} closed") from None

    def send_break(self) -> None:
        raise UnsupportedAction("the Azure serial console has no BREAK on its websocket; "
                                "%sysrq KEY asks Azure to send SysRq (Linux VMs)")

    def close(self) -> None:
        self._socket = None
        with contextlib.suppress(Exception):  # closing a connection that already broke
            self._context.close()
