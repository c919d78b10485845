using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace SkubberPush.Bench;

public enum Transport { Pusher, SignalRJson, SignalRMsgPack }

/// <summary>
/// One subscriber over a raw socket: a Pusher protocol client or a SignalR client (JSON or
/// MessagePack), written by hand so that 50,000 of them fit in one process. Counts the bench
/// events it receives and records their latency from the timestamp in their data.
/// </summary>
public sealed class BenchClient : IAsyncDisposable
{
    public const string BenchEvent = "bench";
    private static int _sourceAddress;
    private readonly RawWebSocket _socket;
    private readonly Transport _transport;
    private readonly Action<long>? _onLatency;
    private Task _reading = Task.CompletedTask;
    public long Received;

    private BenchClient(RawWebSocket socket, Transport transport, Action<long>? onLatency)
    {
        _socket = socket;
        _transport = transport;
        _onLatency = onLatency;
    }

    /// <param name="polled">set up with blocking calls, to be read by <see cref="EpollReceivers"/></param>
    public static async Task<BenchClient> ConnectAsync(Uri server, string path, Transport transport, Action<long>? onLatency = null, bool polled = false)
    {
        // Rotate over 127.0.0.1-127.0.0.200 as source: one address has only ~28k ephemeral ports.
        var source = new IPAddress(new byte[] { 127, 0, 0, (byte)(1 + Interlocked.Increment(ref _sourceAddress) % 200) });
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Bind(new IPEndPoint(source, 0));
        if (polled)
            socket.Connect(new IPEndPoint(IPAddress.Loopback, server.Port));
        else
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port));
        var ws = await RawWebSocket.UpgradeAsync(socket, $"{server.Host}:{server.Port}", path, blocking: polled);
        var client = new BenchClient(ws, transport, onLatency);
        await client.HandshakeAsync();
        return client;
    }

    public async Task SubscribeAsync(string channel)
    {
        switch (_transport)
        {
            case Transport.Pusher:
                await SendTextAsync($"{{\"event\":\"pusher:subscribe\",\"data\":{{\"channel\":\"{channel}\"}}}}");
                await ReadUntilAsync(m => Contains(m, "subscription_succeeded"u8));
                break;
            case Transport.SignalRJson:
                await SendTextAsync($"{{\"type\":1,\"invocationId\":\"1\",\"target\":\"Subscribe\",\"arguments\":[\"{channel}\"]}}\u001e");
                await ReadUntilAsync(m => Contains(m, "\"type\":3"u8));
                break;
            case Transport.SignalRMsgPack:
                await _socket.SendAsync(MsgPackInvocation("Subscribe", channel), RawWebSocket.Binary);
                await ReadUntilAsync(m => HasMsgPackType(m, 3));
                break;
        }
    }

    public void StartReading() => _reading = ReadLoopAsync();

    /// <summary>Leaves receiving to <see cref="EpollReceivers"/>, which calls <see cref="ReadReady"/>.</summary>
    public int ForPolling() => _socket.ForPolling();

    /// <summary>Reads what the socket holds now and counts its events; false once the server has gone.</summary>
    public bool ReadReady()
    {
        var status = _socket.ReceiveAvailable();
        bool closed;
        while (_socket.TryTakeBuffered(out var message, out closed))
            CountEvents(message.Span);
        return !closed && status is SocketError.Success or SocketError.WouldBlock;
    }

    private async Task HandshakeAsync()
    {
        switch (_transport)
        {
            case Transport.Pusher:
                await ReadUntilAsync(m => Contains(m, "connection_established"u8));
                break;
            default:
                var protocol = _transport == Transport.SignalRJson ? "json" : "messagepack";
                await SendTextAsync($"{{\"protocol\":\"{protocol}\",\"version\":1}}\u001e");
                // The answer "{}\u001e" may share a frame with the first message; that one is not needed.
                await ReadUntilAsync(m => Array.IndexOf(m, (byte)0x1e) >= 0);
                break;
        }
    }

    private async Task ReadLoopAsync()
    {
        while (true)
        {
            var message = await _socket.ReceiveAsync();
            if (message.IsEmpty)
                return;
            CountEvents(message.Span);
        }
    }

    private void CountEvents(ReadOnlySpan<byte> message)
    {
        switch (_transport)
        {
            case Transport.Pusher:
                if (message.IndexOf("\"event\":\"bench\""u8) >= 0)
                    Delivered(message);
                break;
            case Transport.SignalRJson:
                foreach (var range in message.Split((byte)0x1e))
                    if (message[range].IndexOf("\"bench\""u8) >= 0)
                        Delivered(message[range]);
                break;
            case Transport.SignalRMsgPack:
                while (!message.IsEmpty)
                {
                    var length = ReadVarInt(ref message);
                    var item = message[..length];
                    if (item.IndexOf("bench"u8) >= 0)
                        Delivered(item);
                    message = message[length..];
                }
                break;
        }
    }

    // The data holds "t<ticks>t", the Stopwatch timestamp when the event was published.
    private void Delivered(ReadOnlySpan<byte> message)
    {
        Interlocked.Increment(ref Received);
        if (_onLatency is null)
            return;
        var start = message.IndexOf("t:"u8);
        if (start < 0)
            return;
        var digits = message[(start + 2)..];
        long ticks = 0;
        foreach (var b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9')
                break;
            ticks = ticks * 10 + (b - '0');
        }
        _onLatency(Stopwatch.GetTimestamp() - ticks);
    }

    private async Task ReadUntilAsync(Func<byte[], bool> done)
    {
        while (true)
        {
            var message = await _socket.ReceiveAsync();
            if (message.IsEmpty)
                throw new IOException("closed during setup");
            if (done(message.ToArray()))
                return;
        }
    }

    private Task SendTextAsync(string text) => _socket.SendAsync(Encoding.UTF8.GetBytes(text), RawWebSocket.Text);

    private static bool Contains(byte[] message, ReadOnlySpan<byte> text) => message.AsSpan().IndexOf(text) >= 0;

    // SignalR MessagePack: varint length prefix, then [1, {}, "1", target, [args], []].
    private static byte[] MsgPackInvocation(string target, string argument)
    {
        var body = new List<byte> { 0x96, 0x01, 0x80, 0xa1, (byte)'1' };
        AddString(body, target);
        body.Add(0x91);
        AddString(body, argument);
        body.Add(0x90);
        var prefix = new List<byte>();
        var n = body.Count;
        do
        {
            var b = (byte)(n & 0x7f);
            n >>= 7;
            prefix.Add(n > 0 ? (byte)(b | 0x80) : b);
        }
        while (n > 0);
        return [.. prefix, .. body];
    }

    private static void AddString(List<byte> bytes, string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        if (utf8.Length < 32)
            bytes.Add((byte)(0xa0 | utf8.Length));
        else
        {
            bytes.Add(0xd9);
            bytes.Add((byte)utf8.Length);
        }
        bytes.AddRange(utf8);
    }

    /// <summary>Whether any of the length-prefixed messages in the frame is of <paramref name="type"/>.</summary>
    private static bool HasMsgPackType(byte[] frame, int type)
    {
        ReadOnlySpan<byte> span = frame;
        while (!span.IsEmpty)
        {
            var length = ReadVarInt(ref span);
            if (length > 1 && span[1] == type)
                return true;
            span = span[length..];
        }
        return false;
    }

    private static int ReadVarInt(ref ReadOnlySpan<byte> span)
    {
        int value = 0, shift = 0, i = 0;
        while (true)
        {
            var b = span[i++];
            value |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0)
                break;
            shift += 7;
        }
        span = span[i..];
        return value;
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose(); // the read loop sees the end and returns
        await _reading;
    }
}
