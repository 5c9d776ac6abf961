"""A simulator holding the benchmark's fleet (fleet.py), in its own process, for bench_fleet.py:
`with World(binary, groups, waiting) as world:` starts it, loads the fleet, waits until the
waiting instances hold in Pending:Wait, and stops it at the end."""

import collections
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime

import fleet

KEY, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
ENV = dict(
    os.environ,
    AWS_ACCESS_KEY_ID=KEY,
    AWS_SECRET_ACCESS_KEY=SECRET,
    AWS_REGION="us-east-1",
    AWS_DEFAULT_REGION="us-east-1",
    AWS_CONFIG_FILE="/dev/null",
    AWS_SHARED_CREDENTIALS_FILE="/dev/null",
    AWS_EC2_METADATA_DISABLED="true",
)
HERE = os.path.dirname(os.path.abspath(__file__))


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def event_time(event):
    return datetime.fromisoformat(event["time"].replace("Z", "+00:00")).timestamp()


class World:
    def __init__(self, binary, groups, waiting, settle_timeout=120):
        self.binary, self.groups, self.waiting, self.settle_timeout = binary, groups, waiting, settle_timeout

    def __enter__(self):
        # The simulator's own log, for a failure message (twice on 2026-12-05 a world of 1,000
        # groups did not settle: the scale steps stopped after some hundreds, with no event saying
        # why).
        self.sim_log = tempfile.TemporaryFile(mode="w+")
        self.sim = subprocess.Popen(
            [self.binary, "sim", "--listen", "127.0.0.1:0"],
            stdout=subprocess.PIPE,
            stderr=self.sim_log,
            text=True,
        )
        self.url = self.sim.stdout.readline().strip()
        self.queue_url = f"{self.url}/123456789012/lifeline-events"
        scenario = fleet.scenario(
            self.groups, in_service=10 - self.waiting, new=self.waiting, apps=10, deployment_seconds=600, headroom=1
        )
        self.control("scenario", scenario)
        deadline = time.monotonic() + self.settle_timeout
        while self.count("Pending:Wait") < self.groups * self.waiting or self.count("InService") < self.groups * (
            10 - self.waiting
        ):
            if time.monotonic() > deadline:
                groups = self.control("state")["groups"]
                states = collections.Counter(i["lifecycleState"] for g in groups for i in g["instances"])
                # The groups short of their instances, and every event naming the first of them.
                short = [g["name"] for g in groups if len(g["instances"]) < 10]
                all_events = self.control("events")
                named = [e for e in all_events if short and e.get("group") == short[0]]
                odd = [e for e in all_events if e.get("kind") in ("step-failed", "tick-late")]
                kinds = collections.Counter(e.get("kind") for e in all_events)
                alive = self.sim.poll() is None
                self.__exit__()
                self.sim_log.seek(0)
                sim_log = self.sim_log.read()[-3000:]
                sys.exit(
                    f"the simulator did not settle {self.groups} groups in {self.settle_timeout} s: "
                    f"instances by state {dict(states)}; {len(short)} groups short of 10 instances "
                    f"({short[:5]}); events of the first: {json.dumps(named)}; failed steps and late ticks: "
                    f"{json.dumps(odd[:20])}; events by kind ({len(all_events)} kept): {dict(kinds)}; "
                    f"simulator alive: {alive}; its log's end: {sim_log!r}; "
                    f"its last events: {json.dumps(all_events[-20:])}"
                )
            time.sleep(1)
        return self

    def __exit__(self, *_):
        if self.sim.poll() is None:
            self.sim.terminate()
        self.sim.wait(timeout=30)

    def control(self, path, body=None):
        if path == "calls/reset":
            self.sim_cpu = cpu_seconds(self.sim.pid)
        request = urllib.request.Request(
            self.url + "/_sim/" + path,
            data=None if body is None else json.dumps(body).encode(),
            method="GET" if body is None else "POST",
        )
        with urllib.request.urlopen(request, timeout=120) as r:
            return json.loads(r.read())

    def calls(self):
        return self.control("calls")

    def cpu_since_reset(self):
        return cpu_seconds(self.sim.pid) - self.sim_cpu

    def count(self, state):
        return sum(1 for g in self.control("state")["groups"] for i in g["instances"] if i["lifecycleState"] == state)

    def config_file(self, workdir, tag, groups, resync=None):
        path = os.path.join(workdir, f"lifeline-{tag}.yaml")
        with open(path, "w") as f:
            f.write(fleet.config(self.queue_url, groups, 10))
            if resync:
                f.write(f"resync_interval: {resync}s\n")
        return path

    def serve(self, workdir, groups, resync):
        config = self.config_file(workdir, "serve", groups, resync)
        self.control("calls/reset", {})
        log = open(os.path.join(workdir, f"serve-{resync or 60}.log"), "w")
        return subprocess.Popen(
            [self.binary, "serve", "--config", config, "--endpoint-url", self.url]
            + [
                "--db",
                os.path.join(workdir, "serve.db"),
                "--listen",
                "127.0.0.1:0",
                "--log-level",
                os.environ.get("LIFELINE_BENCH_LOG", "warning"),
            ],
            env=ENV,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def wait_settled(self, serve, timeout=120):
        """Until serve's first pass is over (it has read every deployment group since the last
        reset of the call counts) and its calls stop growing for 3 s."""
        deadline, last, still = time.monotonic() + timeout, -1, 0
        while still < 3:
            if serve.poll() is not None or time.monotonic() > deadline:
                sys.exit("serve did not settle over the fleet")
            calls = self.calls()
            total = sum(calls.values()) if calls.get("codedeploy.BatchGetDeploymentGroups", 0) >= 10 else 0
            still = still + 1 if total == last and total > 0 else 0
            last = total
            time.sleep(1)

    def wait_for_deployment(self, asg, dg, timeout):
        """The lifecycle action's message time and the CreateDeployment's, on the simulator's clock."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            events = self.control("events")
            sent = [e for e in events if e["kind"] == "lifecycle-action" and e.get("group") == asg]
            made = [e for e in events if e["kind"] == "create-deployment" and e.get("group", "").endswith("/" + dg)]
            if sent and made and event_time(made[-1]) >= event_time(sent[-1]):
                return event_time(sent[-1]), event_time(made[-1])
            # The times are the simulator's own; polling slowly keeps the event log's reads out of the measure.
            time.sleep(0.25)
        sys.exit(f"no CreateDeployment for {asg} within {timeout} s")


def first_request_ms(binary, workdir):
    """Milliseconds from spawning a one-shot reconcile to its first request reaching a loopback server."""
    script, log = os.path.join(workdir, "first.json"), os.path.join(workdir, "first.jsonl")
    with open(script, "w") as f:
        json.dump({"routes": [{"method": "*", "path": "*", "responses": [{"status": 500, "body": "{}"}]}]}, f)
    open(log, "w").close()
    server = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "loopback_server.py"), script, log, "--max-seconds", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # the reconcile it answers is killed mid-request
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{server.stdout.readline().strip()}"
        config = os.path.join(workdir, "first.yaml")
        with open(config, "w") as f:
            f.write(fleet.config(url + "/123456789012/q", 1, 1))
        with tempfile.TemporaryDirectory() as folder:
            start = time.time()
            process = subprocess.Popen(
                [binary, "reconcile", "--config", config, "--endpoint-url", url, "--db", os.path.join(folder, "l.db")],
                env=ENV,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and os.path.getsize(log) == 0:
                time.sleep(0.001)
            process.kill()
            process.wait()
        with open(log) as f:
            return (json.loads(f.readline())["at"] - start) * 1000
    finally:
        server.kill()
        server.wait()
