"""`lifeline serve`'s HTTP endpoints (DESIGN §5): /healthz, /readyz and Prometheus /metrics, read
with prometheus_client's parser while the built binary works a scenario in the simulator."""

import socket
import subprocess

import pytest
from conftest import BINARY, wait_for
from lifeline_proc import (
    Serve,
    completions,
    env,
    iam_actions_called,
    policy_actions,
    queue_url,
    wait_settled,
    write_config,
)


def calls(sim, name):
    return sim.control("calls")[1].get(name, 0)


def sample(metrics, name, **labels):
    return metrics.get((name, frozenset(labels.items())))


@pytest.mark.parametrize("world", ["clean-scale-out.json"], indirect=True)
def test_health_readiness_and_metrics_follow_a_clean_scale_out(world):
    sim, serve, _ = world
    lifeline = serve()
    assert lifeline.get("/healthz") == (200, "ok\n")
    status, body = wait_for(lambda: (r := lifeline.get("/readyz"))[0] == 200 and r, 20, what="/readyz 200")
    assert body.startswith("ready: the last pass ended")
    wait_settled(sim, 4, timeout=30)
    wait_for(
        lambda: sample(lifeline.metrics(), "lifeline_completions_total", result="CONTINUE") == 2,
        10,
        what="2 completions in /metrics",
    )
    m = lifeline.metrics()
    assert sample(m, "lifeline_completions_total", result="ABANDON") == 0
    assert sample(m, "lifeline_deployments_created_total") == 1
    for state in ("waiting", "deploying", "completing"):
        assert sample(m, "lifeline_lifecycle_actions", state=state) == 0, state
    assert not any(name == "lifeline_nearest_action_deadline_seconds" for name, _ in m), "no open action, no deadline"
    assert sample(m, "lifeline_loop_breaker_open", deployment_group="shop/prod") == 0
    assert sample(m, "lifeline_stale_instances", deployment_group="shop/prod") == 0
    assert sample(m, "lifeline_sqs_messages_total", outcome="recorded") == 2
    assert sample(m, "lifeline_reconcile_passes_total", outcome="ok") >= 1
    # lifeline's count of its calls agrees with the simulator's, call for call.
    for service, op in (("codedeploy", "CreateDeployment"), ("autoscaling", "CompleteLifecycleAction")):
        assert sample(m, "lifeline_aws_calls_total", service=service, operation=op, code="OK") == calls(
            sim, f"{service}.{op}"
        ), op
    assert (
        sample(m, "lifeline_aws_call_duration_seconds_count", service="codedeploy", operation="CreateDeployment") == 1
    )
    # `lifeline iam-policy` for this config allows every call lifeline made (own mode).
    called = iam_actions_called(m)
    assert {"codedeploy:CreateDeployment", "autoscaling:CompleteLifecycleAction", "sqs:DeleteMessage"} <= called
    allowed = policy_actions("--config", lifeline.config)
    assert called <= allowed, called - allowed
    assert lifeline.stop() == 0


@pytest.mark.parametrize("world", ["slow-deployment-short-hook.json"], indirect=True)
def test_metrics_show_a_deploying_action_and_its_heartbeated_deadline(world):
    sim, serve, _ = world
    lifeline = serve(heartbeat="2s")
    wait_for(lambda: calls(sim, "autoscaling.RecordLifecycleActionHeartbeat") >= 1, 20, what="a first heartbeat")
    m = wait_for(
        lambda: (m := lifeline.metrics()) and sample(m, "lifeline_lifecycle_actions", state="deploying") == 1 and m,
        10,
        what="one deploying action in /metrics",
    )
    deadline = sample(m, "lifeline_nearest_action_deadline_seconds")
    assert deadline is not None and -1 < deadline <= 2, (
        f"a 2 s hook heartbeated keeps the deadline within 2 s, saw {deadline}"
    )
    wait_settled(sim, 2, timeout=30)
    assert lifeline.stop() == 0
    beats = calls(sim, "autoscaling.RecordLifecycleActionHeartbeat")
    assert beats >= 4
    assert [c["result"] for c in completions(sim)] == ["CONTINUE"]


@pytest.mark.parametrize("world", ["clean-scale-out.json"], indirect=True)
def test_failing_passes_make_it_unready_and_never_show_the_secret(world, tmp_path):
    sim, _, _ = world
    secret = "wrongSecretKeyThatMustNeverBeShown0000000"
    config = write_config(tmp_path / "bad.yaml", queue_url(sim))
    lifeline = Serve(
        sim,
        config,
        str(tmp_path / "bad.db"),
        str(tmp_path / "bad.log"),
        environment=dict(
            env(), AWS_ACCESS_KEY_ID="AKIDNOTKNOWNHERE", AWS_SECRET_ACCESS_KEY=secret, AWS_MAX_ATTEMPTS="1"
        ),
    )
    try:
        # Every group fails (the credentials are refused for each of their reads): nothing is
        # reconciled, so serve is not ready; the pass itself completes.
        status, body = wait_for(
            lambda: (r := lifeline.get("/readyz"))[0] == 503 and "every managed group is failing" in r[1] and r,
            30,
            what="/readyz 503",
        )
        assert body.startswith("not ready:") and "shop/prod" in body, body
        assert lifeline.get("/healthz")[0] == 200, "alive, though not ready"
        m = lifeline.metrics()
        assert sample(m, "lifeline_group_failures_total", deployment_group="shop/prod") >= 1
        assert sample(m, "lifeline_group_failing", deployment_group="shop/prod") == 1
        assert any(name == "lifeline_aws_calls_total" and dict(labels)["code"] != "OK" for name, labels in m), (
            "the refused call is counted by its code"
        )
        _, exposition = lifeline.get("/metrics")
    finally:
        assert lifeline.stop() == 0
    for text in (body, exposition, lifeline.output()):
        assert secret not in text


@pytest.mark.parametrize("world", ["clean-scale-out.json"], indirect=True)
def test_a_taken_port_and_a_bad_listen_address_are_one_line_errors(world, tmp_path):
    sim, _, _ = world
    config = write_config(tmp_path / "l.yaml", queue_url(sim))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = subprocess.run(
            [
                BINARY,
                "serve",
                "--config",
                config,
                "--endpoint-url",
                sim.url,
                "--db",
                str(tmp_path / "l.db"),
                "--listen",
                f"127.0.0.1:{port}",
            ],
            env=env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert out.returncode == 1
    last = out.stderr.strip().splitlines()[-1]
    assert last == (
        f"lifeline serve: cannot listen on 127.0.0.1:{port}: the address is in use (another lifeline serve?); "
        "give --listen HOST:PORT, or --listen off"
    ), out.stderr
    bad = subprocess.run(
        [BINARY, "serve", "--config", config, "--listen", "localhost"],
        env=env(),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert bad.returncode != 0 and "--listen" in bad.stderr.splitlines()[0], bad.stderr
