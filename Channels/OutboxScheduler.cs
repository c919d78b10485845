using System.Threading.Channels;

namespace SkubberPush.Channels;

/// <summary>
/// Writes the outboxes of every connection on this node, whatever its transport, from one loop per
/// core. A publish only queues an event in each subscriber's outbox and schedules the outbox once;
/// the shard owning it then writes everything it holds. In a burst a connection's events pile up
/// while the shard works through the others, so there are far fewer writes than deliveries (the
/// kernel charges per write, not per byte); one event's writes are spread over the cores; and no
/// connection keeps a send loop of its own.
/// </summary>
public sealed partial class OutboxScheduler : IDisposable
{
    private readonly Channel<IScheduledOutbox>[] _shards;
    private readonly ILogger _logger;
    private int _next;

    public OutboxScheduler(ILogger<OutboxScheduler> logger)
    {
        _logger = logger;
        _shards = new Channel<IScheduledOutbox>[Environment.ProcessorCount];
        for (var i = 0; i < _shards.Length; i++)
        {
            var shard = Channel.CreateUnbounded<IScheduledOutbox>(new UnboundedChannelOptions { SingleReader = true });
            _shards[i] = shard;
            _ = Task.Run(() => RunAsync(shard.Reader));
        }
    }

    /// <summary>The shard for a new outbox: round robin, so connections spread over the cores.</summary>
    public int NextShard() => (int)((uint)Interlocked.Increment(ref _next) % (uint)_shards.Length);

    /// <summary>Queues the outbox on its shard; the outbox makes sure it is scheduled at most once at a time.</summary>
    public void Schedule(IScheduledOutbox outbox) => _shards[outbox.Shard].Writer.TryWrite(outbox);

    private async Task RunAsync(ChannelReader<IScheduledOutbox> reader)
    {
        var buffers = new WriteBuffers();
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var outbox))
            {
                try
                {
                    outbox.WriteQueued(buffers);
                }
                catch (Exception e)
                {
                    // Outboxes handle the failures writes have; anything else is a bug, and it must
                    // not stop the shard's thousands of other connections.
                    LogWriteFailed(e);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "An outbox failed unexpectedly; its shard goes on with the others")]
    private partial void LogWriteFailed(Exception exception);

    public void Dispose()
    {
        foreach (var shard in _shards)
            shard.Writer.TryComplete();
    }
}

/// <summary>A connection's queue of outgoing events, written by its <see cref="OutboxScheduler"/> shard.</summary>
public interface IScheduledOutbox
{
    int Shard { get; }

    /// <summary>Writes what is queued without blocking; a write that cannot finish at once continues asynchronously.</summary>
    void WriteQueued(WriteBuffers buffers);
}

/// <summary>One shard's reusable buffers: the frames of one write are gathered into <see cref="Scratch"/>.</summary>
public sealed class WriteBuffers
{
    public byte[] Scratch { get; } = new byte[64 * 1024];
    public byte[][] Frames { get; } = new byte[512][];
}
