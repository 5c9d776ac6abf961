"""Fleet-scale benchmarks (DESIGN §9, issue "Fleet scale"), one table: a cold `lifeline reconcile`
pass over 1,000 groups / 10,000 instances / 1,000 waiting actions beside a boto3 script doing the
same pass on the same world; the warm pass; idle `serve` over 1,000 settled groups; lifecycle
message → CreateDeployment; 10,000 groups; one-shot start → first request; one group of the
1,000 (the pass's fixed cost, apart from what grows with the calls). Figures are
reported, never asserted by tests (tests/sim/test_api_economy.py asserts the call counts).
Usage: bench_fleet.py BINARY [RUNS] [--skip-big] [--cold-only [--against OTHER]]
--cold-only prints only the cold pass beside boto3 (for profiling; with LIFELINE_BENCH_WRAP).
--against OTHER: each run also passes with the lifeline binary OTHER, on a fresh world of the same
simulator (BINARY's), the two in turn, first one then the other; then the medians. This VM's speed
moves by about 20 % from hour to hour, so two builds are compared side by side, never across runs."""

import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime

import fleet
from fleet_world import ENV, World, cpu_seconds, first_request_ms

BINARY = sys.argv[1]
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].isdigit() else 3
SKIP_BIG = "--skip-big" in sys.argv
COLD_ONLY = "--cold-only" in sys.argv
AGAINST = sys.argv[sys.argv.index("--against") + 1] if "--against" in sys.argv else None
# LIFELINE_BENCH_WRAP="perf record -g -o /tmp/perf.data" profiles the cold reconcile process.
WRAP = os.environ.get("LIFELINE_BENCH_WRAP", "").split()
HERE = os.path.dirname(os.path.abspath(__file__))


def reconcile(world, workdir, tag, groups, extra=(), db=None, binary=None):
    """One `lifeline reconcile` (of `binary`, else BINARY): wall, CPU and peak RSS of that process
    alone, and the calls it made."""
    config = world.config_file(workdir, tag, groups)
    world.control("calls/reset", {})
    start = time.monotonic()
    with open(os.path.join(workdir, f"stderr-{tag}"), "w+") as stderr:
        process = subprocess.Popen(
            WRAP
            + [binary or BINARY, "reconcile", "--config", config, "--endpoint-url", world.url]
            + ["--db", db or os.path.join(workdir, f"{tag}.db"), "--output", "json", "--log-level", "warning"]
            + list(extra),
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 2):
            stderr.seek(0)
            sys.exit(f"reconcile ({tag}) exited {code}: {stderr.read()[-2000:]}")
    calls = world.calls()
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "user": usage.ru_utime,
        "sys": usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
        "calls": sum(calls.values()),
        "by_op": calls,
        "sim_cpu": world.cpu_since_reset(),
    }


def boto3_pass(world, groups):
    world.control("calls/reset", {})
    names = [[app, dg] for _, app, dg, _ in (fleet.names(n, groups, 10) for n in range(groups))]
    start = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "boto3_pass.py"), world.url, world.queue_url, json.dumps(names)],
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or json.loads(out)["created"] != groups:
        sys.exit(f"the boto3 pass failed: {out[-2000:]}")
    return {
        "wall": time.monotonic() - start,
        "cpu": usage.ru_utime + usage.ru_stime,
        "calls": sum(world.calls().values()),
    }


def cold_pass(workdir, tag, binary=None):
    with World(BINARY, 1000, waiting=1) as world:
        run = reconcile(world, workdir, tag, 1000, binary=binary)
    if run["by_op"].get("codedeploy.CreateDeployment") != 1000:
        sys.exit(f"cold pass ({binary or BINARY}): {run['by_op']}")
    return run


def cold_and_boto3(workdir):
    """RUNS cold passes and boto3 passes; with --against, OTHER's cold passes too, the order of the
    two binaries swapped every run."""
    cold, boto, against = [], [], []
    for run in range(RUNS):
        if AGAINST and run % 2:
            against.append(cold_pass(workdir, f"against-{run}", AGAINST))
        cold.append(cold_pass(workdir, f"cold-{run}"))
        if AGAINST and not run % 2:
            against.append(cold_pass(workdir, f"against-{run}", AGAINST))
        with World(BINARY, 1000, waiting=1) as world:
            boto.append(boto3_pass(world, 1000))
    return cold, boto, against


def warm(workdir):
    """The same work with hooks verified within the interval: a dry run verifies them first."""
    with World(BINARY, 1000, waiting=1) as world:
        db = os.path.join(workdir, "warm.db")
        reconcile(world, workdir, "warm-verify", 1000, extra=["--dry-run"], db=db)
        result = reconcile(world, workdir, "warm", 1000, db=db)
        if result["by_op"].get("codedeploy.CreateDeployment") != 1000:
            sys.exit(f"warm pass: {result['by_op']}")
        return result


def serve_idle_and_latency(workdir, samples=60, resync=60, window=120):
    """Idle serve over 1,000 settled groups (the default 60 s resync, a 120 s window: two resyncs); then serve
    again over the same journal with the default 60 s resync, and `samples` scale-outs of one group
    each: lifecycle message sent → CreateDeployment received, on the simulator's clock."""
    with World(BINARY, 1000, waiting=0) as world:
        serve = world.serve(workdir, 1000, resync=None)
        try:
            world.wait_settled(serve)
            time.sleep(3)
            world.control("calls/reset", {})
            cpu0 = cpu_seconds(serve.pid)
            time.sleep(window)
            idle_cpu = cpu_seconds(serve.pid) - cpu0
            idle = world.calls()
        finally:
            serve.terminate()
            serve.wait(timeout=30)
        # The stopped serve's last long poll stays open in the simulator for up to 20 s, and a
        # message handed to it would stay invisible for the receive's 10 s (so it would in SQS).
        time.sleep(21)
        serve = world.serve(workdir, 1000, resync=None)
        try:
            world.wait_settled(serve)
            latencies = []
            for n in range(samples):
                asg, _, dg, _ = fleet.names(n * (1000 // samples), 1000, 10)
                world.control("scale", {"group": asg, "desired": 11})
                sent, created = world.wait_for_deployment(asg, dg, timeout=20)
                latencies.append((created - sent) * 1000)
                if latencies[-1] > 1000:
                    print(f"slow: {asg} {latencies[-1]:.0f} ms, message at {sent:.3f} (serve-60.log)", file=sys.stderr)
            return idle, idle_cpu / window, window / resync, latencies
        finally:
            serve.terminate()
            serve.wait(timeout=30)


def one_group(workdir, run):
    """One group of the 1,000 (`--group`) on a fresh world: the part of a pass's CPU that does not
    grow with the groups it acts on (start-up, config, the fleet-wide DescribeAutoScalingGroups
    pages a tag-selected group needs)."""
    with World(BINARY, 1000, waiting=1) as world:
        return reconcile(world, workdir, f"one-{run}", 1000, extra=["--group", "app00/dg000"])


def big(workdir):
    with World(BINARY, 10000, waiting=1, settle_timeout=600) as world:
        return reconcile(world, workdir, "big", 10000)


def main():
    # LIFELINE_BENCH_KEEP=DIR keeps the logs (serve-20.log, serve-60.log, stderr-*) there.
    keep = os.environ.get("LIFELINE_BENCH_KEEP")
    with tempfile.TemporaryDirectory() if not keep else contextlib.nullcontext(keep) as workdir:
        cold, boto, against = cold_and_boto3(workdir)
        if COLD_ONLY:
            for i, (run, other) in enumerate(zip(cold, boto, strict=True)):
                print(
                    f"lifeline: {run['wall']:.2f} s wall, {run['cpu']:.3f} s CPU ({run['sys']:.3f} in the kernel), "
                    f"{run['rss_mb']:.1f} MB, "
                    f"{run['calls']} calls, {run['cpu'] / run['calls'] * 1e3:.3f} ms/call, sim {run['sim_cpu']:.2f} s"
                    f" | boto3: {other['cpu']:.2f} s CPU, {other['calls']} calls, "
                    f"{other['cpu'] / other['calls'] * 1e3:.2f} ms/call ({other['cpu'] / run['cpu']:.1f}×)"
                    + (
                        f" | against: {against[i]['wall']:.2f} s wall, {against[i]['cpu']:.3f} s CPU "
                        f"({other['cpu'] / against[i]['cpu']:.1f}×)"
                        if against
                        else ""
                    )
                )
            if against:
                boto_cpu = statistics.median(r["cpu"] for r in boto)
                for name, runs in ((BINARY, cold), (AGAINST, against)):
                    cpu = statistics.median(r["cpu"] for r in runs)
                    print(
                        f"{name}: median {cpu:.3f} s CPU, fastest {min(r['cpu'] for r in runs):.3f} s; "
                        f"{boto_cpu / cpu:.1f}× less than boto3's median {boto_cpu:.2f} s"
                    )
            return
        warm_run = warm(workdir)
        idle, idle_core, resyncs, latencies = serve_idle_and_latency(workdir)
        first_ms = sorted(first_request_ms(BINARY, workdir) for _ in range(5))[2]
        one = [one_group(workdir, run) for run in range(3)]
        big_run = None if SKIP_BIG else big(workdir)

    def median(runs, key):
        return statistics.median(r[key] for r in runs)

    calls, boto_calls = cold[0]["calls"], boto[0]["calls"]
    cpu, boto_cpu, sim_cpu = median(cold, "cpu"), median(boto, "cpu"), median(cold, "sim_cpu")
    rss = max(r["rss_mb"] for r in cold)
    per_resync = sum(idle.values()) / resyncs
    p99 = sorted(latencies)[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    rows = [
        (
            "cold pass 1,000 groups: wall",
            f"{median(cold, 'wall'):.2f} s (median of {RUNS})",
            "≤ 2 s",
            median(cold, "wall") <= 2,
        ),
        ("cold pass: peak RSS", f"{rss:.1f} MB", "≤ 64 MB", rss <= 64),
        (
            "cold pass: AWS calls",
            f"{calls} (floor {sum(fleet.floor(1000, 1000, 10).values())})",
            "≤ 1.1 × floor",
            calls <= 1.1 * sum(fleet.floor(1000, 1000, 10).values()),
        ),
        (
            "cold pass: CPU, lifeline vs boto3",
            f"{cpu:.2f} s vs {boto_cpu:.2f} s ({boto_cpu / cpu:.1f}× less)",
            "≥ 10× less",
            boto_cpu >= 10 * cpu,
        ),
        (
            "CPU per AWS call",
            f"lifeline {cpu / calls * 1000:.2f} ms, boto3 {boto_cpu / boto_calls * 1000:.2f} ms",
            "≤ 0.2 ms",
            cpu / calls <= 0.0002,
        ),
        ("simulator CPU per call", f"{sim_cpu / calls * 1000:.2f} ms", "< lifeline's", sim_cpu < cpu),
        ("warm pass (hooks verified): calls", f"{warm_run['calls']}", "≤ 1,070", warm_run["calls"] <= 1070),
        ("idle serve, 1,000 settled: calls per resync", f"{per_resync:.1f} {dict(idle)}", "≤ 25", per_resync <= 25),
        ("idle serve, 1,000 settled: CPU", f"{idle_core * 100:.2f} % of one core", "≤ 1 %", idle_core <= 0.01),
        (
            "message → CreateDeployment, 1,000 groups (resync 60 s): p99",
            f"{p99:.0f} ms (median {statistics.median(latencies):.0f} ms, {len(latencies)} messages)",
            "≤ 50 ms",
            p99 <= 50,
        ),
        ("one-shot reconcile start → first request", f"{first_ms:.1f} ms (median of 5)", "≤ 50 ms", first_ms <= 50),
        (
            "one group of the 1,000 (--group): CPU, calls",
            f"{median(one, 'cpu'):.3f} s, {one[0]['calls']} calls (median of 3): the pass's fixed cost",
            "reported",
            None,
        ),
    ]
    if big_run:
        rows.append(
            (
                "cold pass 10,000 groups: wall, RSS",
                f"{big_run['wall']:.1f} s, {big_run['rss_mb']:.0f} MB ({big_run['calls']} calls)",
                "≤ 12× the 1,000-group figures",
                big_run["wall"] <= 12 * median(cold, "wall") and big_run["rss_mb"] <= 12 * rss,
            )
        )
    width = [max(len(r[i]) for r in rows) for i in range(3)]
    print(f"{'benchmark':{width[0]}}  {'result':{width[1]}}  {'target':{width[2]}}  met")
    for name, result, target, met in rows:
        verdict = "–" if met is None else "yes" if met else "NO"
        print(f"{name:{width[0]}}  {result:{width[1]}}  {target:{width[2]}}  {verdict}")
    print(f"(boto3: {boto_calls} calls, {median(boto, 'wall'):.2f} s wall; run at {datetime.now():%Y-%m-%d %H:%M})")


if __name__ == "__main__":
    main()
