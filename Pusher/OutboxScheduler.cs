using System.Threading.Channels;

namespace SkubberPush.Pusher;

/// <summary>
/// Writes the outboxes of every Pusher connection on this node from one loop per core. A publish
/// only queues a frame in each subscriber's outbox; the shard owning an outbox writes all it holds
/// in one write. In a burst a socket's frames pile up while the shard works through the others, so
/// there are far fewer writes than deliveries (the kernel charges per write, not per byte), and
/// one event's writes are spread over the cores.
/// </summary>
public sealed class OutboxScheduler : IDisposable
{
    private readonly Channel<FrameOutbox>[] _shards;
    private int _next;

    public OutboxScheduler()
    {
        _shards = new Channel<FrameOutbox>[Environment.ProcessorCount];
        for (var i = 0; i < _shards.Length; i++)
        {
            var shard = Channel.CreateUnbounded<FrameOutbox>(new UnboundedChannelOptions { SingleReader = true });
            _shards[i] = shard;
            _ = Task.Run(() => RunAsync(shard.Reader));
        }
    }

    internal int NextShard() => (int)((uint)Interlocked.Increment(ref _next) % (uint)_shards.Length);

    internal void Schedule(FrameOutbox outbox) => _shards[outbox.Shard].Writer.TryWrite(outbox);

    private static async Task RunAsync(ChannelReader<FrameOutbox> reader)
    {
        var buffers = new WriteBuffers();
        while (await reader.WaitToReadAsync())
            while (reader.TryRead(out var outbox))
                outbox.WriteQueued(buffers);
    }

    public void Dispose()
    {
        foreach (var shard in _shards)
            shard.Writer.TryComplete();
    }
}

/// <summary>One shard's reusable buffers: the frames of one write are gathered into <see cref="Scratch"/>.</summary>
internal sealed class WriteBuffers
{
    public byte[] Scratch { get; } = new byte[64 * 1024];
    public byte[][] Frames { get; } = new byte[512][];
}
