using System.Net;
using System.Net.Sockets;
using SkubberPush.Channels;
using SkubberPush.Sockets;

namespace SkubberPush.Tests.Sockets;

public sealed class FrameOutboxTests : IDisposable
{
    private readonly OutboxScheduler _scheduler = new(Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxScheduler>.Instance);
    private readonly Socket _server;
    private readonly Socket _client;

    public FrameOutboxTests()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        _client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        _client.Connect(listener.LocalEndPoint!);
        _server = listener.Accept();
        _server.SendBufferSize = 4096;
    }

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
        _scheduler.Dispose();
    }

    private static byte[] Frame(int index, int length) => Enumerable.Range(0, length).Select(i => (byte)(index + i)).ToArray();

    private async Task<byte[]> ReadAsync(int count)
    {
        var buffer = new byte[count];
        var read = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (read < count)
        {
            var n = await _client.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, timeout.Token);
            Assert.NotEqual(0, n);
            read += n;
        }
        return buffer;
    }

    [Fact]
    public async Task A_reader_that_falls_behind_gets_every_queued_frame_in_order_once_it_reads()
    {
        var outbox = new FrameOutbox(_scheduler, 1_000, _server, stream: null);
        var frames = Enumerable.Range(0, 300).Select(i => Frame(i, 1_000 + i)).ToList();
        foreach (var frame in frames)
            Assert.Equal(OutboxResult.Queued, outbox.Enqueue(frame)); // far more than the socket buffers hold: writes go asynchronous
        var expected = frames.SelectMany(f => f).ToArray();
        Assert.Equal(expected, await ReadAsync(expected.Length));
        await outbox.WhenDrained().WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_full_outbox_refuses_more_frames_and_keeps_those_it_has()
    {
        var outbox = new FrameOutbox(_scheduler, 16, _server, stream: null);
        var accepted = new List<byte[]>();
        for (var i = 0; i < 10_000; i++)
        {
            var frame = Frame(i, 4_096);
            var result = outbox.Enqueue(frame);
            if (result == OutboxResult.Full)
                break;
            accepted.Add(frame);
        }
        Assert.InRange(accepted.Count, 16, 9_999);
        var expected = accepted.SelectMany(f => f).ToArray();
        Assert.Equal(expected, await ReadAsync(expected.Length));
    }

    [Fact]
    public async Task Nothing_follows_the_close_frame()
    {
        var outbox = new FrameOutbox(_scheduler, 100, _server, stream: null);
        outbox.Enqueue([1, 2, 3]);
        outbox.EnqueueFinal([0x88, 0x00]);
        Assert.Equal(OutboxResult.Closed, outbox.Enqueue([4, 5, 6]));
        await outbox.WhenDrained().WaitAsync(TimeSpan.FromSeconds(5));
        _server.Shutdown(SocketShutdown.Send);
        var buffer = new byte[16];
        var read = 0;
        int n;
        while ((n = await _client.ReceiveAsync(buffer.AsMemory(read))) > 0)
            read += n;
        Assert.Equal(new byte[] { 1, 2, 3, 0x88, 0x00 }, buffer[..read]);
    }

    [Fact]
    public async Task Abort_drops_what_is_queued_and_releases_whoever_waits_for_the_drain()
    {
        var outbox = new FrameOutbox(_scheduler, 10_000, _server, stream: null);
        for (var i = 0; i < 1_000; i++)
            outbox.Enqueue(Frame(i, 4_096)); // the peer never reads: the outbox cannot drain
        var drained = outbox.WhenDrained();
        Assert.False(drained.IsCompleted);
        outbox.Abort();
        await drained.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(OutboxResult.Closed, outbox.Enqueue([1]));
    }

    [Fact]
    public async Task Without_a_socket_frames_go_to_the_stream_in_order()
    {
        using var stream = new MemoryStream();
        var outbox = new FrameOutbox(_scheduler, 100, socket: null, stream);
        var frames = Enumerable.Range(0, 50).Select(i => Frame(i, 100)).ToList();
        foreach (var frame in frames)
            outbox.Enqueue(frame);
        await outbox.WhenDrained().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(frames.SelectMany(f => f).ToArray(), stream.ToArray());
    }
}
