using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SkubberPush.Bench;

/// <summary>
/// The floor: no framework, the same ~150-byte frame written to N loopback sockets, one write per
/// delivery or several frames per write. Its own CPU per frame is what the kernel's loopback path
/// costs the sender, the least any server can pay. Paced (<c>paceMs</c> between events, one event
/// in flight) the readers are asleep when each frame lands, and waking them is charged to the
/// sender too: that is the floor for the paced latency runs.
/// </summary>
public static class Floor
{
    public static async Task<object> RunAsync(int connections, int events, int framesPerWrite, int paceMs)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(connections);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;

        // The receiving side lives in another process, so that its CPU is not ours.
        var self = Environment.ProcessPath!;
        using var drain = Process.Start(new ProcessStartInfo(self, $"floor-drain {port} {connections}") { RedirectStandardOutput = true })!;
        var accepted = new List<Socket>(connections);
        while (accepted.Count < connections)
        {
            var socket = await listener.AcceptAsync();
            socket.NoDelay = true;
            accepted.Add(socket);
        }
        var frame = new byte[150];
        Array.Fill(frame, (byte)'x');
        var payload = Enumerable.Repeat(frame, framesPerWrite).SelectMany(f => f).ToArray();
        var server = new ServerProcess(Environment.ProcessId);
        var cpu = server.CpuMicroseconds();
        var clock = Stopwatch.StartNew();
        for (var e = 0; e < events; e += framesPerWrite)
        {
            foreach (var socket in accepted)
                socket.Send(payload);
            if (paceMs > 0)
                await Task.Delay(paceMs);
        }
        var frames = (double)connections * events;
        var used = server.CpuMicroseconds() - cpu;
        var seconds = clock.Elapsed.TotalSeconds;
        foreach (var socket in accepted)
            socket.Close();
        await drain.WaitForExitAsync();
        return new { mode = "floor", framesPerWrite, paceMs, connections, frames, seconds, framesPerSecond = frames / seconds, cpuUsPerFrame = used / frames };
    }

    public static async Task DrainAsync(int port, int connections)
    {
        var sockets = new List<Socket>();
        for (var i = 0; i < connections; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            sockets.Add(socket);
        }
        await Task.WhenAll(sockets.Select(async s =>
        {
            var buffer = new byte[64 * 1024];
            while (await s.ReceiveAsync(buffer) > 0)
            {
            }
        }));
    }
}
