"""contrib/lifeline.service: systemd accepts it, and the command it runs works (DESIGN §5)."""

import json
import os
import re
import shlex
import signal
import stat
import subprocess

import pytest
from conftest import BINARY, ROOT
from lifeline_proc import env, queue_url, wait_settled, write_config

UNIT = os.path.join(ROOT, "contrib", "lifeline.service")


def unit_text(binary=BINARY):
    with open(UNIT) as f:
        return f.read().replace("/usr/local/bin/lifeline", binary)


def test_systemd_accepts_the_unit_without_a_word(tmp_path):
    path = tmp_path / "lifeline.service"
    path.write_text(unit_text())
    out = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True, timeout=60)
    # verify exits 0 even for unknown keys; anything it says is a problem.
    assert out.returncode == 0 and out.stdout == "" and out.stderr == "", out.stdout + out.stderr


@pytest.mark.parametrize("world", ["clean-scale-out.json"], indirect=True)
def test_the_units_command_runs_the_scale_out_logs_json_and_stops_on_sigterm(world, tmp_path):
    sim, _, _ = world
    exec_start = re.search(r"^ExecStart=(.*)$", unit_text(), re.M).group(1)
    config = write_config(tmp_path / "lifeline.yaml", queue_url(sim))
    db = tmp_path / "state" / "lifeline.db"
    db.parent.mkdir()
    argv = [
        a.replace("/etc/lifeline/lifeline.yaml", config).replace("/var/lib/lifeline/lifeline.db", str(db))
        for a in shlex.split(exec_start)
    ]
    assert argv[:2] == [BINARY, "serve"] and "--log-format" in argv
    log = open(tmp_path / "serve.log", "w+")
    process = subprocess.Popen(
        argv + ["--endpoint-url", sim.url, "--listen", "127.0.0.1:0"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env(),
        # The most permissive umask: the unit's UMask must not be what keeps the journal private.
        preexec_fn=lambda: os.umask(0o000),
    )
    try:
        wait_settled(sim, 4, timeout=30)
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=45)  # the unit's TimeoutStopSec
    assert code == 0
    lines = open(tmp_path / "serve.log").read().splitlines()
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert any(r["msg"].startswith("complete CONTINUE") and r["group"] == "shop/prod" for r in records), lines[-5:]
    journal_files = [p for p in db.parent.iterdir() if p.name.startswith("lifeline.db")]
    assert str(db) in map(str, journal_files)
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in journal_files} == {p.name: 0o600 for p in journal_files}
