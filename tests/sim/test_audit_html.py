"""The HTML audit of a real detach race opens in headless Chromium without script errors; its
screenshot is kept in artifacts/ (not committed)."""

import os
import re
import shutil
import subprocess

import pytest
from conftest import ROOT, wait_for
from lifeline_proc import run, wait_settled

ARTIFACTS = os.path.join(ROOT, "artifacts")


def chromium():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "headless Chromium is missing: scripts/setup --tests installs it"
    return [path, "--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files"]


@pytest.mark.parametrize("world", ["detach-race.json"], indirect=True)
def test_the_html_audit_renders_in_chromium(world, tmp_path):
    sim, serve, _ = world
    lifeline = serve(extra="    mode: supervise\n    allow: [open-breaker]")
    wait_for(lambda: "loop breaker opened" in lifeline.output(), 90, interval=1, what="the loop breaker to open")
    wait_settled(sim, 2, timeout=60)
    assert lifeline.stop() == 0
    out = run("audit", "--config", lifeline.config, "--db", lifeline.db, "--endpoint-url", sim.url, "--format", "html")
    assert out.returncode == 3, out.stderr
    html = out.stdout
    assert html.startswith("<!DOCTYPE html>") and "http://" not in html.split("</style>")[0], (
        "self-contained: no external assets"
    )
    assert "loop breaker open" in html and "stale" in html and "<svg" in html
    os.makedirs(ARTIFACTS, exist_ok=True)
    page = os.path.join(ARTIFACTS, "audit.html")
    with open(page, "w") as f:
        f.write(html)

    dom = subprocess.run(chromium() + ["--dump-dom", "file://" + page], capture_output=True, text=True, timeout=60)
    assert dom.returncode == 0, dom.stderr[-2000:]
    body = re.search(r"<body[^>]*>", dom.stdout).group(0)
    assert 'data-rendered="ok"' in body, "the page's script ran"
    assert "data-errors" not in body, f"a script error: {body}"

    shot = os.path.join(ARTIFACTS, "audit.png")
    if os.path.exists(shot):
        os.remove(shot)
    done = subprocess.run(
        chromium() + ["--hide-scrollbars", "--window-size=1100,1800", f"--screenshot={shot}", "file://" + page],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert os.path.getsize(shot) > 10_000, "a screenshot with something on it"
