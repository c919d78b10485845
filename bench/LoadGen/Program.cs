using System.Diagnostics;
using System.Text.Json;
using SkubberPush.Bench;

// bench/LoadGen: drives a server over loopback and prints one JSON line per measurement.
// Modes: fanout, latency, idle, setup, floor (plus floor-drain, its helper process), startup.
var mode = args[0];
var options = Options.Parse(args[1..]);

switch (mode)
{
    case "floor":
        Print(await Floor.RunAsync(options.Int("connections"), options.Int("events"), options.Int("frames-per-write"), options.Int("pace-ms", 0)));
        return;
    case "floor-drain":
        await Floor.DrainAsync(int.Parse(args[1]), int.Parse(args[2]));
        return;
    case "startup":
        Print(await Startup.RunAsync(options.Get("binary"), options.Int("runs", 5), options.Int("port", 5303)));
        return;
}

var server = new Uri(options.Get("server"));
var target = new ServerProcess(options.Int("pid"));
var transport = Enum.Parse<Transport>(options.Get("transport"), ignoreCase: true);
var publisher = new Publisher(server, options.Get("app"), options.Get("key"), options.Get("secret"));
var path = options.Get("path", transport == Transport.Pusher ? $"/app/{options.Get("key")}?protocol=7" : "/push");
if (transport != Transport.Pusher && path == "/push")
    path += "?access_token=" + await publisher.TokenAsync();
var label = options.Get("label", transport.ToString());
// --negotiate true: hub clients POST /push/negotiate first and connect with its token, as SignalR's
// clients do by default (otherwise they skip negotiation).
using var negotiator = options.Get("negotiate", "false") == "true" ? new HttpClient { BaseAddress = server } : null;

switch (mode)
{
    case "fanout":
    {
        var (subscribers, channels, events) = (options.Int("subscribers"), options.Int("channels"), options.Int("events"));
        var clients = await ConnectAsync(subscribers, channels, null);
        var names = Enumerable.Range(0, channels).Select(Channel).ToList();
        await WarmUpAsync(clients, names);
        var before = clients.Sum(c => Interlocked.Read(ref c.Received));
        var expected = before + (long)subscribers * events;
        var cpu = target.CpuMicroseconds();
        var ownCpu = OwnCpu();
        var clock = Stopwatch.StartNew();
        // Back to back: several requests in flight, each publisher on a thread of its own, so
        // publishing waits neither on the fan-out nor behind this process's receivers.
        var publishers = options.Int("publishers", 4);
        var threads = Enumerable.Range(0, publishers).Select(p => new Thread(() =>
        {
            for (var e = p; e < events; e += publishers)
                publisher.Publish(names);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var publishSeconds = clock.Elapsed.TotalSeconds;
        await WaitForAsync(() => clients.Sum(c => Interlocked.Read(ref c.Received)) >= expected, TimeSpan.FromSeconds(120));
        var seconds = clock.Elapsed.TotalSeconds;
        var used = target.CpuMicroseconds() - cpu;
        var deliveries = (double)subscribers * events;
        var generatorCpuUsPerDelivery = (OwnCpu() - ownCpu).TotalMicroseconds / deliveries;
        Print(new { mode, label, subscribers, channels, events, deliveries, seconds, publishSeconds, deliveriesPerSecond = deliveries / seconds, cpuUsPerDelivery = used / deliveries, deliveriesPerCpuSecond = deliveries / (used / 1e6), generatorCpuUsPerDelivery });
        await DisposeAllAsync(clients);
        break;
    }
    case "latency":
    {
        var (subscribers, rate, duration) = (options.Int("subscribers"), options.Int("rate"), options.Int("seconds"));
        var samples = new List<long>(rate * duration);
        var gate = new Lock();
        var clients = await ConnectAsync(subscribers, 1, ticks => { lock (gate) samples.Add(ticks); }, polled: true);
        var receivers = new EpollReceivers(clients, Environment.ProcessorCount);
        await WarmUpAsync(clients, [Channel(0)]);
        lock (gate) samples.Clear();
        var eventsPerSecond = Math.Max(1, rate / subscribers);
        var interval = TimeSpan.FromSeconds(1.0 / eventsPerSecond);
        var cpu = target.CpuMicroseconds();
        var ownCpu = OwnCpu();
        var clock = Stopwatch.StartNew();
        var total = eventsPerSecond * duration;
        for (var e = 0; e < total; e++)
        {
            // One reading of the clock: read twice, the wait could come out as -1 ms, which
            // Task.Delay takes as "forever" (a run hung on it).
            var wait = interval * e - clock.Elapsed;
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait);
            await publisher.PublishAsync([Channel(0)]);
        }
        await WaitForAsync(() => { lock (gate) return samples.Count >= (long)total * subscribers; }, TimeSpan.FromSeconds(30));
        var cpuUsPerDelivery = (target.CpuMicroseconds() - cpu) / ((double)total * subscribers);
        // The receivers' share of the same two cores: part of every server's latency alike.
        var generatorCpuUsPerDelivery = (OwnCpu() - ownCpu).TotalMicroseconds / ((double)total * subscribers);
        long[] sorted;
        lock (gate) sorted = [.. samples.Order()];
        double Ms(double q) => sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, q * sorted.Length)] * 1000.0 / Stopwatch.Frequency;
        Print(new { mode, label, subscribers, deliveriesPerSecond = eventsPerSecond * subscribers, samples = sorted.Length, p50Ms = Ms(0.50), p99Ms = Ms(0.99), maxMs = Ms(1.0), cpuUsPerDelivery, generatorCpuUsPerDelivery });
        receivers.Dispose();
        await DisposeAllAsync(clients);
        break;
    }
    case "idle":
    {
        var connections = options.Int("connections");
        GC.Collect();
        await Task.Delay(1000);
        var rssBefore = target.RssKilobytes();
        var clients = await ConnectAsync(connections, 100, null);
        await Task.Delay(3000);
        var rssAfter = target.RssKilobytes();
        Print(new { mode, label, connections, rssBeforeKb = rssBefore, rssAfterKb = rssAfter, kbPerConnection = (rssAfter - rssBefore) / (double)connections });
        // Time to look inside the server with the connections still open (dotnet-gcdump, dotnet-dump).
        await Task.Delay(TimeSpan.FromSeconds(options.Int("hold-seconds", 0)));
        await DisposeAllAsync(clients);
        break;
    }
    case "setup":
    {
        var connections = options.Int("connections");
        var clock = Stopwatch.StartNew();
        var clients = await ConnectAsync(connections, 0, null);
        Print(new { mode, label, connections, seconds = clock.Elapsed.TotalSeconds, connectionsPerSecond = connections / clock.Elapsed.TotalSeconds });
        await DisposeAllAsync(clients);
        break;
    }
    default:
        throw new ArgumentException($"unknown mode {mode}");
}

string Channel(int i) => $"bench-{i}";

// polled: the caller hands the clients to EpollReceivers instead of an async read loop each.
async Task<List<BenchClient>> ConnectAsync(int count, int channels, Action<long>? onLatency, bool polled = false)
{
    var clients = new BenchClient[count];
    using var gate = new SemaphoreSlim(128);
    await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
    {
        await gate.WaitAsync();
        try
        {
            var client = await BenchClient.ConnectAsync(server, negotiator is null ? path : await NegotiatedPathAsync(negotiator), transport, onLatency, polled);
            if (channels > 0)
                await client.SubscribeAsync(Channel(i % channels));
            if (!polled)
                client.StartReading();
            clients[i] = client;
        }
        finally
        {
            gate.Release();
        }
    }));
    return [.. clients];
}

async Task<string> NegotiatedPathAsync(HttpClient http)
{
    var query = path[(path.IndexOf('?') + 1)..];
    using var response = await http.PostAsync($"/push/negotiate?negotiateVersion=1&{query}", null);
    response.EnsureSuccessStatusCode();
    using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    return $"{path}&id={answer.RootElement.GetProperty("connectionToken").GetString()}";
}

async Task WarmUpAsync(List<BenchClient> clients, List<string> channels)
{
    var before = clients.Sum(c => Interlocked.Read(ref c.Received));
    for (var i = 0; i < 5; i++)
        await publisher.PublishAsync(channels);
    await WaitForAsync(() => clients.Sum(c => Interlocked.Read(ref c.Received)) >= before + clients.Count * 5L, TimeSpan.FromSeconds(60));
}

static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout)
{
    var clock = Stopwatch.StartNew();
    while (!condition())
    {
        if (clock.Elapsed > timeout)
            throw new TimeoutException("deliveries did not all arrive");
        await Task.Delay(5);
    }
}

static async Task DisposeAllAsync(List<BenchClient> clients) => await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));

// The generator's own CPU: its receivers share the machine's cores with the server.
static TimeSpan OwnCpu() => Process.GetCurrentProcess().TotalProcessorTime;

static void Print(object result) => Console.WriteLine(JsonSerializer.Serialize(result));

sealed class Options(Dictionary<string, string> values)
{
    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (var i = 0; i + 1 < args.Length; i += 2)
            values[args[i].TrimStart('-')] = args[i + 1];
        return new Options(values);
    }
    public string Get(string name, string? fallback = null) => values.TryGetValue(name, out var v) ? v : fallback ?? throw new ArgumentException($"--{name} is required");
    public int Int(string name, int? fallback = null) => fallback is { } value && !values.ContainsKey(name) ? value : int.Parse(Get(name));
}
