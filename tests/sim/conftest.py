"""Fixtures: the built `lifeline sim` on a free loopback port, and real AWS clients pointed at it.

boto3 and the AWS CLI are clients nobody here wrote: what they accept is what AWS's own parsers
accept. Every simulator started here is stopped after its test.
"""

import json
import os
import subprocess
import time
import urllib.request

import boto3
import botocore.config
import pytest

# The `world` fixture (a simulator plus a lifeline config and journal) lives with the helpers that
# drive lifeline; registering it here makes it available to every test without an import.
pytest_plugins = ["lifeline_proc"]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("LIFELINE_BIN", os.path.join(ROOT, ".build", "debug", "lifeline"))
KEY, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


class Sim:
    def __init__(self, scenario=None, environment=None):
        args = [BINARY, "sim", "--listen", "127.0.0.1:0"]
        if scenario:
            args += ["--scenario", os.path.join(ROOT, "fixtures", "scenarios", scenario)]
        self.process = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=environment
        )
        self.url = self.process.stdout.readline().strip()
        assert self.url.startswith("http://127.0.0.1:"), f"simulator did not start: {self.url!r}"

    def client(self, service, key=KEY, secret=SECRET, retries=1):
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            config=botocore.config.Config(retries={"mode": "standard", "total_max_attempts": retries}),
        )

    def control(self, path, body=None):
        request = urllib.request.Request(
            self.url + "/_sim/" + path,
            data=None if body is None else json.dumps(body).encode(),
            method="GET" if body is None else "POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def state(self):
        return self.control("state")[1]

    def cli(self, *args):
        env = dict(
            os.environ,
            AWS_ACCESS_KEY_ID=KEY,
            AWS_SECRET_ACCESS_KEY=SECRET,
            AWS_DEFAULT_REGION="us-east-1",
            AWS_CONFIG_FILE="/dev/null",
            AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        )
        out = subprocess.run(
            ["aws", "--endpoint-url", self.url, "--output", "json", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout) if out.stdout.strip() else {}

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def sim():
    s = Sim()
    yield s
    s.stop()


@pytest.fixture
def scenario_sim(request):
    s = Sim(request.param)
    yield s
    s.stop()


def wait_for(predicate, timeout=15.0, interval=0.1, what="condition"):
    """Polls until `predicate()` is truthy; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
