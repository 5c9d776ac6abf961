"""The built `lifeline serve` / `lifeline reconcile` against a simulator: config, process, and what to look at."""

import json
import os
import re
import signal
import subprocess
import urllib.error
import urllib.request

import pytest
from conftest import BINARY, KEY, SECRET, Sim, wait_for
from prometheus_client.parser import text_string_to_metric_families

ROLE = "arn:aws:iam::123456789012:role/lifeline-hook"


def env():
    return dict(
        os.environ,
        AWS_ACCESS_KEY_ID=KEY,
        AWS_SECRET_ACCESS_KEY=SECRET,
        AWS_REGION="us-east-1",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        AWS_MAX_ATTEMPTS="5",
        # The simulator's hooks may be shorter than AWS's 30 s minimum; lifeline refuses them otherwise.
        LIFELINE_ALLOW_SHORT_HOOKS="1",
    )


def write_config(path, queue_url, groups=(("shop", "prod"),), heartbeat="300s", resync="2s", poll="1s", extra=""):
    lines = [
        f"queue_url: {queue_url}" if queue_url else "",
        f"resync_interval: {resync}",
        f"poll_interval: {poll}",
        "groups:",
    ]
    for app, dg in groups:
        lines += [
            f"  - application: {app}",
            f"    deployment_group: {dg}",
            f"    hook: {{heartbeat_timeout: {heartbeat}, role_arn: {ROLE}}}",
        ]
        if extra:
            lines.append(extra)
    path.write_text("\n".join(lines) + "\n")
    return str(path)


class Serve:
    """`lifeline serve` in the background; its log in a file. Every instance is stopped by its test."""

    def __init__(self, sim, config, db, log, environment=None, args=(), endpoint_flag=True):
        """`endpoint_flag=False`: no --endpoint-url, so the environment's AWS_ENDPOINT_URL_<SERVICE>
        can send one service elsewhere (DynamoDB to moto)."""
        self.sim, self.config, self.db, self.log_path = sim, config, db, log
        self.environment = environment or env()
        self.args = list(args)
        self.endpoint_flag = endpoint_flag
        self.process = None
        self.start()

    def start(self):
        self.log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [
                BINARY,
                "serve",
                "--config",
                self.config,
                *(["--endpoint-url", self.sim.url] if self.endpoint_flag else []),
                "--db",
                self.db,
                "--listen",
                "127.0.0.1:0",
                *self.args,
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=self.environment,
        )

    def status_url(self):
        """Where this process's /healthz, /readyz and /metrics listen (its log says, once bound)."""
        return wait_for(
            lambda: ([None] + re.findall(r"listening on (http://127\.0\.0\.1:\d+)", self.output()))[-1],
            20,
            what="serve's listening line",
        )

    def get(self, path):
        """(status, body) of GET path on the status listener."""
        try:
            with urllib.request.urlopen(self.status_url() + path, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def metrics(self):
        """/metrics parsed by prometheus_client: {(name, frozenset(labels)): value}."""
        status, body = self.get("/metrics")
        assert status == 200, body
        return {
            (s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(body)
            for s in family.samples
        }

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.log.close()

    def stop(self):
        """SIGTERM: in-flight calls finish, exit 0."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired as timeout:
                self.process.kill()
                raise AssertionError("lifeline serve did not stop within 40s of SIGTERM") from timeout
        self.log.close()
        return self.process.returncode

    def output(self):
        with open(self.log_path) as f:
            return f.read()


def run(*args, timeout=60):
    return subprocess.run([BINARY, *args], env=env(), capture_output=True, text=True, timeout=timeout)


def iam_actions_called(metrics):
    """The IAM actions behind the calls serve counted in lifeline_aws_calls_total."""
    batch = {"DeleteMessageBatch": "DeleteMessage", "ChangeMessageVisibilityBatch": "ChangeMessageVisibility"}
    return {
        f"{d['service']}:{batch.get(d['operation'], d['operation'])}"
        for name, labels in metrics
        if name == "lifeline_aws_calls_total"
        for d in [dict(labels)]
    }


def policy_actions(*args):
    """Every action `lifeline iam-policy ARGS` allows."""
    out = run("iam-policy", *args)
    assert out.returncode == 0, out.stderr
    return {a for s in json.loads(out.stdout)["Statement"] for a in s["Action"]}


# What the simulated account shows.


def instances(sim, group="shop-prod"):
    return [i for g in sim.state()["groups"] if g["name"] == group for i in g["instances"]]


def in_service(sim, group="shop-prod"):
    return [i["id"] for i in instances(sim, group) if i["lifecycleState"] == "InService"]


def events(sim, kind):
    return [e for e in sim.control("events")[1] if e["kind"] == kind]


def completions(sim):
    return events(sim, "lifecycle-complete")


def lifeline_deployments(sim):
    return [d for d in sim.state()["deployments"] if (d.get("description") or "").startswith("lifeline:")]


def settled(sim, capacity, group="shop-prod"):
    """The group holds `capacity` instances, all InService, none waiting."""
    members = instances(sim, group)
    live = [i for i in members if i["lifecycleState"] in ("Pending", "Pending:Wait", "Pending:Proceed", "InService")]
    return len(live) == capacity and all(i["lifecycleState"] == "InService" for i in live)


def wait_settled(sim, capacity, timeout=60, group="shop-prod"):
    wait_for(lambda: settled(sim, capacity, group), timeout, interval=0.25, what=f"{group} at {capacity} InService")


def no_timeouts(sim):
    """No action ended at its hook's timeout: lifeline completed each one."""
    return [c for c in completions(sim) if "timeout" in c["why"]]


def queue_url(sim, name="lifeline-events"):
    return sim.client("sqs", retries=10).get_queue_url(QueueName=name)["QueueUrl"]


@pytest.fixture
def world(request, tmp_path):
    """A simulator with the test's scenario, and a way to start lifeline serve against it."""
    sim = Sim(request.param)
    started = []

    def serve(**config):
        path = write_config(tmp_path / "lifeline.yaml", queue_url(sim), **config)
        s = Serve(sim, path, str(tmp_path / "lifeline.db"), str(tmp_path / "serve.log"))
        started.append(s)
        return s

    yield sim, serve, tmp_path
    for s in started:
        if s.process.poll() is None:
            s.process.kill()
            s.process.wait()
        # pytest shows a test's captured output only when it fails: then serve's log is there to read.
        print(f"--- {s.log_path}, last 80 lines ---")
        print("\n".join(s.output().splitlines()[-80:]))
    print_simulator(sim)
    sim.stop()


def print_simulator(sim):
    """What the simulator saw (its calls and its last 60 events): shown with a failed test's output."""
    try:
        print("--- simulator calls ---")
        print(json.dumps(sim.control("calls")[1], sort_keys=True))
        print("--- simulator events, last 60 ---")
        for event in sim.control("events")[1][-60:]:
            print(json.dumps(event, sort_keys=True))
    except OSError as e:
        print(f"(the simulator did not answer: {e})")
