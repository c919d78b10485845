using System.Threading.Channels;

namespace SkubberPush.Channels;

/// <summary>
/// Writes the outboxes of every connection on this node, whatever its transport, from one thread per
/// core. A publish only queues an event in each subscriber's outbox and schedules the outbox once;
/// the shard owning it then writes everything it holds. In a burst a connection's events pile up
/// while the shard works through the others, so there are far fewer writes than deliveries (the
/// kernel charges per write, not per byte); one event's writes are spread over the cores; and no
/// connection keeps a send loop of its own. The shards are threads of their own, not thread-pool work
/// items: in a burst a shard writes for as long as the burst lasts, and on the pool it would hold a
/// worker all that time while the REST requests publishing the burst queued behind it.
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
            // Synchronous continuations: the only one is the wake-up of the shard's blocked thread.
            var shard = Channel.CreateUnbounded<IScheduledOutbox>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });
            _shards[i] = shard;
            // Unsafe: the shard must not keep the execution context (logging scopes, activities) of
            // whichever request first resolved the scheduler.
            new Thread(() => Run(shard.Reader)) { IsBackground = true, Name = $"Outbox shard {i}" }.UnsafeStart();
        }
    }

    /// <summary>The shard for a new outbox: round robin, so connections spread over the cores.</summary>
    public int NextShard() => (int)((uint)Interlocked.Increment(ref _next) % (uint)_shards.Length);

    /// <summary>Queues the outbox on its shard; the outbox makes sure it is scheduled at most once at a time.</summary>
    public void Schedule(IScheduledOutbox outbox) => _shards[outbox.Shard].Writer.TryWrite(outbox);

    private void Run(ChannelReader<IScheduledOutbox> reader)
    {
        var buffers = new WriteBuffers();
        while (WaitToRead(reader))
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

    /// <summary>Blocks the shard's thread until an outbox is scheduled; false once the scheduler is disposed.</summary>
    private static bool WaitToRead(ChannelReader<IScheduledOutbox> reader)
    {
        var ready = reader.WaitToReadAsync();
        return ready.IsCompleted ? ready.Result : ready.AsTask().GetAwaiter().GetResult();
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
