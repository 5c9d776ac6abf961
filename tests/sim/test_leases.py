"""Several `lifeline serve` replicas sharing the deployment groups through DynamoDB leases (DESIGN
§11), against moto's DynamoDB and the simulator (tests/sim/replicas.py). Outcomes are counted,
never timed: which replica holds what, which replica made which call, actions expired,
deployments per group.
"""

import json
import signal
import socket
import threading
import time
from datetime import UTC, datetime

import boto3
import drills
import pytest
from conftest import wait_for
from lifeline_proc import completions, events
from replicas import Replicas, failover, key, replica_deployments, start_moto


@pytest.fixture
def moto():
    url, stop = start_moto()
    yield url
    stop()


@pytest.fixture
def world(request, tmp_path, moto):
    replicas = Replicas(tmp_path, moto, **getattr(request, "param", {}))
    yield replicas
    replicas.close()


def history(world, owner):
    out = world.lifeline("history", "--db", f"{world.tmp}/{owner}.db", "--format", "json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_failover_a_killed_replica_s_groups_are_taken_over_with_nothing_expired_or_deployed_twice(tmp_path, moto):
    out = failover(tmp_path, moto, replicas=3, groups=4, per_group=3, hook=30, duration="6s", timeout=240)
    assert drills.problems(out, launched=12) == [], out
    assert out["taken over by the others"] == out["groups of the killed replica"] >= 1, out


@pytest.mark.parametrize("world", [{"owners": "ab"}], indirect=True)
def test_a_killed_replica_s_deployments_are_tracked_by_its_successor_not_made_again(world):
    a = world.start("a")
    wait_for(lambda: world.split_between({"a"}), 60, interval=0.5, what="a, alone, holds every group")
    # a deploys to every group's new instances (20 s deployments, longer than a lease) ...
    wait_for(
        lambda: len({e["group"] for e in replica_deployments(world.sim)}) == world.groups,
        60,
        interval=0.5,
        what="a follow-on deployment in every group",
    )
    granted = world.leases()
    # ... then b joins and gets its fair share (a gives two groups back), and a dies mid-wave.
    b = world.start("b")
    wait_for(lambda: world.split_between({"a", "b"}), 60, interval=0.5, what="the groups split over a and b")
    split = world.owners()
    assert sorted(split.values()) == ["a", "a", "b", "b"], split
    a.kill()
    killed = datetime.now(UTC).replace(microsecond=0)
    wait_for(world.settled, 180, interval=1, what="every new instance completed")
    after = world.leases()
    assert {group: row["owner"] for group, row in after.items()} == {f"shop/g{g}": "b" for g in range(world.groups)}
    assert all(after[group]["fence"] > granted[group]["fence"] for group in after), (granted, after)
    out = world.outcomes()
    assert out["actions expired"] == 0 and out["completed twice"] == 0 and out["max deployments per group"] == 1, out
    # a's deployments carry a's fence; b tracked them to the end and made none of its own.
    created = replica_deployments(world.sim)
    assert {e["caller"] for e in created} == {key("a")}
    fences = {str(row["fence"]) for row in granted.values()}
    descriptions = [
        d["description"] for d in world.sim.state()["deployments"] if d["description"].startswith("lifeline:")
    ]
    assert descriptions and all(d.split(":")[-1] in fences for d in descriptions), descriptions
    # b decided nothing for a's groups while a held them: its first decision there came after the kill.
    early = [e for e in history(world, "b") if split[e["group"]] == "a" and datetime.fromisoformat(e["at"]) < killed]
    assert early == [], early
    assert {e["group"] for e in history(world, "b") if e["decision"] == "complete CONTINUE"} == set(split)
    assert b.metrics()[("lifeline_leases_lost_total", frozenset())] == 0


@pytest.mark.parametrize("world", [{"new": 0, "owners": "ab"}], indirect=True)
def test_sigterm_gives_the_leases_back_and_another_replica_takes_them_at_once(world):
    a = world.start("a")
    wait_for(lambda: world.split_between({"a"}), 30, interval=0.5, what="a holds every group")
    b = world.start("b")
    wait_for(lambda: world.split_between({"a", "b"}), 30, interval=0.5, what="a gives b its share")
    assert a.stop() == 0
    # Released before exiting: no row of a's is left to expire.
    assert "a" not in world.owners().values()
    wait_for(lambda: world.split_between({"b"}), 30, interval=0.5, what="b takes a's groups")
    taken = [line for line in b.output().splitlines() if "took the lease of" in line]
    assert taken and not any("had expired" in line for line in taken), taken
    metrics = b.metrics()
    assert metrics[("lifeline_leases_held", frozenset())] == world.groups
    assert metrics[("lifeline_leases_acquired_total", frozenset())] >= world.groups
    assert b.stop() == 0
    assert world.owners() == {}


@pytest.mark.parametrize("world", [{"new": 2, "owners": "b"}], indirect=True)
def test_a_replica_holding_no_lease_stays_ready_and_acts_for_nothing(world, moto):
    # Another replica, z, holds every group for the next hour (and is alive).
    table = boto3.client(
        "dynamodb", endpoint_url=moto, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )
    expires = str(int(datetime.now(UTC).timestamp()) + 3600)
    for name in [f"shop/g{g}" for g in range(world.groups)] + ["replica:z"]:
        table.put_item(
            TableName=world.table,
            Item={
                "deployment_group": {"S": name},
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
    assert history(world, "b") == [], "no decision for a group z holds"
    assert completions(world.sim) == [] and replica_deployments(world.sim) == []
    assert b.stop() == 0


@pytest.mark.parametrize("world", [{"groups": 30, "new": 0, "owners": "abc"}], indirect=True)
def test_three_replicas_share_thirty_groups_between_8_and_12_each(world):
    for owner in "abc":
        world.start(owner)
    wait_for(lambda: world.split_between(set("abc")), 60, interval=0.5, what="every replica holding groups")

    def balanced():
        counts = sorted(list(world.owners().values()).count(o) for o in "abc")
        return len(world.owners()) == 30 and 8 <= counts[0] and counts[-1] <= 12

    wait_for(balanced, 60, interval=0.5, what="8 to 12 groups each")


class Proxy:
    """A TCP forwarder to `target` on a free loopback port; `close()` refuses every connection from
    then on, as a partition from DynamoDB would."""

    def __init__(self, target):
        host, port = target.rsplit("/", 1)[-1].split(":")
        self.target = (host, int(port))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.open = True
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while self.open:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pipe, args=(a, b), daemon=True).start()

    def pipe(self, a, b):
        try:
            while self.open and (data := a.recv(65536)):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.close()
                except OSError:
                    pass

    def close(self):
        self.open = False
        self.listener.close()


@pytest.mark.parametrize("world", [{"new": 0, "owners": "ab"}], indirect=True)
def test_a_replica_cut_off_from_dynamodb_stops_acting_and_another_takes_over(world, moto):
    proxy = Proxy(moto)
    try:
        a = world.start("a", dynamodb=proxy.url)
        wait_for(lambda: world.split_between({"a"}), 30, interval=0.5, what="a holds every group")
        world.start("b")
        wait_for(lambda: world.split_between({"a", "b"}), 30, interval=0.5, what="a gives b its share")
        proxy.close()
        wait_for(lambda: world.split_between({"b"}), 60, interval=0.5, what="b takes a's groups")
        wait_for(
            lambda: a.metrics()[("lifeline_leases_held", frozenset())] == 0,
            30,
            interval=0.5,
            what="a holding nothing",
        )
        assert a.metrics()[("lifeline_leases_lost_total", frozenset())] == 2
        assert "not acting for it" in a.output()
    finally:
        proxy.close()


@pytest.mark.parametrize("world", [{"new": 3, "owners": "ab", "deployment_seconds": 30}], indirect=True)
def test_a_paused_replica_makes_no_call_for_a_group_it_no_longer_holds(world):
    a = world.start("a")
    wait_for(lambda: world.split_between({"a"}), 60, interval=0.5, what="a holds every group")
    world.start("b")
    wait_for(lambda: world.split_between({"a", "b"}), 60, interval=0.5, what="the groups split over a and b")
    wait_for(
        lambda: len({e["group"] for e in replica_deployments(world.sim)}) == world.groups,
        60,
        interval=0.5,
        what="a follow-on deployment in every group",
    )
    a_groups = {g for g, o in world.owners().items() if o == "a"}
    a.process.send_signal(signal.SIGSTOP)
    wait_for(lambda: world.split_between({"b"}), 60, interval=0.5, what="b takes the paused replica's groups")
    paused_until = datetime.now(UTC)
    a.process.send_signal(signal.SIGCONT)
    wait_for(world.settled, 180, interval=1, what="every new instance completed")
    # After it woke, a called AWS for one of those groups only once it held the group again.
    retaken = {g: t for g, t in world.took("a") if t >= paused_until.replace(microsecond=0)}
    groups_of = {f"shop-g{g[len('shop/g') :]}": g for g in a_groups}
    for attempt in events(world.sim, "lifecycle-attempt"):
        group = groups_of.get(attempt["group"])
        if attempt["caller"] != key("a") or group is None:
            continue
        at = datetime.fromisoformat(attempt["time"])
        if at >= paused_until.replace(microsecond=0):
            assert group in retaken and at >= retaken[group], (attempt, retaken)
    assert world.outcomes()["actions expired"] == 0


def test_a_missing_lease_table_says_how_to_create_it(moto):
    import os
    import subprocess

    from conftest import BINARY
    from lifeline_proc import env

    out = subprocess.run(
        [BINARY, "lease", "status", "--table", "no-such-table"],
        env=dict(env(), AWS_ENDPOINT_URL_DYNAMODB=moto, PATH=os.environ["PATH"]),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 1
    assert out.stderr.strip() == (
        "lifeline lease status: lease table no-such-table does not exist in this account and region: create it "
        "with lifeline lease init --table no-such-table"
    )
