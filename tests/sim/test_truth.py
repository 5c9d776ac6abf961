"""AWS is the truth (issue 13), built binary against the simulator: a message is a hint, CONTINUE
only after the code is there, shared groups, foreign messages, one writer per journal."""

import json
import time

import pytest
from conftest import wait_for
from lifeline_proc import (
    Serve,
    completions,
    instances,
    lifeline_deployments,
    no_timeouts,
    queue_url,
    run,
    wait_settled,
    write_config,
)


def lifecycle_message(instance, token, time_, group="shop-prod", hook="lifeline-launch-prod"):
    return json.dumps(
        {
            "Origin": "EC2",
            "Destination": "AutoScalingGroup",
            "Service": "AWS Auto Scaling",
            "LifecycleHookName": hook,
            "LifecycleTransition": "autoscaling:EC2_INSTANCE_LAUNCHING",
            "AutoScalingGroupName": group,
            "EC2InstanceId": instance,
            "LifecycleActionToken": token,
            "Time": time_,
            "NotificationMetadata": "shop/prod",
            "AccountId": "123456789012",
            "RequestId": "forged",
        }
    )


@pytest.mark.parametrize("world", ["silent-hook.json"], indirect=True)
def test_forged_and_replayed_messages_cause_no_completion_and_no_abandon(world, tmp_path):
    """The hook notifies nothing, and the resync is slow: every message is a forgery, and lifeline
    reads each before its resync would find the instance."""
    sim, _, _ = world
    sqs, url = sim.client("sqs"), queue_url(sim)
    config = tmp_path / "lifeline.yaml"
    config.write_text(
        f"queue_url: {url}\nresync_interval: 30s\npoll_interval: 1s\ngroups:\n"
        "  - application: shop\n    deployment_group: prod\n    hook: {heartbeat_timeout: 300s}\n"
    )
    lifeline = Serve(sim, str(config), str(tmp_path / "lifeline.db"), str(tmp_path / "serve.log"))
    try:
        lifeline.status_url()
        wait_for(
            lambda: len([i for i in instances(sim) if i["lifecycleState"] == "Pending:Wait"]) == 2,
            15,
            what="two instances waiting",
        )
        waiting = sorted(i["id"] for i in instances(sim) if i["lifecycleState"] == "Pending:Wait")
        serving = sorted(i["id"] for i in instances(sim) if i["lifecycleState"] == "InService")
        # Made-up tokens, a Time a year old and one in the future for the real waiting instances; an
        # instance that does not exist; a real InService instance said to be waiting.
        forged = [
            lifecycle_message(waiting[0], "11111111-2222-3333-4444-555555555555", "2026-01-01T00:00:00Z"),
            lifecycle_message(waiting[1], "22222222-3333-4444-5555-666666666666", "2027-06-01T00:00:00Z"),
            lifecycle_message("i-0f0f0f0f0f0f0f0f0", "33333333-4444-5555-6666-777777777777", "2026-01-01T00:00:00Z"),
            lifecycle_message(serving[0], "44444444-5555-6666-7777-888888888888", "2026-01-01T00:00:00Z"),
        ]
        # In one batch: a long poll answers at the first message, and a message alone would let the
        # pass it starts adopt the other waiting instance before its forged message is read.
        batch = [{"Id": str(n), "MessageBody": body} for n, body in enumerate(forged)]
        assert not sqs.send_message_batch(QueueUrl=url, Entries=batch)["Failed"]
        wait_settled(sim, 4, timeout=40)
        # Replayed, now that both actions are completed.
        assert not sqs.send_message_batch(QueueUrl=url, Entries=batch)["Failed"]
        wait_for(
            lambda: lifeline.output().count("nothing done (a message is only a hint)") >= 6,
            20,
            what="the replays and the forgeries ignored",
        )
        assert lifeline.output().count("lifecycle action for") == 2, "the two waiting instances, from the messages"
    finally:
        assert lifeline.stop() == 0
    done = completions(sim)
    assert sorted((c["instance"], c["result"], c["why"]) for c in done) == [
        (i, "CONTINUE", "CompleteLifecycleAction") for i in waiting
    ], done
    # AWS completed its own actions: lifeline addressed them by instance id, never by a message's token.
    assert not {c["token"] for c in done} & {json.loads(b)["LifecycleActionToken"] for b in forged}
    assert not no_timeouts(sim)
    assert len(lifeline_deployments(sim)) == 1
    history = json.loads(run("history", "--db", lifeline.db, "--format", "json").stdout)
    assert not [e for e in history if e.get("instance") in ("i-0f0f0f0f0f0f0f0f0", serving[0])], history


@pytest.mark.parametrize("world", ["selection-miss.json"], indirect=True)
def test_a_deployment_that_misses_a_waiting_instance_gets_a_second_not_a_continue(world):
    sim, serve, _ = world
    lifeline = serve(extra="    auto_scaling_groups: [shop-prod]")
    wait_for(lambda: any(c["result"] == "ABANDON" for c in completions(sim)), 40, what="the first wave completed")
    first = [c for c in completions(sim) if c["result"] == "ABANDON"][:2]
    # The relaunches may already have looped up to the loop breaker, whose CONTINUEs come after three
    # ABANDONs; none before: the first wave's instances are never continued without the code.
    results = [c["result"] for c in completions(sim)]
    assert "CONTINUE" not in results[:3], f"continued without the code: {results}"
    # Two deployments for the waiting instances before the first completion: never a CONTINUE.
    log = sim.control("events")[1]
    first_done = next(n for n, e in enumerate(log) if e["kind"] == "lifecycle-complete")
    ours = {d["id"] for d in lifeline_deployments(sim)}
    before = [e for e in log[:first_done] if e["kind"] == "deployment-created" and e["deployment"] in ours]
    assert len(before) == 2 and all(not e["targets"] for e in before), before
    assert all(not d["targets"] for d in lifeline_deployments(sim))
    assert "the deployment group's selection misses instances of shop-prod" in lifeline.output()
    # Relaunched instances miss again: the misses count towards the loop breaker, which opens.
    wait_for(lambda: "loop breaker opened" in lifeline.output(), 90, what="the loop breaker opened")
    assert lifeline.stop() == 0
    assert len({c["instance"] for c in first}) == 2
    assert all(c["why"] == "CompleteLifecycleAction" for c in completions(sim))
    assert not no_timeouts(sim)


@pytest.mark.parametrize("world", ["shared-group.json"], indirect=True)
def test_an_auto_scaling_group_shared_by_two_deployment_groups_gets_both(world):
    sim, serve, _ = world
    # A slow resync: the messages, routed by (group, hook), find the waiting instances.
    lifeline = serve(groups=(("shop", "prod"), ("shop", "canary")), resync="30s")
    wait_settled(sim, 3, timeout=60)
    assert lifeline.stop() == 0
    # One action per instance and hook, each under the group whose hook it is: from its message, or
    # adopted by a pass that another group's message woke first.
    log = lifeline.output()
    assert log.count("lifecycle action for") + log.count(" adopt i-") == 4, log
    assert "duplicate record" not in log
    hooks = {c["hook"] for c in completions(sim)}
    assert hooks == {"lifeline-launch-prod", "lifeline-launch-canary"}
    by_instance = {}
    for c in completions(sim):
        by_instance.setdefault(c["instance"], []).append((c["hook"], c["result"]))
    assert len(by_instance) == 2
    for got in by_instance.values():
        assert sorted(got) == [("lifeline-launch-canary", "CONTINUE"), ("lifeline-launch-prod", "CONTINUE")]
    created = lifeline_deployments(sim)
    assert sorted(d["description"].split(":")[1] for d in created) == ["shop/canary", "shop/prod"]
    assert not no_timeouts(sim)


@pytest.mark.parametrize("world", ["shared-group.json"], indirect=True)
def test_two_groups_whose_hooks_would_collide_on_a_shared_group_are_refused(world, tmp_path):
    sim, _, _ = world
    config = write_config(tmp_path / "collide.yaml", queue_url(sim), groups=(("shop", "prod"), ("blog", "prod")))
    codedeploy = sim.client("codedeploy")
    codedeploy.create_application(applicationName="blog")
    codedeploy.create_deployment_group(
        applicationName="blog",
        deploymentGroupName="prod",
        serviceRoleArn="arn:aws:iam::123456789012:role/cd",
        ec2TagFilters=[{"Key": "app", "Value": "shop", "Type": "KEY_AND_VALUE"}],
    )
    out = run("reconcile", "--config", config, "--endpoint-url", sim.url, "--db", str(tmp_path / "c.db"))
    assert out.returncode != 0
    line = [x for x in out.stderr.splitlines() + out.stdout.splitlines() if "both would use the hook" in x]
    assert line and "lifeline-launch-prod" in line[0] and "blog/prod and shop/prod" in line[0], out


@pytest.mark.parametrize("world", ["clean-scale-out.json"], indirect=True)
def test_a_foreign_message_is_received_a_handful_of_times_a_minute_not_every_second(world):
    sim, serve, _ = world
    sqs, url = sim.client("sqs"), queue_url(sim)
    sqs.send_message(
        QueueUrl=url,
        MessageBody=lifecycle_message("i-0123456789abcdef0", "t", "2026-12-01T00:00:00Z", group="not-ours"),
    )
    started = time.monotonic()
    lifeline = serve()
    wait_settled(sim, 4, timeout=30)
    time.sleep(max(0.0, 12 - (time.monotonic() - started)))
    released = lifeline.metrics().get(("lifeline_sqs_messages_total", frozenset({("outcome", "released")})), 0)
    elapsed = time.monotonic() - started
    assert lifeline.stop() == 0
    # Hidden 30 s after each release (doubling): at most one receive per 30 s, where a 1 s retry made ~one a second.
    assert 1 <= released <= 1 + elapsed // 30, (released, elapsed)
    assert lifeline.output().count("which lifeline does not manage") == 1, "logged once"


@pytest.mark.parametrize("world", ["clean-scale-out.json"], indirect=True)
def test_a_second_serve_or_reconcile_on_the_same_journal_is_refused(world, tmp_path):
    sim, serve, _ = world
    lifeline = serve()
    lifeline.status_url()  # listening: it holds the journal's lock by now
    config = lifeline.config
    for command in ("serve", "reconcile"):
        args = [command, "--config", config, "--endpoint-url", sim.url, "--db", lifeline.db]
        if command == "serve":
            args += ["--listen", "127.0.0.1:0"]
        out = run(*args, timeout=30)
        assert out.returncode == 1, (command, out)
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and f"pid {lifeline.process.pid}" in lines[0] and lifeline.db in lines[0], out
    # Read-only commands still work beside it.
    assert run("history", "--db", lifeline.db).returncode == 0
    wait_settled(sim, 4, timeout=30)
    assert lifeline.stop() == 0
    assert [c["result"] for c in completions(sim)] == ["CONTINUE", "CONTINUE"]
    # Once it has stopped, the journal is free again.
    again = run("reconcile", "--config", config, "--endpoint-url", sim.url, "--db", lifeline.db)
    assert again.returncode == 0, again
