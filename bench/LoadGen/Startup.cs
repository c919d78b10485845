using System.Diagnostics;

namespace SkubberPush.Bench;

/// <summary>
/// Start to first <c>/health</c> 200: the server is started with a fresh data directory and polled
/// over one socket attempt per millisecond (<see cref="FreshServer"/>). A poller that spawns a
/// process per attempt (a curl loop) takes a core from the starting server on a 2-core machine and
/// measures itself.
/// </summary>
public static class Startup
{
    public static async Task<object> RunAsync(string binary, int runs, int port)
    {
        var times = new List<double>();
        long idleRssKb = 0;
        for (var run = 0; run < runs; run++)
        {
            using var server = new FreshServer(binary, port);
            await server.WaitHealthyAsync();
            times.Add(Stopwatch.GetElapsedTime(server.StartedAt).TotalMilliseconds);
            await Task.Delay(1000);
            idleRssKb = new ServerProcess(server.Process.Id).RssKilobytes();
        }
        var sorted = times.Order().ToArray();
        return new
        {
            mode = "startup",
            binaryBytes = new FileInfo(binary).Length,
            startupMsMedian = Math.Round(sorted[sorted.Length / 2], 1),
            startupMs = times.Select(t => Math.Round(t, 1)),
            idleRssKb,
        };
    }
}
