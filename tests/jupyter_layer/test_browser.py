"""The %controls panel in a real JupyterLab, in Debian's headless chromium driven by Playwright:
the buttons render, NMI (after its confirmation) crashes the simulated Windows Server and the live
screen shows the bugcheck, and "Restart into boot menu" brings the boot menu onto it.

A screenshot of the panel is kept in test-artifacts/controls-panel.png."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from helpers.processes import stop_process

ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
NOTEBOOK = {
    "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": "%connect sim:windows"},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": "%controls"},
    ],
    "metadata": {"kernelspec": {"name": "serial-console", "display_name": "Serial Console",
                                "language": "serial-console"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    (root / "controls.ipynb").write_text(json.dumps(NOTEBOOK))
    port, token = free_port(), secrets.token_hex(16)
    settings = root / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    # No "official Jupyter news?" toast over the panel in the screenshots.
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(root / ".config"),
               JUPYTERLAB_SETTINGS_DIR=str(root / "settings"))
    log = (root / "lab.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         "--allow-root", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(f"{url}/api/status?token={token}", process, root / "lab.log")
        yield f"{url}/lab/tree/controls.ipynb?token={token}"
    finally:
        stop_process(process)
        log.close()


def wait_until_serving(status_url: str, process: subprocess.Popen, log: Path) -> None:
    """The server logs its URL before it listens: knock until it answers (bounded)."""
    deadline = time.monotonic() + 120
    while True:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            with urllib.request.urlopen(status_url, timeout=10) as reply:
                assert reply.status == 200
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_controls_panel_nmi_and_boot_menu_in_a_real_browser(lab):
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            page.goto(lab)
            page.locator(".jp-Notebook").wait_for(timeout=120_000)
            expect(page.get_by_text("Serial Console | Idle")).to_be_visible(timeout=120_000)
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_text("Run All Cells", exact=True).click()

            live = page.locator(".widget-html-content pre.sc-screen")
            expect(live).to_contain_text(re.compile("SAC>|Windows"), timeout=60_000)
            panel = page.locator(".widget-vbox").first
            panel.get_by_role("button", name="NMI", exact=True).click()
            expect(panel.get_by_text("Are you sure you want to send an NMI")).to_be_visible()
            panel.get_by_role("button", name="Yes", exact=True).click()
            expect(live).to_contain_text("BLUESCREEN", timeout=30_000)
            expect(panel.locator(".jp-OutputArea-output")).to_contain_text("NMI sent via sim")
            panel.screenshot(path=str(ARTIFACTS / "controls-panel-nmi.png"))

            panel.get_by_role("button", name="Restart into boot menu").click()
            expect(live).to_contain_text(re.compile("Windows Boot Manager|Advanced Boot Options"),
                                         timeout=90_000)
            expect(panel.locator(".jp-OutputArea-output")).to_contain_text("boot menu caught")
            panel.screenshot(path=str(ARTIFACTS / "controls-panel.png"))
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "failure.png"))
            raise
        finally:
            browser.close()
    assert (ARTIFACTS / "controls-panel.png").stat().st_size > 10_000
