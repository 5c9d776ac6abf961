"""Where a profiled lifeline process spent its CPU, by layer: each sample goes to the first layer
its stack passes through (the order of LAYERS decides ties: a JSON encode inside a journal write
is the journal's). Reported, never asserted.

Usage, for the cold reconcile pass of scripts/testing/bench_fleet.py:
  LIFELINE_BENCH_WRAP="perf record -F 2999 --call-graph dwarf,32768 -o /tmp/perf.data" \\
      python3 scripts/testing/bench_fleet.py .build/release/lifeline 1 --cold-only
  python3 scripts/testing/profile_layers.py /tmp/perf.data [--other N]
DWARF stacks: frame-pointer ones lose about 40 % of the pool threads' samples to [unknown].
--other N also prints the N commonest stacks that matched no layer."""

import collections
import re
import subprocess
import sys

# (layer, substrings of a demangled frame), first match wins.
LAYERS = [
    ("start-up (dynamic loader)", ["_dl_"]),
    ("config (Yams, validation)", ["LifelineConfig", "ConfigLoader"]),
    # The pass itself runs on the curl thread (reconcile's executor), so libcurl is what runs
    # inside curl's own entry points, not everything under CurlTransport.runLoop.
    ("libcurl (transfers, loopback TCP, poll)", ["curl_multi_perform", "curl_multi_poll", "curl_multi_wakeup"]),
    ("journal (SQLite, GRDB, WAL writes, row JSON)", ["SQLiteJournal", "GroupCommit", "SerializedDatabase"]),
    ("XML parsing", ["XMLNode.parse"]),
    ("XML decoding into types", ["XMLDecodable"]),
    ("JSON decoding", ["JSONDecoder", "JSONValueDecoder", "JSONReader", "JSONFields", "init(json:)"]),
    ("JSON encoding", ["JSONEncoder", "JSONValueEncoder", "JSONWriter", "jsonTree"]),
    ("SigV4", ["SigV4"]),
    ("decide", ["decide("]),
    ("observer", ["Observer"]),
    ("executor", ["PlanExecutor"]),
    ("send pipeline (AWSClient, retry, skew)", ["AWSClient"]),
    ("report", ["PlanReport"]),
    ("request set-up and task plumbing", ["CurlTransport.send", "CurlTransfer", "_dispatch", "swift_task"]),
]


def stacks(perf_data):
    script = subprocess.run(
        ["perf", "script", "-i", perf_data, "-F", "comm,tid,time,ip,sym"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    demangled = subprocess.run(
        ["swift", "demangle", "--simplified"], input=script, capture_output=True, text=True, check=True
    ).stdout
    stack = []
    for line in demangled.splitlines():
        if not line.strip():
            if stack:
                yield stack
            stack = []
        elif line.startswith((" ", "\t")):
            stack.append(re.sub(r"^\s*[0-9a-f]+\s+", "", line))
    if stack:
        yield stack


def main():
    other_count = int(sys.argv[sys.argv.index("--other") + 1]) if "--other" in sys.argv else 0
    counts, other, total = collections.Counter(), collections.Counter(), 0
    for stack in stacks(sys.argv[1]):
        total += 1
        layer = next((name for name, keys in LAYERS if any(k in f for k in keys for f in stack)), None)
        if layer is None:
            counts["other"] += 1
            other[" < ".join(frame[:50] for frame in stack[:4])] += 1
        else:
            counts[layer] += 1
    if not total:
        sys.exit(f"no samples in {sys.argv[1]}")
    width = max(len(name) for name in counts)
    print(f"{total} samples")
    for name, n in counts.most_common():
        print(f"{name.ljust(width)}  {100 * n / total:5.1f} %")
    for stack, n in other.most_common(other_count):
        print(f"{n:5}  {stack}")


if __name__ == "__main__":
    main()
