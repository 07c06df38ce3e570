"""azure:// against a local fake of ARM and the console service (helpers/azure_fake.py: HTTPS
with a self-signed certificate on 127.0.0.1, the simulator's machine behind it).  The transport
reaches it by configuration only, as for a sovereign cloud: AZURE_RESOURCE_MANAGER_ENDPOINT,
SSL_CERT_FILE for the certificate, and a static token, so that no credential chain probes
managed identity or a login endpoint."""

from __future__ import annotations

import asyncio
import os
import ssl
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import regex

from helpers.processes import start_helper, stop_process
from serial_console_kernel.errors import ConsoleError
from serial_console_kernel.simulator.linux.state import PASSWORD as LINUX_PASSWORD
from serial_console_kernel.target import Target

TOKEN = "fake-arm-token-8c1f"  # distinctive: found anywhere, it leaked
VM = "azure://sub-0001/rg1/vm1"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    folder = tmp_path_factory.mktemp("azure-tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return str(cert), str(key)


@contextmanager
def fake_azure(certificate: tuple[str, str], *options: str) -> Iterator[dict[str, str]]:
    """The fake running; yields the environment a user would set to reach it."""
    cert, key = certificate
    process, port = start_helper("azure_fake.py", "--cert", cert, "--key", key, "--token", TOKEN,
                                 *options)
    try:
        yield {"AZURE_RESOURCE_MANAGER_ENDPOINT": f"https://127.0.0.1:{port}",
               "SERIAL_CONSOLE_AZURE_TOKEN": TOKEN, "SSL_CERT_FILE": cert}
    finally:
        stop_process(process)


@pytest.fixture
def linux_vm(certificate, monkeypatch):
    with fake_azure(certificate, "--kind", "linux") as environ:
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        yield environ


def run(coroutine):
    return asyncio.run(coroutine)


def test_a_login_a_command_sysrq_and_nmi_and_the_token_is_nowhere(linux_vm, tmp_path):
    log = tmp_path / "console.log"
    said: list[str] = []

    async def session() -> str:
        target = Target(say=said.append)
        target.set_log(str(log))
        await target.connect(VM)
        await target.wait(regex.compile("login:"), timeout=30)
        await target.type_line("root")
        await target.type_password(LINUX_PASSWORD)
        await target.type_line("echo hello-from-azure")
        assert target.snapshot().text().rstrip().splitlines()[-2:] == ["hello-from-azure",
                                                                       "root@debian-target:~#"]
        await target.act("sysrq", "h")
        assert "show-task-states(t)" in target.snapshot().text().replace("\n", "")
        await target.act("nmi")
        assert "NMI received" in target.snapshot().text()
        status = target.status()
        await target.close()
        return status

    status = run(session())
    assert status.splitlines()[:2] == [f"connected to {VM}", "power via azure; can: nmi, reset, sysrq"]
    assert said[:2] == [f"connected to {VM}", "SysRq h sent via azure"]
    everything = status + "\n".join(said) + log.read_text()
    assert TOKEN not in everything and "Uhhuh" in log.read_text()


def test_windows_answers_on_sac_with_ems_keys_and_sysrq_is_refused_with_the_reason(certificate, monkeypatch):
    with fake_azure(certificate, "--kind", "windows") as environ:
        for name, value in environ.items():
            monkeypatch.setenv(name, value)

        async def session() -> None:
            target = Target()
            await target.connect(VM)
            assert target.settings.keys == "ems"
            await target.wait(regex.compile("SAC>"), timeout=30)
            with pytest.raises(ConsoleError, match="Azure sends SysRq to Linux VMs only"):
                await target.power_action("sysrq", "h")
            await target.close()

        run(session())


@pytest.mark.parametrize(("options", "message"), [
    (("--boot-diagnostics", "off"), "boot diagnostics are off on vm1, and the serial console needs "
                                    "them: az vm boot-diagnostics enable -g rg1 -n vm1"),
    (("--power", "deallocated"), "vm1 is deallocated: the serial console needs it running "
                                 "(az vm start -g rg1 -n vm1)"),
])
def test_what_the_console_needs_is_checked_first_and_the_error_names_the_fix(certificate, monkeypatch,
                                                                             options, message):
    with fake_azure(certificate, *options) as environ:
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        with pytest.raises(ConsoleError) as error:
            run(Target().connect(VM))
    assert str(error.value) == message


def test_a_refused_token_and_a_missing_vm_are_one_line_errors_without_the_token(linux_vm, monkeypatch):
    with pytest.raises(ConsoleError) as missing:
        run(Target().connect("azure://sub-0001/rg1/vm2"))
    assert str(missing.value).startswith("no VM vm2 in rg1 of subscription sub-0001")
    monkeypatch.setenv("SERIAL_CONSOLE_AZURE_TOKEN", TOKEN + "-expired")
    with pytest.raises(ConsoleError) as refused:
        run(Target().connect(VM))
    assert "Azure refused access to vm1 (401 AuthenticationFailed" in str(refused.value)
    assert "Virtual Machine Contributor" in str(refused.value) and TOKEN not in str(refused.value)


def test_a_second_user_takes_over_and_the_first_is_told(linux_vm):
    async def two_users() -> tuple[str, str, str]:
        first, second = Target(), Target()
        await first.connect(VM)
        await first.wait(regex.compile("login:"), timeout=30)
        await second.connect(VM, logout="off")
        with pytest.raises(ConsoleError) as waited:  # ends when the first connection does
            await first.wait(regex.compile("never printed"), timeout=30)
        status = first.status()
        with pytest.raises(ConsoleError) as typed:
            await first.type_line("echo hi")
        await second.close()
        await first.close()
        return str(waited.value), status, str(typed.value)

    waited, status, typed = run(two_users())
    assert "another user took over the serial console of vm1" in waited
    assert "another user took over the serial console" in status  # no reconnecting over it
    assert "another user took over" in typed


async def reconnected(session) -> None:
    """Until the session opened its connection again (it says so to its listeners)."""
    loop, changed = asyncio.get_running_loop(), asyncio.Event()
    session.add_listener(lambda: loop.call_soon_threadsafe(changed.set))
    while session.reconnecting or session.drops == 0:
        await asyncio.wait_for(changed.wait(), 30)
        changed.clear()


def test_a_scale_set_instance_and_a_dropped_websocket_that_is_opened_again(linux_vm):
    async def session() -> tuple[str, list[str]]:
        target = Target()
        await target.connect("azure://sub-0001/rg1/vmss/web/0")
        await target.wait(regex.compile("login:"), timeout=30)
        drops = target.console.session.drops  # type: ignore[union-attr]
        request = urllib.request.Request(linux_vm["AZURE_RESOURCE_MANAGER_ENDPOINT"] + "/fake/drop",
                                         method="POST")
        with urllib.request.urlopen(request, context=ssl.create_default_context()):
            pass
        with pytest.raises(ConsoleError, match="connection dropped"):  # the wait sees the drop
            await target.wait(regex.compile("never printed"), timeout=30)
        await reconnected(target.console.session)  # type: ignore[union-attr]
        assert target.console.session.drops == drops + 1  # type: ignore[union-attr]
        await target.type_line("")
        notes = target.take_notes()
        text = target.snapshot().text()
        await target.close()
        return text, notes

    text, notes = run(session())
    assert text.rstrip().endswith("login:")
    assert any("reconnected after" in note for note in notes), notes


def test_without_a_token_or_azure_identity_connect_says_what_to_install(linux_vm, monkeypatch):
    monkeypatch.delenv("SERIAL_CONSOLE_AZURE_TOKEN")
    monkeypatch.setitem(sys.modules, "azure.identity", None)
    with pytest.raises(ConsoleError, match=r"pip install 'serial-console-kernel\[azure\]'"):
        run(Target().connect(VM))


RUNBOOKS = Path(__file__).parents[2] / "notebooks"
COMMAND = str(Path(sys.executable).parent / "serial-console")


@pytest.mark.kernel
@pytest.mark.parametrize(("runbook", "kind", "scenario", "secret"), [
    ("windows-firewall-blocks-rdp", "windows", "firewall-blocks-rdp", "SAC_PASSWORD"),
    ("linux-iptables-lockout", "linux", "iptables-drops-ssh", "ROOT_PASSWORD"),
])
def test_runbooks_run_unchanged_against_azure(certificate, tmp_path, runbook, kind, scenario, secret):
    from serial_console_kernel.simulator import default_password

    with fake_azure(certificate, "--kind", kind, "--scenario", scenario) as environ:
        result = subprocess.run(
            [COMMAND, "run", str(RUNBOOKS / f"{runbook}.ipynb"), "-o", str(tmp_path / "out.ipynb"),
             "--target", VM], capture_output=True, text=True, timeout=600,
            env=dict(os.environ, **environ, **{secret: default_password(f"sim:{kind}")}))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    shown = (tmp_path / "out.ipynb").read_text()
    assert f"connected to {VM}" in shown and TOKEN not in shown
