"""Loops, stale matches and the breaker (issue 6): `lifeline serve` in supervise mode against the
seed-004 detach race and the broken-revision deadlock, then `lifeline audit` and `lifeline breaker`."""

import json
import os

import pytest
from conftest import ROOT, Sim, wait_for
from lifeline_proc import (
    Serve,
    completions,
    iam_actions_called,
    in_service,
    lifeline_deployments,
    policy_actions,
    queue_url,
    run,
    settled,
    wait_settled,
    write_config,
)

SUPERVISE = (
    "    mode: supervise\n    allow: [open-breaker]\n    loop_breaker: {max_cycles: 3, window: 30m, result: continue}"
)


def failed_launches(sim):
    return [
        d for d in sim.state()["deployments"] if d["creator"] == "autoscaling" and d["status"] in ("Failed", "Stopped")
    ]


def breakers(sim, db):
    out = run("breaker", "status", "--format", "json", "--db", db)
    assert out.returncode == 0, out.stderr
    return {b["deploymentGroup"]: b for b in json.loads(out.stdout)}


def audit(sim, config, db, *args):
    return run("audit", "--config", config, "--db", db, "--endpoint-url", sim.url, *args)


@pytest.mark.parametrize("world", ["detach-race.json"], indirect=True)
def test_the_detach_race_loop_is_broken_and_the_ghost_reported(world):
    sim, serve, tmp = world
    lifeline = serve(extra=SUPERVISE)
    db = lifeline.db
    ghost = wait_for(lambda: next((i for i in sim.state()["instances"] if i["lingers"]), None), 10, what="the ghost")
    # While a launch deployment waits on the ghost, the pass's own reads count it stale in /metrics.
    wait_for(
        lambda: (
            (lifeline.metrics().get(("lifeline_stale_instances", frozenset({("deployment_group", "shop/prod")}))) or 0)
            >= 1
        ),
        60,
        interval=0.5,
        what="lifeline_stale_instances ≥ 1",
    )
    # The loop turns (launch → deployment waits on the ghost → fails → ABANDON → relaunch) until
    # lifeline has seen three turns in the window; then the breaker opens.
    wait_for(
        lambda: breakers(sim, db).get("shop/prod", {}).get("isOpen"), 90, interval=1, what="the loop breaker to open"
    )
    turns_at_open = len(failed_launches(sim))
    assert turns_at_open >= 3
    assert (
        "loop breaker opened: 3 launch → failed deployment → ABANDON → relaunch cycles within 30m" in lifeline.output()
    )
    # With the breaker open the waiting instance is continued and the group fills up.
    wait_settled(sim, 2, timeout=60)
    assert sim.control("calls")[1].get("autoscaling.CompleteLifecycleAction", 0) >= 1, (
        "lifeline continued the new instance"
    )
    # /metrics shows the open breaker (what an alert on the loop would watch).
    wait_for(
        lambda: (
            lifeline.metrics().get(("lifeline_loop_breaker_open", frozenset({("deployment_group", "shop/prod")}))) == 1
        ),
        10,
        what="lifeline_loop_breaker_open 1",
    )
    # Supervise with open-breaker: `lifeline iam-policy` allows every call made, and nothing own mode needs.
    called, allowed = iam_actions_called(lifeline.metrics()), policy_actions("--config", lifeline.config)
    assert called <= allowed, called - allowed
    assert "codedeploy:CreateDeployment" not in allowed and "autoscaling:PutLifecycleHook" not in allowed
    assert lifeline.stop() == 0
    # The loop stopped: at most the deployment that was running when the breaker opened ended after it.
    assert len([d for d in failed_launches(sim) if d["status"] == "Failed"]) <= turns_at_open + 1
    assert settled(sim, 2)

    out = audit(sim, lifeline.config, db, "--format", "json")
    assert out.returncode == 3, out.stderr
    report = json.loads(out.stdout)
    group = report["groups"][0]
    stale = {m["instanceID"]: m for m in group["matches"] if m["class"] == "stale"}
    assert ghost["id"] in stale and stale[ghost["id"]]["why"].startswith("terminated")
    kinds = {f["kind"] for f in group["findings"]}
    assert {"stale", "breaker-open"} <= kinds
    stale_finding = next(f for f in group["findings"] if f["kind"] == "stale" and f["subject"] == ghost["id"])
    assert any(
        c.startswith(
            "aws deploy update-deployment-group --application-name shop --current-deployment-group-name prod"
            " --ec2-tag-filters"
        )
        for c in stale_finding["remedy"]
    )
    # The live instances: healthy where a deployment succeeded on them; those the breaker continued
    # without one are unknown, and say so (no deployment of the group succeeded on them).
    live = [m for m in group["matches"] if m["class"] in ("healthy", "unknown")]
    assert sorted(m["instanceID"] for m in live) == sorted(in_service(sim))
    assert all("succeeded on it" in m["why"] for m in live if m["class"] == "unknown"), live

    # --only stale keeps the ghost and drops the healthy.
    only = json.loads(audit(sim, lifeline.config, db, "--format", "json", "--only", "stale").stdout)
    # The loop's abandoned instances are stale too, but later deployments passed them over: harmless.
    risky = [m["instanceID"] for m in only["groups"][0]["matches"] if m["risk"] == "risky"]
    assert risky == [ghost["id"]]
    assert all(m["class"] == "stale" for m in only["groups"][0]["matches"])

    # Reset closes the breaker; the journal says so.
    out = run("breaker", "reset", "shop/prod", "--db", db)
    assert out.returncode == 0 and "loop breaker closed" in out.stdout
    assert not breakers(sim, db)["shop/prod"]["isOpen"]
    history = run("history", "--db", db, "--group", "shop/prod").stdout
    assert "breaker open" in history and "breaker reset" in history


def scenario_with(tmp, name, **settings):
    """A copy of a scenario with some settings changed (e.g. slower deployments), as a file path."""
    scenario = json.load(open(os.path.join(ROOT, "fixtures", "scenarios", name)))
    scenario["settings"].update(settings)
    path = tmp / f"{len(list(tmp.iterdir()))}-{name}"
    path.write_text(json.dumps(scenario))
    return str(path)


def test_the_broken_revision_deadlock_ends_with_the_breaker_open_and_capacity_in_service(tmp_path):
    sim = Sim(
        scenario_with(tmp_path, "broken-revision.json", deploymentSeconds=4)
    )  # a launch deployment outlives the 1 s poll
    lifeline = None
    try:
        config = write_config(tmp_path / "lifeline.yaml", queue_url(sim), extra=SUPERVISE)
        lifeline = Serve(sim, config, str(tmp_path / "lifeline.db"), str(tmp_path / "serve.log"))
        wait_for(
            lambda: breakers(sim, lifeline.db).get("shop/prod", {}).get("isOpen"),
            90,
            interval=1,
            what="the loop breaker to open",
        )
        assert len(failed_launches(sim)) >= 3
        wait_settled(sim, 3, timeout=60)
        continued = [c for c in completions(sim) if c["result"] == "CONTINUE"]
        assert continued, "lifeline continued the instance CodeDeploy would have abandoned"
        assert lifeline.stop() == 0
        # Supervise mode: lifeline never deploys, so the broken revision was not pushed again by it.
        assert lifeline_deployments(sim) == []
        out = audit(sim, config, lifeline.db, "--format", "table")
        assert out.returncode == 3 and "breaker-open shop/prod" in out.stdout
    finally:
        if lifeline and lifeline.process.poll() is None:
            lifeline.process.kill()
        sim.stop()


@pytest.mark.parametrize("world", ["detach-race.json"], indirect=True)
def test_supervise_mode_without_allowances_only_reports(world):
    sim, serve, tmp = world
    lifeline = serve(extra="    mode: supervise")
    wait_for(lambda: len(failed_launches(sim)) >= 3, 60, interval=1, what="three turns of the loop")
    wait_for(
        lambda: "Supervise mode without allow: [open-breaker]: the breaker stays closed" in lifeline.output(),
        20,
        what="the loop reported",
    )
    assert lifeline.stop() == 0
    calls = sim.control("calls")[1]
    for mutating in (
        "autoscaling.CompleteLifecycleAction",
        "codedeploy.StopDeployment",
        "autoscaling.PutLifecycleHook",
        "codedeploy.CreateDeployment",
    ):
        assert calls.get(mutating, 0) == 0, mutating


@pytest.mark.parametrize("world", ["detach-race.json"], indirect=True)
def test_supervise_with_stop_stuck_continues_the_new_instance_and_stops_the_deployment_before_any_loop(world):
    sim, serve, tmp = world
    lifeline = serve(extra="    mode: supervise\n    allow: [stop-stuck]")
    wait_for(
        lambda: any(d["status"] == "Stopped" for d in sim.state()["deployments"]),
        30,
        interval=0.5,
        what="the stuck deployment stopped",
    )
    wait_settled(sim, 2, timeout=30)
    assert lifeline.stop() == 0
    launches = [d for d in sim.state()["deployments"] if d["creator"] == "autoscaling"]
    assert [d["status"] for d in launches] == ["Stopped"], (
        "no loop: the first launch deployment was stopped, nothing failed or relaunched"
    )
    assert [c["result"] for c in completions(sim)] == ["CONTINUE"], (
        "the deployed instance was continued before the stop, not abandoned by it"
    )
    assert "stopped deployment" in lifeline.output()


def test_the_audits_remedy_for_a_stuck_deployment_runs_as_printed_with_the_aws_cli(tmp_path):
    """Without lifeline running: audit finds the deployment that waits on the ghost; its printed
    commands, run by the AWS CLI, continue the new instance and stop the deployment."""
    import shlex

    sim = Sim(scenario_with(tmp_path, "detach-race.json", agentTimeoutSeconds=60))  # time to run the commands
    try:
        db = str(tmp_path / "l.db")

        def stuck():
            out = run("audit", "--group", "shop/prod", "--db", db, "--endpoint-url", sim.url, "--format", "json")
            assert out.returncode in (0, 3), out.stderr
            return next(
                (f for f in json.loads(out.stdout)["groups"][0]["findings"] if f["kind"] == "stuck-deployment"), None
            )

        finding = wait_for(stuck, 30, interval=0.5, what="the stuck deployment in the audit")
        for command in finding["remedy"]:
            words = shlex.split(command)
            assert words[0] == "aws"
            sim.cli(*words[1:])
        deployment = next(d for d in sim.state()["deployments"] if d["id"] == finding["subject"])
        assert deployment["status"] == "Stopped"
        assert [c["result"] for c in completions(sim)] == ["CONTINUE"]
        wait_settled(sim, 2, timeout=20)
    finally:
        sim.stop()


def test_bad_allowances_and_bad_audit_input_are_one_line_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "groups:\n  - application: shop\n    deployment_group: prod\n    mode: supervise\n    allow: [stop]\n"
    )
    out = run("audit", "--config", str(bad), "--endpoint-url", "http://127.0.0.1:9")
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        f"lifeline audit: {bad}:5: groups[0].allow: 'stop' is not one of abandon-gone, stop-stuck, open-breaker"
    ]
    bad.write_text("groups:\n  - application: shop\n    deployment_group: prod\n    allow: [stop-stuck]\n")
    out = run("reconcile", "--config", str(bad), "--endpoint-url", "http://127.0.0.1:9")
    assert out.returncode == 1 and "groups[0].allow: applies to mode: supervise only" in out.stderr
    out = run("audit", "--group", "shop/prod", "--format", "pdf", "--endpoint-url", "http://127.0.0.1:9")
    assert (
        out.returncode == 1
        and out.stderr.strip()
        == "lifeline: The value 'pdf' is invalid for '--format <format>'."
        " Please provide one of 'table', 'json', 'csv' or 'html'. See `lifeline audit --help`."
    )
    out = run("breaker", "reset", "prod", "--db", str(tmp_path / "l.db"))
    assert (
        out.returncode == 1 and out.stderr.strip() == "lifeline breaker reset: prod is not APP/GROUP (e.g. shop/prod)"
    )
    out = run("breaker", "status", "--db", str(tmp_path / "l.db"))
    assert out.returncode == 0 and out.stdout.strip() == "no breakers on record"


@pytest.mark.parametrize("world", ["clean-scale-out.json"], indirect=True)
def test_auditing_a_deployment_group_codedeploy_does_not_know_is_an_error(world):
    sim, _, tmp = world
    out = run("audit", "--group", "shop/nope", "--db", str(tmp / "l.db"), "--endpoint-url", sim.url)
    assert out.returncode == 1
    assert (
        out.stderr.strip() == "lifeline audit: CodeDeploy does not know shop/nope in this account and region;"
        " check the group name and --region"
    )


@pytest.mark.parametrize("world", ["clean-scale-out.json"], indirect=True)
def test_a_clean_group_audits_clean_in_every_format(world):
    sim, serve, tmp = world
    lifeline = serve()
    wait_settled(sim, 4, timeout=30)
    assert lifeline.stop() == 0
    for fmt in ("table", "json", "csv", "html"):
        out = audit(sim, lifeline.config, lifeline.db, "--format", fmt)
        assert out.returncode == 0, (fmt, out.stdout[-2000:], out.stderr)
    table = audit(sim, lifeline.config, lifeline.db).stdout
    assert table.rstrip().endswith("clean") and table.count(" healthy ") == 4
