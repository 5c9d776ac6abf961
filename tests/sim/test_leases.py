"""Several `lifeline serve` replicas sharing the deployment groups through DynamoDB leases (DESIGN
§11): moto's DynamoDB holds the lease table, the simulator is the rest of the account. Outcomes are
counted, never timed: which replica holds what, actions expired, deployments per group.
"""

import json
import subprocess
import time
from datetime import UTC, datetime

import pytest
from conftest import BINARY, Sim, wait_for
from drills import config, scenario
from lifeline_proc import Serve, completions, env, events, lifeline_deployments, queue_url

GROUPS, NEW, HOOK = 4, 3, 30


@pytest.fixture
def moto():
    """moto's server on a free loopback port (DynamoDB only is used; signatures are checked by the
    conformance test, MotoConformanceTests)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    yield f"http://127.0.0.1:{port}"
    server.stop()


class Replicas:
    """A simulator with a generated wave, the lease table in moto, and named serve replicas."""

    def __init__(self, tmp_path, moto, new=NEW, deployment_seconds=20):
        path = tmp_path / "scenario.json"
        path.write_text(json.dumps(scenario(GROUPS, new, HOOK, deployment_seconds=deployment_seconds)))
        self.tmp, self.sim = tmp_path, Sim(str(path))
        # moto's state outlives one server in this process: a table per test.
        self.table = f"lifeline-leases-{tmp_path.name}"
        self.env = dict(env(), AWS_ENDPOINT_URL=self.sim.url, AWS_ENDPOINT_URL_DYNAMODB=moto)
        self.url = queue_url(self.sim)
        self.serves = {}
        created = self.lifeline("lease", "init", "--table", self.table)
        assert created.returncode == 0 and f"created table {self.table}" in created.stdout, created.stderr

    def lifeline(self, *args):
        return subprocess.run([BINARY, *args], env=self.env, capture_output=True, text=True, timeout=60)

    def start(self, owner):
        cfg = config(str(self.tmp / f"{owner}.yaml"), self.url, GROUPS, HOOK)
        with open(cfg, "a") as f:
            f.write(f"lease:\n  table: {self.table}\n  duration: 6s\n  owner: {owner}\n")
        self.serves[owner] = Serve(
            self.sim,
            cfg,
            str(self.tmp / f"{owner}.db"),
            str(self.tmp / f"{owner}.log"),
            environment=self.env,
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

    def close(self):
        for serve in self.serves.values():
            if serve.process.poll() is None:
                serve.process.kill()
                serve.process.wait(timeout=10)
        self.sim.stop()


@pytest.fixture
def replicas(tmp_path, moto):
    world = Replicas(tmp_path, moto)
    yield world
    world.close()


def groups_split_between(world, owners):
    held = world.owners()
    return len(held) == GROUPS and set(held.values()) == set(owners)


def test_a_replica_killed_mid_wave_hands_its_groups_over_without_an_expiry_or_a_second_deployment(replicas):
    world = replicas
    a = world.start("a")
    wait_for(lambda: groups_split_between(world, {"a"}), 60, interval=0.5, what="a, alone, holds every group")
    # a deploys to every group's new instances (20 s deployments, longer than a lease) ...
    wait_for(
        lambda: len({d["group"] for d in lifeline_deployments(world.sim)}) == GROUPS,
        60,
        interval=0.5,
        what="a follow-on deployment in every group",
    )
    granted = world.leases()
    # ... then b joins and gets its fair share (a gives two groups back), and a dies mid-wave.
    b = world.start("b")
    wait_for(lambda: groups_split_between(world, {"a", "b"}), 60, interval=0.5, what="the groups split over a and b")
    split = world.owners()
    assert sorted(split.values()) == ["a", "a", "b", "b"], split
    a.kill()
    killed = datetime.now(UTC).replace(microsecond=0)

    def settled():
        state = world.sim.state()
        waiting = [
            i for g in state["groups"] for i in g["instances"] if i["lifecycleState"] in ("Pending", "Pending:Wait")
        ]
        return not waiting and len(completions(world.sim)) >= GROUPS * NEW

    wait_for(settled, 180, interval=1, what="every new instance completed")
    after = world.leases()
    assert {group: row["owner"] for group, row in after.items()} == {f"shop/g{g}": "b" for g in range(GROUPS)}
    assert all(after[group]["fence"] > granted[group]["fence"] for group in after), (granted, after)
    done = completions(world.sim)
    assert [c for c in done if "timeout" in c["why"]] == [], "no action expired"
    assert all(c["result"] == "CONTINUE" for c in done)
    deployments = lifeline_deployments(world.sim)
    per_group = {}
    for d in deployments:
        per_group[d["group"]] = per_group.get(d["group"], 0) + 1
    assert max(per_group.values()) == 1, f"one deployment per group for the wave: {per_group}"
    # a's deployments carry a's fence; b tracked them to the end and made none of its own.
    fences = {str(row["fence"]) for row in granted.values()}
    assert all(d["description"].split(":")[-1] in fences for d in deployments), [d["description"] for d in deployments]
    assert "create-deployment" not in b.output()
    # b decided nothing for a's groups while a held them: its first decision there came after the kill.
    history = json.loads(world.lifeline("history", "--db", str(world.tmp / "b.db"), "--format", "json").stdout)
    early = [e for e in history if split[e["group"]] == "a" and datetime.fromisoformat(e["at"]) < killed]
    assert early == [], early
    assert {e["group"] for e in history if e["decision"] == "complete CONTINUE"} == set(split)


def test_sigterm_gives_the_leases_back_and_another_replica_takes_them_at_once(tmp_path, moto):
    world = Replicas(tmp_path, moto, new=0)
    try:
        a = world.start("a")
        wait_for(lambda: groups_split_between(world, {"a"}), 30, interval=0.5, what="a holds every group")
        b = world.start("b")
        wait_for(lambda: groups_split_between(world, {"a", "b"}), 30, interval=0.5, what="a gives b its share")
        assert a.stop() == 0
        # Released before exiting: no row of a's is left to expire.
        assert "a" not in world.owners().values()
        wait_for(lambda: groups_split_between(world, {"b"}), 30, interval=0.5, what="b takes a's groups")
        taken = [line for line in b.output().splitlines() if "took the lease of" in line]
        assert taken and not any("had expired" in line for line in taken), taken
        metrics = b.metrics()
        assert metrics[("lifeline_leases_held", frozenset())] == GROUPS
        assert metrics[("lifeline_leases_acquired_total", frozenset())] >= GROUPS
        assert b.stop() == 0
        assert world.owners() == {}
        assert not [e for e in events(world.sim, "lifecycle-complete")], "no wave: nothing to complete"
    finally:
        world.close()


def test_a_replica_holding_no_lease_stays_ready_and_acts_for_nothing(tmp_path, moto):
    import boto3

    world = Replicas(tmp_path, moto, new=2)
    try:
        # Another replica, z, holds every group for the next hour (and is alive).
        table = boto3.client(
            "dynamodb", endpoint_url=moto, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
        )
        expires = str(int(datetime.now(UTC).timestamp()) + 3600)
        for key in [f"shop/g{g}" for g in range(GROUPS)] + ["replica:z"]:
            table.put_item(
                TableName=world.table,
                Item={
                    "deployment_group": {"S": key},
                    "owner": {"S": "z"},
                    "fence": {"N": "7"},
                    "expires_at": {"N": expires},
                },
            )
        b = world.start("b")
        wait_for(
            lambda: b.metrics().get(("lifeline_reconcile_passes_total", frozenset({("outcome", "ok")})), 0) >= 1,
            60,
            interval=0.5,
            what="a pass",
        )
        time.sleep(3)  # a lease round or two more: still nothing taken
        status, body = b.get("/readyz")
        assert status == 200, body
        assert b.metrics()[("lifeline_leases_held", frozenset())] == 0
        assert set(world.owners().values()) == {"z"}
        history = json.loads(world.lifeline("history", "--db", str(tmp_path / "b.db"), "--format", "json").stdout)
        assert history == [], "no decision for a group z holds"
        assert completions(world.sim) == [] and lifeline_deployments(world.sim) == []
        assert b.stop() == 0
    finally:
        world.close()
