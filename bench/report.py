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


def baseline_ratio(r, fan):
    if r["label"].startswith("baseline"):
        return ""
    base = next((b for b in fan if b["label"].startswith("baseline") and b["label"].split()[1] == r["label"].split()[1]
                 and b["subscribers"] == r["subscribers"] and b["channels"] == r["channels"]), None)
    return f"{r['deliveriesPerCpuSecond'] / base['deliveriesPerCpuSecond']:.2f}×" if base else ""


cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2")
print(f"# Benchmark results\n\n{datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, {cpu}, {sh('nproc')} cores, loopback, Linux {platform.release()}.\n")
for s in by("startup"):
    print(f"- Binary: {s['binaryBytes'] / 1e6:.1f} MB. Start to first `/health` 200: median {s['startupMsMedian']} ms of {s['startupMs']}. Idle RSS: {s['idleRssKb'] / 1024:.1f} MB.\n")

floors = sorted(by("floor"), key=lambda f: (f.get("paceMs", 0), f["framesPerWrite"]))
table("Floor: raw sockets, 1,000 loopback sockets", ["frames per write", "paced", "frames/s", "sender CPU µs per frame"],
      [[str(f["framesPerWrite"]), f"every {f['paceMs']} ms" if f.get("paceMs") else "back to back", f"{f['framesPerSecond']:,.0f}",
        f"{f['cpuUsPerFrame']:.2f}"] for f in floors])
paced_floor = next((f["cpuUsPerFrame"] for f in floors if f.get("paceMs")), None)
fan = by("fanout")
table("Burst fan-out (events back to back)",
      ["server, transport", "subscribers", "channels", "deliveries/s", "server CPU µs/delivery", "deliveries per CPU-second", "vs baseline (same protocol)"],
      [[r["label"], f"{r['subscribers']:,}", str(r["channels"]), f"{r['deliveriesPerSecond']:,.0f}", f"{r['cpuUsPerDelivery']:.2f}",
        f"{r['deliveriesPerCpuSecond']:,.0f}", baseline_ratio(r, fan)] for r in fan])
table("Paced publish → receive latency, 1,000 subscribers (one event in flight)",
      ["server, transport", "deliveries/s", "p50 ms", "p99 ms", "max ms", "server CPU µs/delivery", "vs paced floor"],
      [[r["label"], f"{r['deliveriesPerSecond']:,}", f"{r['p50Ms']:.2f}", f"{r['p99Ms']:.2f}", f"{r['maxMs']:.2f}", f"{r['cpuUsPerDelivery']:.2f}",
        f"{r['cpuUsPerDelivery'] / paced_floor:.2f}×" if paced_floor and r["deliveriesPerSecond"] == 20000 else ""] for r in by("latency")])
idle = {}
for r in by("idle"):
    idle.setdefault((r["connections"], r["label"]), []).append(r)
table("Idle connections (fresh process per run; median of the runs)", ["server, transport", "connections", "RSS before MB", "RSS after MB", "KB per connection, each run", "median KB per connection"],
      [[label, f"{connections:,}", " / ".join(f"{r['rssBeforeKb'] / 1024:.1f}" for r in runs), " / ".join(f"{r['rssAfterKb'] / 1024:.1f}" for r in runs),
        " / ".join(f"{r['kbPerConnection']:.1f}" for r in runs), f"{statistics.median(r['kbPerConnection'] for r in runs):.1f}"] for (connections, label), runs in idle.items()])
table("Connection setup", ["server, transport", "connections", "connections/s"],
      [[r["label"], f"{r['connections']:,}", f"{r['connectionsPerSecond']:,.0f}"] for r in by("setup")])
table("REST triggers (wrk, 32 connections, 10 s)", ["auth", "requests/s", "p99", "non-2xx"],
      [[r["label"], f"{r['requestsPerSecond']:,.0f}", r["p99"], str(r["non2xx"])] for r in by("rest")])
