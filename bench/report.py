"""Turns bench/results.json into the bench/results.md tables: figures and ratios from one run."""
import json, platform, statistics, subprocess, sys, datetime

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip().startswith("{")]
by = lambda mode: [r for r in rows if r.get("mode") == mode]
sh = lambda cmd: subprocess.run(["sh", "-c", cmd], capture_output=True, text=True).stdout.strip()


def table(title, header, lines):
    if not lines:
        return
    print(f"## {title}\n\n| {' | '.join(header)} |\n|{'---|' * len(header)}")
    for cells in lines:
        print(f"| {' | '.join(cells)} |")
    print()


def group(runs, key):
    """Runs grouped by what they measure (in first-seen order); the tables give each run and the group's medians."""
    groups = {}
    for r in runs:
        groups.setdefault(key(r), []).append(r)
    return groups


def median_of(runs, key):
    return statistics.median(r[key] for r in runs)


def baseline_ratio(key, groups):
    subscribers, channels, label = key
    if label.startswith("baseline"):
        return ""
    base = groups.get((subscribers, channels, "baseline " + label.split()[1]))
    return f"{median_of(groups[key], 'deliveriesPerCpuSecond') / median_of(base, 'deliveriesPerCpuSecond'):.2f}×" if base else ""


cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2")
print(f"# Benchmark results\n\n{datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, {cpu}, {sh('nproc')} cores, loopback, Linux {platform.release()}.\n")
for s in by("startup"):
    print(f"- Binary: {s['binaryBytes'] / 1e6:.1f} MB. Start to first `/health` 200: median {s['startupMsMedian']} ms of {s['startupMs']}. Idle RSS: {s['idleRssKb'] / 1024:.1f} MB.\n")

floor_key = lambda f: (f.get("paceMs", 0), f["framesPerWrite"])
floors = group(sorted(by("floor"), key=floor_key), floor_key)
table("Floor: raw sockets, 1,000 loopback sockets (median of the runs)", ["frames per write", "paced", "frames/s", "sender CPU µs per frame, each run", "median"],
      [[str(k), f"every {pace} ms" if pace else "back to back", f"{median_of(runs, 'framesPerSecond'):,.0f}",
        " / ".join(f"{f['cpuUsPerFrame']:.2f}" for f in runs), f"{median_of(runs, 'cpuUsPerFrame'):.2f}"] for (pace, k), runs in floors.items()])
paced_floor = next((median_of(runs, "cpuUsPerFrame") for (pace, _), runs in floors.items() if pace), None)
fan = group(by("fanout"), lambda r: (r["subscribers"], r["channels"], r["label"]))
table("Burst fan-out (events back to back; median of the runs, interleaved)",
      ["server, transport", "subscribers", "channels", "deliveries/s", "all published / all delivered, s", "server CPU µs/delivery, each run", "median µs/delivery", "deliveries per CPU-second", "vs baseline (same protocol)"],
      [[label, f"{subscribers:,}", str(channels), f"{median_of(runs, 'deliveriesPerSecond'):,.0f}",
        f"{median_of(runs, 'publishSeconds'):.2f} / {median_of(runs, 'seconds'):.2f}",
        " / ".join(f"{r['cpuUsPerDelivery']:.2f}" for r in runs), f"{median_of(runs, 'cpuUsPerDelivery'):.2f}",
        f"{median_of(runs, 'deliveriesPerCpuSecond'):,.0f}", baseline_ratio((subscribers, channels, label), fan)]
       for (subscribers, channels, label), runs in fan.items()])
paced = group(by("latency"), lambda r: (r["deliveriesPerSecond"], r["label"]))
table("Paced publish → receive latency, 1,000 subscribers (one event in flight; median of the runs, interleaved)",
      ["server, transport", "deliveries/s", "p50 ms", "p99 ms, each run", "median p99 ms", "p99 vs baseline", "max ms", "server CPU µs/delivery", "vs paced floor", "generator CPU µs/delivery"],
      [[label, f"{rate:,}", f"{median_of(runs, 'p50Ms'):.2f}", " / ".join(f"{r['p99Ms']:.2f}" for r in runs), f"{median_of(runs, 'p99Ms'):.2f}",
        "" if label.startswith("baseline") or (rate, "baseline signalrjson") not in paced
        else f"{median_of(runs, 'p99Ms') / median_of(paced[(rate, 'baseline signalrjson')], 'p99Ms'):.2f}×",
        f"{max(r['maxMs'] for r in runs):.2f}", f"{median_of(runs, 'cpuUsPerDelivery'):.2f}",
        f"{median_of(runs, 'cpuUsPerDelivery') / paced_floor:.2f}×" if paced_floor and rate == 20000 else "",
        f"{median_of(runs, 'generatorCpuUsPerDelivery'):.2f}"] for (rate, label), runs in paced.items()])
idle = group(by("idle"), lambda r: (r["connections"], r["label"]))
table("Idle connections (fresh process per run; median of the runs)", ["server, transport", "connections", "RSS before MB", "RSS after MB", "KB per connection, each run", "median KB per connection"],
      [[label, f"{connections:,}", " / ".join(f"{r['rssBeforeKb'] / 1024:.1f}" for r in runs), " / ".join(f"{r['rssAfterKb'] / 1024:.1f}" for r in runs),
        " / ".join(f"{r['kbPerConnection']:.1f}" for r in runs), f"{statistics.median(r['kbPerConnection'] for r in runs):.1f}"] for (connections, label), runs in idle.items()])
table("Connection setup", ["server, transport", "connections", "connections/s"],
      [[r["label"], f"{r['connections']:,}", f"{r['connectionsPerSecond']:,.0f}"] for r in by("setup")])
table("REST triggers (wrk, 32 connections, 10 s)", ["auth", "requests/s", "p99", "non-2xx"],
      [[r["label"], f"{r['requestsPerSecond']:,.0f}", r["p99"], str(r["non2xx"])] for r in by("rest")])
