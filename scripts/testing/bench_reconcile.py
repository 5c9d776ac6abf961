"""One `lifeline reconcile` pass over 1,000 groups / 10,000 instances / 1,000 waiting actions
(DESIGN §9): wall time, peak RSS, AWS calls against the batching floor, and the simulator's CPU
beside lifeline's. Usage: bench_reconcile.py BINARY [RUNS]"""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

import fleet

BINARY = sys.argv[1]
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
GROUPS, PER_GROUP, WAITING, APPS = 1000, 10, 1, 10
# LIFELINE_BENCH_WRAP="perf record -g -o /tmp/perf.data" profiles the reconcile process.
WRAP = os.environ.get("LIFELINE_BENCH_WRAP", "").split()
KEY, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def control(url, path, body=None):
    request = urllib.request.Request(
        url + "/_sim/" + path,
        data=None if body is None else json.dumps(body).encode(),
        method="GET" if body is None else "POST",
    )
    with urllib.request.urlopen(request, timeout=60) as r:
        return json.loads(r.read())


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_run(workdir, run):
    sim = subprocess.Popen(
        [BINARY, "sim", "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        url = sim.stdout.readline().strip()
        control(
            url,
            "scenario",
            fleet.scenario(GROUPS, in_service=PER_GROUP - WAITING, new=WAITING, apps=APPS, deployment_seconds=600),
        )
        deadline = time.monotonic() + 60
        while (
            sum(
                1
                for g in control(url, "state")["groups"]
                for i in g["instances"]
                if i["lifecycleState"] == "Pending:Wait"
            )
            < GROUPS * WAITING
        ):
            if time.monotonic() > deadline:
                sys.exit("the simulator did not hold 1,000 instances in Pending:Wait within 60 s")
            time.sleep(0.5)
        queue = f"{url}/123456789012/lifeline-events"
        config = os.path.join(workdir, f"lifeline-{run}.yaml")
        with open(config, "w") as f:
            f.write(fleet.config(queue, GROUPS, APPS))
        control(url, "calls/reset", {})
        env = dict(
            os.environ,
            AWS_ACCESS_KEY_ID=KEY,
            AWS_SECRET_ACCESS_KEY=SECRET,
            AWS_REGION="us-east-1",
            AWS_CONFIG_FILE="/dev/null",
            AWS_SHARED_CREDENTIALS_FILE="/dev/null",
            AWS_EC2_METADATA_DISABLED="true",
        )
        sim_cpu = cpu_seconds(sim.pid)
        start = time.monotonic()
        with open(os.path.join(workdir, f"stderr-{run}"), "w+") as stderr:
            reconcile = subprocess.Popen(
                WRAP
                + [
                    BINARY,
                    "reconcile",
                    "--config",
                    config,
                    "--endpoint-url",
                    url,
                    "--db",
                    os.path.join(workdir, f"l-{run}.db"),
                    "--output",
                    "json",
                    "--log-level",
                    "warning",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
            _, status, usage = os.wait4(reconcile.pid, 0)  # this process's own rusage, not the simulator's
            wall = time.monotonic() - start
            stderr.seek(0)
            if os.waitstatus_to_exitcode(status) != 2:
                code = os.waitstatus_to_exitcode(status)
                sys.exit(f"reconcile exited {code} (expected 2, work pending): {stderr.read()[-2000:]}")
        calls = control(url, "calls")
        created = calls.get("codedeploy.CreateDeployment", 0)
        if created != GROUPS:
            sys.exit(f"{created} deployments created, expected {GROUPS}")
        return {
            "wall": wall,
            "rss_mb": usage.ru_maxrss / 1024,
            "cpu": usage.ru_utime + usage.ru_stime,
            "sim_cpu": cpu_seconds(sim.pid) - sim_cpu,
            "calls": sum(calls.values()),
            "by_op": calls,
        }
    finally:
        sim.terminate()
        sim.wait(timeout=10)


def main():
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        for run in range(RUNS):
            results.append(one_run(workdir, run))
    least = sum(fleet.floor(GROUPS, GROUPS * WAITING, APPS).values())

    def median(key):
        return sorted(r[key] for r in results)[len(results) // 2]

    rows = [
        ("reconcile.pass-1000 wall", f"{median('wall'):.2f} s (median of {RUNS})", "≤ 2 s", median("wall") <= 2),
        (
            "reconcile.pass-1000 peak RSS",
            f"{max(r['rss_mb'] for r in results):.1f} MB",
            "≤ 64 MB",
            max(r["rss_mb"] for r in results) <= 64,
        ),
        (
            "reconcile.pass-1000 AWS calls",
            f"{results[0]['calls']} (floor {least}, ×{results[0]['calls'] / least:.3f})",
            "≤ 1.1 × floor",
            results[0]["calls"] <= 1.1 * least,
        ),
        (
            "reconcile.pass-1000 CPU",
            f"lifeline {median('cpu'):.2f} s, simulator {median('sim_cpu'):.2f} s",
            "(reported)",
            True,
        ),
    ]
    width = max(len(r[0]) for r in rows), max(len(r[1]) for r in rows), max(len(r[2]) for r in rows)
    print(f"{'benchmark':{width[0]}}  {'result':{width[1]}}  {'target':{width[2]}}  met")
    for name, result, target, met in rows:
        print(f"{name:{width[0]}}  {result:{width[1]}}  {target:{width[2]}}  {'yes' if met else 'NO'}")
    extra = {k: v for k, v in results[0]["by_op"].items() if k not in fleet.floor(GROUPS, GROUPS * WAITING, APPS)}
    if extra:
        print(f"calls beyond the floor's operations: {extra}")


if __name__ == "__main__":
    main()
