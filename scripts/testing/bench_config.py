"""Config load time by group count (issue "Hostile input": loading must be linear). Times
`lifeline iam-policy --config`, which loads the config and does nothing else that grows with it.
Usage: python3 scripts/testing/bench_config.py BINARY"""

import subprocess
import sys
import tempfile
import time


def config(path, groups):
    lines = ["queue_url: https://sqs.us-east-1.amazonaws.com/123456789012/lifeline-events", "groups:"]
    for g in range(groups):
        lines += [f"  - application: app{g}", f"    deployment_group: g{g}", "    hook: {heartbeat_timeout: 300s}"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main(binary):
    print("config load: groups, seconds (best of 3), seconds per 1,000 groups")
    with tempfile.TemporaryDirectory() as scratch:
        for groups in (1_000, 5_000, 20_000):
            path = f"{scratch}/lifeline-{groups}.yaml"
            config(path, groups)
            best = float("inf")
            for _ in range(3):
                start = time.monotonic()
                subprocess.run([binary, "iam-policy", "--config", path], check=True, capture_output=True, timeout=300)
                best = min(best, time.monotonic() - start)
            print(f"  {groups:>6}  {best:6.2f} s  {1000 * best / groups:6.3f}")


if __name__ == "__main__":
    main(sys.argv[1])
