"""The calls serve makes while one group of 1,000 settled groups scales out by one instance: the
message's pass, the deployment's poll passes and a resync, counted over the deployment plus 60 s
(ReceiveMessage left out). Reported, never asserted.
Usage: python3 scripts/testing/bench_scale_out.py BINARY"""

import sys
import tempfile
import time

import fleet
from fleet_world import World


def main(binary, groups=1000, window=60):
    with tempfile.TemporaryDirectory() as workdir, World(binary, groups, waiting=0) as world:
        serve = world.serve(workdir, groups, resync=None)
        try:
            world.wait_settled(serve)
            world.control("calls/reset", {})
            asg, _, dg, _ = fleet.names(groups // 2, groups, 10)
            world.control("scale", {"group": asg, "desired": 11})
            world.wait_for_deployment(asg, dg, timeout=20)
            time.sleep(window)
            calls = world.calls()
            calls.pop("sqs.ReceiveMessage", None)
            print(f"one scale-out among {groups} groups, {window} s after its deployment: {sum(calls.values())} calls")
            for op, n in sorted(calls.items()):
                print(f"  {n:5}  {op}")
        finally:
            serve.terminate()
            serve.wait(timeout=30)


if __name__ == "__main__":
    main(sys.argv[1])
