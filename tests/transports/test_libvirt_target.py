"""libvirt:// targets without a libvirtd: how a target names its URI and domain, and what a
user without libvirt-python is told.  The real console is tested in tests/target/test_libvirt.py."""

from __future__ import annotations

import sys

import pytest

from serial_console_kernel.errors import ConsoleError
from serial_console_kernel.power import open_power
from serial_console_kernel.transports import open_transport
from serial_console_kernel.transports.libvirt_console import split_target


@pytest.mark.parametrize(("target", "uri", "domain"), [
    ("libvirt:///system/vm1", "qemu:///system", "vm1"),
    ("libvirt:///session/vm1/", "qemu:///session", "vm1"),
    ("libvirt+ssh://admin@host/system/web-01", "qemu+ssh://admin@host/system", "web-01"),
    ("libvirt+ssh://host/system/db?keyfile=/k", "qemu+ssh://host/system?keyfile=/k", "db"),
])
def test_a_target_is_a_libvirt_uri_and_the_domains_name(target, uri, domain):
    assert split_target(target) == (uri, domain)


@pytest.mark.parametrize("target", ["libvirt:///system", "libvirt:///vm1", "libvirt://host/other/vm1"])
def test_a_target_without_a_domain_says_how_to_write_one(target):
    with pytest.raises(ConsoleError, match=r"write libvirt:///system/DOMAIN"):
        split_target(target)


def test_without_libvirt_python_connect_and_power_say_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "libvirt", None)  # import libvirt raises ImportError
    with pytest.raises(ConsoleError, match=r"pip install 'serial-console-kernel\[libvirt\]'"):
        open_transport("libvirt:///system/vm1")
    backend = open_power("libvirt:///system/vm1")
    assert backend.name == "libvirt" and "nmi" in backend.actions and "break" not in backend.actions
