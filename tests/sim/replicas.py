"""Several `lifeline serve` replicas sharing deployment groups through DynamoDB leases (DESIGN §11):
moto's DynamoDB holds the lease table, the simulator is the rest of the account. Each replica signs
with its own key, so the simulator's records say which replica made each call. Used by
tests/sim/test_leases.py and, at full size, by `scripts/drill failover`.
"""

import collections
import json
import os
import re
import sqlite3
import subprocess
from datetime import datetime

from conftest import BINARY, Sim, wait_for
from drills import config, scenario
from lifeline_proc import Serve, completions, env, events, queue_url

SECRET = "replica-secret-key"


def start_moto():
    """moto's server on a free loopback port, in this process; returns (url, stop)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    return f"http://127.0.0.1:{port}", server.stop


def key(owner):
    return f"AKIDREPLICA{owner.upper()}"


def replica_deployments(sim):
    """The CreateDeployment calls a replica made (the scenario's own deployments have no caller)."""
    return [e for e in events(sim, "create-deployment") if e["caller"].startswith("AKIDREPLICA")]


class Replicas:
    """A simulator with a generated wave (`new` instances per group, launched one second in), the
    lease table in moto, and named serve replicas."""

    def __init__(self, tmp, moto, groups=4, new=3, hook=30, deployment_seconds=20, duration="6s", owners="abc"):
        self.tmp, self.groups, self.new, self.hook, self.duration = str(tmp), groups, new, hook, duration
        spec = scenario(groups, new, hook, deployment_seconds=deployment_seconds)
        spec["settings"]["credentials"] = {key(o): SECRET for o in owners}
        path = os.path.join(self.tmp, "scenario.json")
        with open(path, "w") as f:
            json.dump(spec, f)
        self.sim = Sim(path)
        # moto's state outlives one server in a process: a table per world.
        self.table = "lifeline-leases-" + os.path.basename(self.tmp)[-40:].replace("_", "-")
        self.env = dict(env(), AWS_ENDPOINT_URL=self.sim.url, AWS_ENDPOINT_URL_DYNAMODB=moto)
        self.url = queue_url(self.sim)
        self.serves = {}
        created = self.lifeline("lease", "init", "--table", self.table)
        assert created.returncode == 0 and f"created table {self.table}" in created.stdout, created.stderr

    def lifeline(self, *args):
        return subprocess.run([BINARY, *args], env=self.env, capture_output=True, text=True, timeout=60)

    def config_path(self, owner):
        return os.path.join(self.tmp, f"{owner}.yaml")

    def start(self, owner, dynamodb=None):
        """Starts replica `owner`; `dynamodb` sends its lease calls elsewhere (a proxy)."""
        cfg = config(self.config_path(owner), self.url, self.groups, self.hook)
        with open(cfg, "a") as f:
            f.write(f"lease:\n  table: {self.table}\n  duration: {self.duration}\n  owner: {owner}\n")
        environment = dict(self.env, AWS_ACCESS_KEY_ID=key(owner), AWS_SECRET_ACCESS_KEY=SECRET)
        if dynamodb:
            environment["AWS_ENDPOINT_URL_DYNAMODB"] = dynamodb
        self.serves[owner] = Serve(
            self.sim,
            cfg,
            os.path.join(self.tmp, f"{owner}.db"),
            os.path.join(self.tmp, f"{owner}.log"),
            environment=environment,
            endpoint_flag=False,
        )
        return self.serves[owner]

    def leases(self):
        """Deployment group → its lease row, as `lifeline lease status` shows it."""
        out = self.lifeline("lease", "status", "--table", self.table, "--format", "json")
        assert out.returncode == 0, out.stderr
        return {row["deploymentGroup"]: row for row in json.loads(out.stdout)}

    def owners(self):
        return {group: row["owner"] for group, row in self.leases().items()}

    def split_between(self, owners):
        held = self.owners()
        return len(held) == self.groups and set(held.values()) == set(owners)

    def settled(self):
        """No instance waits, and every launched one was completed."""
        state = self.sim.state()
        waiting = [
            i for g in state["groups"] for i in g["instances"] if i["lifecycleState"] in ("Pending", "Pending:Wait")
        ]
        return not waiting and len(completions(self.sim)) >= self.groups * self.new

    def outcomes(self):
        """Counts only, as the other drills: from the simulator's records and each replica's journal."""
        done = completions(self.sim)
        by_token = collections.Counter(c["token"] for c in done)
        created = replica_deployments(self.sim)
        per_group = collections.Counter(e["group"] for e in created)
        integrity, opened = set(), 0
        for owner in self.serves:
            with sqlite3.connect(os.path.join(self.tmp, f"{owner}.db")) as db:
                integrity.add(db.execute("PRAGMA integrity_check").fetchone()[0])
                opened += db.execute("SELECT COUNT(*) FROM breaker WHERE opened_at IS NOT NULL").fetchone()[0]
        state = self.sim.state()
        running = [i for i in state["instances"] if i["state"] == "running"]
        return {
            "instances launched": sum(1 for i in state["instances"]) - 2 * self.groups,
            "actions expired": sum(1 for c in done if "timeout" in c["why"]),
            "completed twice": sum(1 for n in by_token.values() if n > 1),
            "abandoned": sum(1 for c in done if c["result"] == "ABANDON"),
            "max deployments per group": max(per_group.values(), default=0),
            "not on the last good revision": sum(
                1 for i in running if "app-1.zip" not in " ".join(i["revisions"].values())
            ),
            "breakers opened": opened,
            "integrity_check": "ok" if integrity == {"ok"} else ",".join(sorted(integrity)),
        }

    def took(self, owner):
        """(group, time) of each lease `owner` took, from its log."""
        found = []
        for line in self.serves[owner].output().splitlines():
            m = re.match(r"(\S+Z) .*took the lease of (\S+)", line)
            if m:
                found.append((m.group(2), datetime.fromisoformat(m.group(1))))
        return found

    def close(self):
        for serve in self.serves.values():
            if serve.process.poll() is None:
                serve.process.kill()
                serve.process.wait(timeout=10)
        self.sim.stop()


def failover(tmp, moto, replicas=3, groups=10, per_group=20, hook=60, duration="10s", timeout=900):
    """`replicas` replicas share `groups` groups; once every group's deployment is under way, the
    replica holding the most leases is SIGKILLed. Returns the drill's counts, plus how many of its
    groups the others took and how long the slowest takeover took (reported, not judged)."""
    owners = "abcdefgh"[:replicas]
    world = Replicas(tmp, moto, groups=groups, new=per_group, hook=hook, deployment_seconds=30, duration=duration)
    try:
        for owner in owners:
            world.start(owner)
        wait_for(lambda: world.split_between(set(owners)), 120, interval=0.5, what="every replica holding its share")
        wait_for(
            lambda: len({e["group"] for e in replica_deployments(world.sim)}) == groups,
            240,
            interval=0.5,
            what="a follow-on deployment in every group",
        )
        held = collections.Counter(world.owners().values())
        victim = held.most_common(1)[0][0]
        lost = sorted(g for g, o in world.owners().items() if o == victim)
        world.serves[victim].kill()
        killed = datetime.now().astimezone()
        wait_for(world.settled, timeout, interval=1, what="every new instance completed")
        after = world.owners()
        taken = {g: t for o in owners if o != victim for g, t in world.took(o) if g in lost and t >= killed}
        out = world.outcomes()
        out.update(
            {
                "groups of the killed replica": len(lost),
                "taken over by the others": sum(1 for g in lost if after.get(g) not in (None, victim)),
                "slowest takeover (s, reported)": round(max((t - killed).total_seconds() for t in taken.values()))
                if taken
                else "-",
            }
        )
        return out
    finally:
        world.close()
