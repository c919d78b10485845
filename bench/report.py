"""Turns bench/results.json into the bench/results.md table: figures and ratios from one run."""
import json, platform, subprocess, sys, datetime

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip().startswith("{")]
by = lambda mode: [r for r in rows if r.get("mode") == mode]
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
print(f"# Benchmark results\n\n{datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, {cpu}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores, loopback, Linux {platform.release()}.\n")

for s in by("startup"):
    print(f"- Binary: {s['binaryBytes'] / 1e6:.1f} MB. Start to first `/health` 200: median {s['startupMsMedian']} ms of {s['startupMs']}. Idle RSS: {s['idleRssKb'] / 1024:.1f} MB.\n")

floor = {f["framesPerWrite"]: f for f in by("floor")}
if floor:
    print("## Floor: raw sockets, 1,000 loopback sockets\n\n| frames per write | frames/s | sender CPU µs per frame |\n|---|---|---|")
    for k, f in sorted(floor.items()):
        print(f"| {k} | {f['framesPerSecond']:,.0f} | {f['cpuUsPerFrame']:.2f} |")
    print()

fan = by("fanout")
if fan:
    print("## Burst fan-out (events back to back)\n\n| server, transport | subscribers | channels | deliveries/s | server CPU µs/delivery | deliveries per CPU-second | vs baseline (same protocol) |\n|---|---|---|---|---|---|---|")
    for r in fan:
        base = next((b for b in fan if b["label"].startswith("baseline") and b["label"].split()[1] == r["label"].split()[1]
                     and b["subscribers"] == r["subscribers"] and b["channels"] == r["channels"]), None)
        ratio = f"{r['deliveriesPerCpuSecond'] / base['deliveriesPerCpuSecond']:.2f}×" if base and not r["label"].startswith("baseline") else ""
        print(f"| {r['label']} | {r['subscribers']:,} | {r['channels']} | {r['deliveriesPerSecond']:,.0f} | {r['cpuUsPerDelivery']:.2f} | {r['deliveriesPerCpuSecond']:,.0f} | {ratio} |")
    print()

lat = by("latency")
if lat:
    print("## Paced publish → receive latency, 1,000 subscribers\n\n| server, transport | deliveries/s | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|")
    for r in lat:
        print(f"| {r['label']} | {r['deliveriesPerSecond']:,} | {r['p50Ms']:.2f} | {r['p99Ms']:.2f} | {r['maxMs']:.2f} |")
    print()

idle = by("idle")
if idle:
    print("## Idle connections\n\n| server, transport | connections | RSS before MB | RSS after MB | KB per connection |\n|---|---|---|---|---|")
    for r in idle:
        print(f"| {r['label']} | {r['connections']:,} | {r['rssBeforeKb'] / 1024:.1f} | {r['rssAfterKb'] / 1024:.1f} | {r['kbPerConnection']:.1f} |")
    print()

setup = by("setup")
if setup:
    print("## Connection setup\n\n| server, transport | connections | connections/s |\n|---|---|---|")
    for r in setup:
        print(f"| {r['label']} | {r['connections']:,} | {r['connectionsPerSecond']:,.0f} |")
    print()

rest = by("rest")
if rest:
    print("## REST triggers (wrk, 32 connections, 10 s)\n\n| auth | requests/s | p99 | non-2xx |\n|---|---|---|---|")
    for r in rest:
        print(f"| {r['label']} | {r['requestsPerSecond']:,.0f} | {r['p99']} | {r['non2xx']} |")
