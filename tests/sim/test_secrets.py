"""The secret scan (issue "Hostile input"): every command at the most verbose log level, in text and
JSON, with a secret key and a session token that are easy to spot, against the simulator and
against an endpoint that echoes everything it received. Neither string, nor any request signature,
may appear in any output, log, journal, `/metrics` or `/readyz` answer, or audit file."""

import glob
import json
import os
import re
import subprocess

import pytest
from conftest import BINARY, ROOT, Sim, wait_for
from hostile import Hostile
from lifeline_proc import Serve, completions, env, queue_url, write_config

ACCESS_KEY = "AKIDSPOTME0000000001"
SECRET_KEY = "SECRETKEY-SPOT-ME-7f3a9c1e5b"
SESSION_TOKEN = "SESSIONTOKEN-SPOT-ME-44d0c2a8e6"
SIGNATURE = re.compile(r"[Ss]ignature=[0-9a-f]{64}")


def spotting_env():
    return dict(env(), AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY, AWS_SESSION_TOKEN=SESSION_TOKEN)


def assert_clean(where, text):
    assert SECRET_KEY not in text, f"the secret key leaked into {where}"
    assert SESSION_TOKEN not in text, f"the session token leaked into {where}"
    assert not SIGNATURE.search(text), f"a request signature leaked into {where}: {SIGNATURE.search(text).group(0)}"


def run(args, fmt):
    return subprocess.run(
        [BINARY, *args, "--log-level", "trace", "--log-format", fmt],
        env=spotting_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def files_text(paths):
    """Every byte of these files (the journal and its -wal, an audit file), as text."""
    text = ""
    for path in paths:
        with open(path, "rb") as f:
            text += f.read().decode("latin-1")
    return text


def commands(config, db, audit_file):
    """Every command that talks to AWS or reads the journal, with the flags that make it do so."""
    return [
        ["reconcile", "--config", config, "--db", db],
        ["reconcile", "--config", config, "--db", db, "--dry-run", "--format", "json"],
        ["audit", "--config", config, "--db", db, "--format", "json"],
        ["audit", "--config", config, "--db", db, "--format", "html"],
        ["doctor", "--format", "json"],
        ["history", "--db", db, "--format", "json"],
        ["breaker", "status", "--db", db],
        ["iam-policy", "--config", config],
    ]


def sweep(config, db, tmp_path, endpoint):
    """Every command in both log formats; then the journal and the HTML audit, byte for byte."""
    audit_file = tmp_path / "audit.html"
    for fmt in ("text", "json"):
        for args in commands(config, db, audit_file):
            full = [*args, "--endpoint-url", endpoint] if args[0] in ("reconcile", "audit", "doctor") else args
            out = run(full, fmt)
            assert_clean(f"{' '.join(args[:2])} ({fmt}) stdout", out.stdout)
            assert_clean(f"{' '.join(args[:2])} ({fmt}) stderr", out.stderr)
            if args[0] == "audit" and "html" in args:
                audit_file.write_text(out.stdout)
    assert_clean("the journal", files_text(glob.glob(db + "*")))
    assert_clean("the audit file", audit_file.read_text())


def serve_and_scrape(endpoint, config, db, tmp_path, until=None):
    """serve at trace level in each log format: its /readyz, /metrics, /healthz and its log.
    `until`: what the first serve must achieve before it is scraped."""
    for fmt in ("text", "json"):
        log = str(tmp_path / f"serve-{fmt}.log")
        lifeline = Serve(
            endpoint, config, db, log, environment=spotting_env(), args=["--log-level", "trace", "--log-format", fmt]
        )
        try:
            wait_for(lambda serve=lifeline: passes(serve) > 0, 30, what="a pass")
            if until and fmt == "text":
                wait_for(until, 60, what="serve did its work with the easy-to-spot key")
            for path in ("/readyz", "/metrics", "/healthz"):
                assert_clean(f"serve ({fmt}) {path}", lifeline.get(path)[1])
        finally:
            lifeline.stop()
        assert_clean(f"serve's {fmt} log", lifeline.output())


def passes(lifeline):
    return sum(v for (name, _), v in lifeline.metrics().items() if name.endswith("reconcile_passes_total"))


@pytest.fixture
def spotting_sim(tmp_path):
    """The clean scale-out, with a simulator that knows the easy-to-spot key."""
    with open(os.path.join(ROOT, "fixtures", "scenarios", "clean-scale-out.json")) as f:
        spec = json.load(f)
    spec.setdefault("settings", {})["credentials"] = {ACCESS_KEY: SECRET_KEY}
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(spec))
    sim = Sim(str(path))
    yield sim
    sim.stop()


def test_no_secret_in_any_output_against_the_simulator(spotting_sim, tmp_path):
    config = write_config(tmp_path / "lifeline.yaml", queue_url(spotting_sim))
    db = str(tmp_path / "lifeline.db")
    # The key works against the simulator: serve completes the wave's actions with it.
    serve_and_scrape(spotting_sim, config, db, tmp_path, until=lambda: completions(spotting_sim))
    sweep(config, db, tmp_path, spotting_sim.url)


def test_no_secret_in_any_output_against_an_endpoint_that_echoes_the_request(tmp_path):
    config = write_config(tmp_path / "lifeline.yaml", "http://127.0.0.1:9/123456789012/lifeline-events")
    db = str(tmp_path / "lifeline.db")
    with Hostile("echo") as echo:
        serve_and_scrape(echo, config, db, tmp_path)
        sweep(config, db, tmp_path, echo.url)
        # The endpoint did receive the token and echo it back: else this test would prove nothing.
        assert any(SESSION_TOKEN in seen for seen in echo.seen), "the echoing endpoint never saw the token"
