"""ipmi:// targets without a BMC: the URL, where the password comes from, and what a user
without pyghmi is told.  The real SOL console is tested in tests/target/test_ipmi.py."""

from __future__ import annotations

import sys

import pytest

from serial_console_kernel.errors import ConsoleError
from serial_console_kernel.transports import open_transport
from serial_console_kernel.transports.ipmi_sol import BmcAddress


def test_the_password_comes_from_ipmi_password_and_is_never_shown():
    bmc = BmcAddress("ipmi://admin@bmc1.lab:6230", {"IPMI_PASSWORD": "s3cret"})
    assert (bmc.user, bmc.host, bmc.port, bmc.password) == ("admin", "bmc1.lab", 6230, "s3cret")
    assert bmc.shown == "ipmi://admin@bmc1.lab:6230"
    assert BmcAddress("ipmi://root@10.0.0.5", {"IPMI_PASSWORD": "x"}).port == 623


def test_password_env_names_another_variable():
    bmc = BmcAddress("ipmi://admin@bmc2?password_env=BMC2_PW", {"BMC2_PW": "other"})
    assert bmc.password == "other" and bmc.shown == "ipmi://admin@bmc2"


@pytest.mark.parametrize(("url", "environ", "message"), [
    ("ipmi://admin:pw@bmc", {"IPMI_PASSWORD": "x"}, "no password in an ipmi:// URL"),
    ("ipmi://admin@bmc", {}, "IPMI_PASSWORD is not set"),
    ("ipmi://bmc", {"IPMI_PASSWORD": "x"}, r"write ipmi://USER@HOST\[:PORT\]"),
])
def test_bad_urls_and_a_missing_password_are_one_line_errors(url, environ, message):
    with pytest.raises(ConsoleError, match=message):
        BmcAddress(url, environ)


def test_without_pyghmi_connect_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyghmi", None)
    monkeypatch.setenv("IPMI_PASSWORD", "x")
    with pytest.raises(ConsoleError, match=r"pip install 'serial-console-kernel\[ipmi\]'"):
        open_transport("ipmi://admin@127.0.0.1:1")
