"""`lifeline serve` and `lifeline reconcile`, built, against the simulator: one test per scenario (issue 5)."""

import collections
import json
import os
import random
import time

import pytest
from conftest import ROOT, Sim, wait_for
from lifeline_proc import (
    Serve,
    completions,
    events,
    in_service,
    instances,
    lifeline_deployments,
    no_timeouts,
    queue_url,
    run,
    wait_settled,
    write_config,
)


def by_token(sim):
    return collections.Counter(c["token"] for c in completions(sim))


@pytest.mark.parametrize("world", ["clean-scale-out.json"], indirect=True)
def test_clean_scale_out_is_deployed_and_continued(world):
    sim, serve, _ = world
    lifeline = serve()
    wait_settled(sim, 4, timeout=30)
    assert lifeline.stop() == 0
    done = completions(sim)
    assert [c["result"] for c in done] == ["CONTINUE", "CONTINUE"] and all(
        c["why"] == "CompleteLifecycleAction" for c in done
    )
    created = lifeline_deployments(sim)
    assert len(created) == 1, "one follow-on deployment covers both new instances"
    assert created[0]["revision"].startswith("s3://shop-artifacts/app-1.zip")
    assert sorted(created[0]["targets"]) == sorted(c["instance"] for c in done)
    assert "complete CONTINUE" in lifeline.output()
    # The journal holds decisions, not the loop scan's bookmark ("0 loop cycles"): no breaker entry.
    history = json.loads(run("history", "--db", lifeline.db, "--format", "json").stdout)
    assert history and not [e for e in history if e["decision"].startswith("breaker")], history


@pytest.mark.parametrize("world", ["failed-launch.json"], indirect=True)
def test_a_failed_deployment_abandons_and_the_replacement_gets_the_last_good_revision(world):
    sim, serve, tmp_path = world
    wait_for(
        lambda: any(d["status"] == "Failed" for d in sim.state()["deployments"]), 10, what="the failed release of app-2"
    )
    lifeline = serve()
    wait_for(
        lambda: len([c for c in completions(sim) if c["result"] == "CONTINUE"]) >= 1,
        40,
        what="the replacement continued",
    )
    wait_settled(sim, 3, timeout=30)
    assert lifeline.stop() == 0
    results = [c["result"] for c in completions(sim)]
    assert results == ["ABANDON", "CONTINUE"], results
    created = lifeline_deployments(sim)
    assert len(created) == 2 and all(d["revision"].startswith("s3://shop-artifacts/app-1.zip") for d in created), (
        created
    )
    assert [d["status"] for d in created] == ["Failed", "Succeeded"]
    history = json.loads(run("history", "--db", str(tmp_path / "lifeline.db"), "--format", "json").stdout)
    good = [e for e in history if e["decision"] == "last-good-revision"]
    assert good and all("app-1.zip" in e["reason"] for e in good), "app-2's failure never became the last good revision"


@pytest.mark.parametrize("world", ["scale-out-during-deployment.json"], indirect=True)
def test_scale_out_during_a_deployment_gets_a_follow_on_deployment_after_it(world):
    sim, serve, _ = world
    lifeline = serve()
    wait_settled(sim, 4, timeout=60)
    assert lifeline.stop() == 0
    deployments = sim.state()["deployments"]
    release = next(d for d in deployments if d["description"] == "release in progress")
    follow_on = lifeline_deployments(sim)
    assert len(follow_on) == 1
    assert follow_on[0]["revision"].startswith("s3://shop-artifacts/app-2.zip"), (
        "the release that just succeeded is the last good revision"
    )
    created = {e["deployment"]: e["time"] for e in events(sim, "deployment-created")}
    ended = {e["deployment"]: e["time"] for e in events(sim, "deployment-ended")}
    assert created[follow_on[0]["id"]] >= ended[release["id"]], "the follow-on deployment starts after the release ends"
    assert [c["result"] for c in completions(sim)] == ["CONTINUE", "CONTINUE"]
    assert "waits for deployment" in lifeline.output()


@pytest.mark.parametrize("world", ["slow-deployment-short-hook.json"], indirect=True)
def test_heartbeats_keep_a_two_second_hook_alive_through_a_five_second_deployment(world):
    sim, serve, _ = world
    lifeline = serve(heartbeat="2s")
    wait_settled(sim, 2, timeout=30)
    assert lifeline.stop() == 0
    assert no_timeouts(sim) == []
    assert [c["result"] for c in completions(sim)] == ["CONTINUE"]
    beats = sim.control("calls")[1].get("autoscaling.RecordLifecycleActionHeartbeat", 0)
    assert beats >= 4, f"a 5 s deployment under a 2 s hook needs a heartbeat every second, saw {beats}"


@pytest.mark.parametrize("world", ["clean-scale-out.json"], indirect=True)
def test_a_lost_message_is_found_by_the_resync(world):
    sim, serve, _ = world
    wait_for(
        lambda: len([i for i in instances(sim) if i["lifecycleState"] == "Pending:Wait"]) == 2,
        10,
        what="two waiting instances",
    )
    sqs, url = sim.client("sqs"), queue_url(sim)
    sqs.purge_queue(QueueUrl=url)
    lifeline = serve()
    wait_settled(sim, 4, timeout=30)
    assert lifeline.stop() == 0
    assert [c["result"] for c in completions(sim)] == ["CONTINUE", "CONTINUE"]
    assert all(c["why"] == "CompleteLifecycleAction" for c in completions(sim))
    assert "no message reported it" in lifeline.output()


@pytest.mark.parametrize("world", ["clean-scale-out.json"], indirect=True)
def test_a_test_notification_and_a_malformed_message_do_not_disturb_the_others(world):
    sim, serve, _ = world
    sqs, url = sim.client("sqs"), queue_url(sim)
    sqs.send_message(
        QueueUrl=url,
        MessageBody=json.dumps({"Event": "autoscaling:TEST_NOTIFICATION", "AutoScalingGroupName": "shop-prod"}),
    )
    bad = sqs.send_message(QueueUrl=url, MessageBody="{this is not json")["MessageId"]
    foreign = json.dumps(
        {
            "LifecycleHookName": "their-hook",
            "LifecycleTransition": "autoscaling:EC2_INSTANCE_LAUNCHING",
            "AutoScalingGroupName": "not-ours",
            "EC2InstanceId": "i-0123456789abcdef0",
            "LifecycleActionToken": "c613620e-07e2-4ed2-a9e2-ef8258911ade",
        }
    )
    sqs.send_message(QueueUrl=url, MessageBody=foreign)
    lifeline = serve()
    wait_settled(sim, 4, timeout=30)
    assert [c["result"] for c in completions(sim)] == ["CONTINUE", "CONTINUE"]
    wait_for(
        lambda: f"deleting unreadable message {bad} after 3 receives" in lifeline.output(),
        30,
        what="the malformed message deleted at its third receive",
    )
    assert lifeline.stop() == 0
    log = lifeline.output()
    assert f"unreadable message {bad} (receive 1 of 3)" in log
    assert "test notification for shop-prod acknowledged" in log
    # Only the message for a group lifeline does not manage is left, for its owner.
    # lifeline released it hidden for 30 s (more on later receives), so that a redrive policy does
    # not send it to the dead-letter queue within seconds.
    left = wait_for(
        lambda: sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages"),
        75,
        what="the foreign message",
    )
    assert [m["Body"] for m in left] == [foreign]


@pytest.mark.parametrize("world", ["scale-out-wave.json"], indirect=True)
def test_sigkill_in_the_middle_of_a_wave_then_restart_completes_every_action_once(world):
    sim, serve, _ = world
    # Each of these calls is held open after the simulator counted it, and takes effect even when
    # its caller is gone: the kills below land inside the CreateDeployment and
    # CompleteLifecycleAction windows, where the effect happened and lifeline never saw the answer.
    sim.control("faults", {"latencyMsByOperation": {"CreateDeployment": 1500, "CompleteLifecycleAction": 700}})

    def calls(operation):
        return sim.control("calls")[1].get(operation, 0)

    rng = random.Random(5)
    lifeline = serve()
    wait_for(lambda: calls("codedeploy.CreateDeployment") >= 1, 20, interval=0.02, what="CreateDeployment sent")
    lifeline.kill()
    assert lifeline_deployments(sim) == [], "killed before the simulator answered CreateDeployment"
    # The call takes effect without its caller; the restarted lifeline must find it by its marker.
    wait_for(lambda: lifeline_deployments(sim), 10, what="the deployment whose answer was lost")
    lifeline.start()
    wait_for(lambda: "again after a restart" in lifeline.output(), 20, what="the deployment found by its marker")
    for _ in range(2):
        time.sleep(rng.uniform(0.2, 2.5))
        lifeline.kill()
        lifeline.start()
    wait_for(
        lambda: calls("autoscaling.CompleteLifecycleAction") >= 1, 30, interval=0.02, what="CompleteLifecycleAction"
    )
    lifeline.kill()
    lifeline.start()
    wait_settled(sim, 12, timeout=60)
    assert lifeline.stop() == 0
    counts = by_token(sim)
    assert len(counts) == 10 and set(counts.values()) == {1}, counts
    assert all(c["result"] == "CONTINUE" for c in completions(sim))
    assert no_timeouts(sim) == []
    assert len(lifeline_deployments(sim)) == 1, "one follow-on deployment for the wave, never a second"


@pytest.mark.parametrize("world", ["throttling-storm.json"], indirect=True)
def test_a_throttling_storm_ends_the_same_only_slower(world):
    sim, serve, _ = world
    lifeline = serve()
    wait_settled(sim, 4, timeout=90)
    assert lifeline.stop() == 0
    assert [c["result"] for c in completions(sim)] == ["CONTINUE", "CONTINUE"]
    assert len(lifeline_deployments(sim)) == 1
    assert no_timeouts(sim) == []


@pytest.mark.parametrize("world", ["double-hooks.json"], indirect=True)
def test_with_codedeploys_own_hook_too_lifeline_says_so_and_does_not_deploy_twice(world):
    sim, serve, _ = world
    lifeline = serve()
    wait_settled(sim, 2, timeout=30)
    assert lifeline.stop() == 0
    assert lifeline_deployments(sim) == [], "CodeDeploy deploys; lifeline must not deploy a second time"
    launch = [d for d in sim.state()["deployments"] if d["creator"] == "autoscaling"]
    assert len(launch) == 1 and launch[0]["status"] == "Succeeded"
    mine = [c for c in completions(sim) if c["hook"] == "lifeline-launch-prod"]
    assert [c["result"] for c in mine] == ["CONTINUE"] and mine[0]["why"] == "CompleteLifecycleAction"
    assert "double deployments" in lifeline.output()


@pytest.mark.parametrize("world", ["clean-scale-out.json"], indirect=True)
def test_a_deleted_or_drifted_hook_is_put_back(world):
    sim, serve, tmp_path = world
    autoscaling = sim.client("autoscaling")
    autoscaling.delete_lifecycle_hook(AutoScalingGroupName="shop-prod", LifecycleHookName="lifeline-launch-prod")
    config = write_config(tmp_path / "lifeline.yaml", queue_url(sim), heartbeat="120s")
    out = run("reconcile", "--config", config, "--endpoint-url", sim.url, "--db", str(tmp_path / "l.db"))
    assert out.returncode in (0, 2), out.stderr
    assert "put-hook" in out.stdout and "missing" in out.stdout
    hook = autoscaling.describe_lifecycle_hooks(AutoScalingGroupName="shop-prod")["LifecycleHooks"][0]
    assert (hook["LifecycleHookName"], hook["HeartbeatTimeout"], hook["DefaultResult"]) == (
        "lifeline-launch-prod",
        120,
        "ABANDON",
    )
    assert hook["NotificationTargetARN"] == "arn:aws:sqs:us-east-1:123456789012:lifeline-events"
    assert hook["NotificationMetadata"] == "shop/prod"
    autoscaling.put_lifecycle_hook(
        AutoScalingGroupName="shop-prod", LifecycleHookName="lifeline-launch-prod", HeartbeatTimeout=900
    )
    out = run(
        "reconcile", "--config", config, "--endpoint-url", sim.url, "--db", str(tmp_path / "l.db"), "--output", "json"
    )
    steps = [s for p in json.loads(out.stdout)["plans"] for s in p["steps"] if s["step"] == "put-hook"]
    assert len(steps) == 1 and "heartbeat timeout 900s, configured 120s" in steps[0]["detail"]
    assert (
        autoscaling.describe_lifecycle_hooks(AutoScalingGroupName="shop-prod")["LifecycleHooks"][0]["HeartbeatTimeout"]
        == 120
    )


MUTATING = (
    "CreateDeployment",
    "PutLifecycleHook",
    "CompleteLifecycleAction",
    "RecordLifecycleActionHeartbeat",
    "DeleteMessage",
    "StopDeployment",
)


@pytest.mark.parametrize("world", ["clean-scale-out.json"], indirect=True)
def test_reconcile_dry_run_prints_the_plan_and_changes_nothing_then_a_pass_acts(world):
    sim, _, tmp_path = world
    wait_for(
        lambda: len([i for i in instances(sim) if i["lifecycleState"] == "Pending:Wait"]) == 2,
        10,
        what="two waiting instances",
    )
    config = write_config(tmp_path / "lifeline.yaml", queue_url(sim))
    db = str(tmp_path / "l.db")
    sim.control("calls/reset", {})
    dry = run("reconcile", "--config", config, "--endpoint-url", sim.url, "--db", db, "--dry-run", "--output", "json")
    assert dry.returncode == 2, dry.stderr
    plan = json.loads(dry.stdout)
    assert plan["dry_run"] is True and plan["pending"] is True
    kinds = [s["step"] for p in plan["plans"] for s in p["steps"]]
    assert "create-deployment" in kinds and kinds.count("adopt") == 2
    assert not [op for op in sim.control("calls")[1] if op.split(".")[1] in MUTATING]
    assert lifeline_deployments(sim) == []
    # One real pass creates the deployment; later passes finish the wave; then it is settled.
    first = run("reconcile", "--config", config, "--endpoint-url", sim.url, "--db", db)
    assert first.returncode == 2 and "create-deployment" in first.stdout and "work still pending" in first.stdout
    wait_for(
        lambda: run("reconcile", "--config", config, "--endpoint-url", sim.url, "--db", db).returncode == 0,
        30,
        interval=1,
        what="a settled pass",
    )
    assert in_service(sim) and len(in_service(sim)) == 4
    assert len(lifeline_deployments(sim)) == 1
    last = run("reconcile", "--config", config, "--endpoint-url", sim.url, "--db", db)
    assert last.returncode == 0 and "settled" in last.stdout


def test_bad_config_and_unknown_groups_are_one_line_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "queue_url: https://sqs.us-east-1.amazonaws.com/123456789012/q\n"
        "groups:\n  - application: shop\n    deployment_group: prod\n    mode: owned\n"
    )
    out = run("reconcile", "--config", str(bad), "--endpoint-url", "http://127.0.0.1:9")
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        f"lifeline reconcile: {bad}:5: groups[0].mode: 'owned' is not one of own, supervise"
    ]
    bad.write_text("groups:\n  - application: shop\n    deployment_group: prod\n    hook: {heartbeat_timeout: soon}\n")
    out = run("reconcile", "--config", str(bad), "--endpoint-url", "http://127.0.0.1:9")
    assert out.returncode == 1 and f"{bad}:4: groups[0].hook.heartbeat_timeout: 'soon' is not a duration" in out.stderr
    bad.write_text("groups: [\n")
    out = run("serve", "--config", str(bad), "--endpoint-url", "http://127.0.0.1:9")
    assert out.returncode == 1 and len(out.stderr.strip().splitlines()) == 1 and "not valid YAML" in out.stderr
    bad.write_text("region: us-east-1\n")
    out = run("reconcile", "--config", str(bad), "--endpoint-url", "http://127.0.0.1:9")
    assert out.returncode == 1 and "groups: is required" in out.stderr
    good = tmp_path / "good.yaml"
    good.write_text("groups:\n  - application: shop\n    deployment_group: prod\n")
    out = run("reconcile", "--config", str(good), "--group", "shop/staging", "--endpoint-url", "http://127.0.0.1:9")
    assert (
        out.returncode == 1
        and out.stderr.strip() == f"lifeline reconcile: --group shop/staging is not in {good}; add it under groups"
    )
    out = run("reconcile", "--config", str(good), "--group", "staging", "--endpoint-url", "http://127.0.0.1:9")
    assert out.returncode == 1 and "is not APP/GROUP" in out.stderr


@pytest.mark.parametrize("world", ["clean-scale-out.json"], indirect=True)
def test_a_deployment_group_codedeploy_does_not_know_is_a_one_line_error(world):
    sim, _, tmp_path = world
    config = write_config(tmp_path / "lifeline.yaml", queue_url(sim), groups=(("shop", "prod"), ("shop", "nope")))
    out = run(
        "reconcile",
        "--config",
        config,
        "--endpoint-url",
        sim.url,
        "--db",
        str(tmp_path / "l.db"),
        "--log-level",
        "critical",
    )
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        "lifeline reconcile: CodeDeploy does not know shop/nope in this account and region;"
        " check application, deployment_group and --region"
    ]
    assert "shop/prod" in out.stdout, "the known group is still reconciled"


@pytest.mark.parametrize("shape", ["sns", "eventbridge"])
def test_sns_wrapped_and_eventbridge_notifications_drive_the_same_outcome(shape, tmp_path):
    with open(os.path.join(ROOT, "fixtures", "scenarios", "clean-scale-out.json")) as f:
        scenario = json.load(f)
    scenario["settings"]["notificationShape"] = shape
    sim = Sim()
    try:
        assert sim.control("scenario", scenario)[0] == 200
        config = write_config(tmp_path / "lifeline.yaml", queue_url(sim), resync="60s")
        lifeline = Serve(sim, config, str(tmp_path / "l.db"), str(tmp_path / "serve.log"))
        try:
            wait_settled(sim, 4, timeout=30)
        finally:
            assert lifeline.stop() == 0
        log = lifeline.output()
        assert log.count("lifecycle action for") == 2 and "adopt" not in log, (
            "the messages, not the resync, reported the actions"
        )
        assert [c["result"] for c in completions(sim)] == ["CONTINUE", "CONTINUE"]
    finally:
        sim.stop()


@pytest.mark.parametrize("world", ["clean-scale-out.json"], indirect=True)
def test_without_a_config_lifeline_manages_the_groups_that_carry_its_hook(world):
    sim, _, tmp_path = world
    wait_for(
        lambda: len([i for i in instances(sim) if i["lifecycleState"] == "Pending:Wait"]) == 2,
        10,
        what="two waiting instances",
    )
    out = run("reconcile", "--endpoint-url", sim.url, "--db", str(tmp_path / "l.db"), "--output", "json")
    assert out.returncode == 2, out.stderr
    plans = json.loads(out.stdout)["plans"]
    assert [p["group"] for p in plans] == ["shop/prod"], "found from lifeline-launch-prod's metadata on shop-prod"
    assert [s["step"] for s in plans[0]["steps"] if s["step"] == "create-deployment"] == ["create-deployment"]
    assert len(lifeline_deployments(sim)) == 1
