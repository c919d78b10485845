using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace SkubberPush.Bench;

/// <summary>
/// The server started on a fresh data directory and a loopback port, its output read and dropped;
/// disposing it kills the server and deletes the directory. Used by <c>LoadGen startup</c> and by
/// scripts/StartupOrder, which must poll it the same way: which code runs depends on it.
/// </summary>
public sealed class FreshServer : IDisposable
{
    private readonly DirectoryInfo _data;
    private readonly int _port;

    public Process Process { get; }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> just before the process started.</summary>
    public long StartedAt { get; }

    public FreshServer(string binary, int port, IReadOnlyDictionary<string, string>? environment = null)
    {
        _data = Directory.CreateTempSubdirectory("skubber-bench-start");
        _port = port;
        var start = new ProcessStartInfo(binary, ["--data-dir", _data.FullName, "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["SKUBBER_APP_ID"] = "1";
        start.Environment["SKUBBER_APP_KEY"] = "k";
        start.Environment["SKUBBER_APP_SECRET"] = "s";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        StartedAt = Stopwatch.GetTimestamp();
        Process = Process.Start(start)!;
        // Read and dropped: a redirected pipe nobody reads stops the server once it fills.
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    /// <summary>Polls <c>/health</c> with one socket attempt per millisecond until it answers 200.</summary>
    public async Task WaitHealthyAsync()
    {
        while (!await HealthyAsync())
        {
            if (Process.HasExited)
                throw new InvalidOperationException($"the server exited with {Process.ExitCode} before /health answered");
            await Task.Delay(1);
        }
    }

    // One poll: a fresh connection, one read of the answer, closed.
    private async Task<bool> HealthyAsync()
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync("127.0.0.1", _port);
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

    public void Dispose()
    {
        Process.Kill();
        Process.WaitForExit();
        Process.Dispose();
        _data.Delete(recursive: true);
    }
}
