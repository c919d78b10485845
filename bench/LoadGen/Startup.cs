using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace SkubberPush.Bench;

/// <summary>
/// Start to first <c>/health</c> 200: the server is started with a fresh data directory and polled
/// over one socket attempt per millisecond. A poller that spawns a process per attempt (a curl
/// loop) takes a core from the starting server on a 2-core machine and measures itself.
/// </summary>
public static class Startup
{
    public static async Task<object> RunAsync(string binary, int runs, int port)
    {
        var times = new List<double>();
        long idleRssKb = 0;
        for (var run = 0; run < runs; run++)
        {
            var data = Directory.CreateTempSubdirectory("skubber-bench-start");
            var start = new ProcessStartInfo(binary, ["--data-dir", data.FullName, "--urls", $"http://127.0.0.1:{port}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["SKUBBER_APP_ID"] = "1";
            start.Environment["SKUBBER_APP_KEY"] = "k";
            start.Environment["SKUBBER_APP_SECRET"] = "s";
            var clock = Stopwatch.StartNew();
            using var server = Process.Start(start)!;
            // Read and dropped: a redirected pipe nobody reads stops the server once it fills.
            server.BeginOutputReadLine();
            server.BeginErrorReadLine();
            while (!await HealthyAsync(port))
                await Task.Delay(1);
            times.Add(clock.Elapsed.TotalMilliseconds);
            await Task.Delay(1000);
            idleRssKb = new ServerProcess(server.Id).RssKilobytes();
            server.Kill();
            await server.WaitForExitAsync();
            data.Delete(recursive: true);
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

    /// <summary>One poll: a fresh connection, one read of the answer, closed. scripts/StartupOrder polls with it too.</summary>
    public static async Task<bool> HealthyAsync(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync("127.0.0.1", port);
            await socket.SendAsync("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"u8.ToArray());
            var buffer = new byte[64];
            var read = await socket.ReceiveAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("HTTP/1.1 200", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
