using System.Threading.RateLimiting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using SkubberPush.Auth;
using SkubberPush.Channels;
using SkubberPush.Observability;

namespace SkubberPush.Hubs;

/// <summary>
/// A hub connection as the channel core sees it. Publishers only queue into its bounded outbox;
/// the connection's <see cref="OutboxScheduler"/> shard hands the messages to SignalR in order
/// (waiting only when SignalR's buffer is full), so a slow client delays nobody else and, once its
/// outbox is full, is disconnected instead of growing memory.
/// </summary>
public sealed partial class HubSubscriber : Subscriber, IScheduledOutbox
{
    public const int OutboxCapacity = 1024;
    public const int InvocationsPerSecond = 100;
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);
    // Messages written per turn on the shard before the connection goes to the back of the line.
    private const int MessagesPerTurn = 64;

    private readonly HubConnectionContext _connection;
    private readonly TransportCounters _counters;
    private readonly ILogger _logger;
    // Items are SerializedHubMessage, CloseMessage, or a TaskCompletionSource to complete when reached.
    // Held until Start: nothing goes out before the connected message.
    private readonly OutboxQueue<object> _outbox;

    public HubSubscriber(string socketId, HubConnectionContext connection, HubIdentity identity, TransportCounters counters,
        OutboxScheduler scheduler, ILogger logger) : base(socketId)
    {
        _connection = connection;
        _counters = counters;
        _logger = logger;
        Identity = identity;
        _outbox = new OutboxQueue<object>(this, scheduler, OutboxCapacity, held: true);
        Shard = scheduler.NextShard();
    }

    private TokenBucketRateLimiter? _invocations;

    public HubIdentity Identity { get; }

    public TransportCounters Counters => _counters;

    public int Shard { get; }

    /// <summary>Lets queued messages go out, after the connected message.</summary>
    public void Start() => _outbox.Release();

    public override void Deliver(OutboundEvent evt) => Enqueue(evt.Encode(HubEventEncoder.Instance));

    /// <summary>terminate_connections: a close message that tells the client not to reconnect.</summary>
    public override void Terminate() => Enqueue(new CloseMessage("Connection terminated by the application", allowReconnect: false));

    /// <summary>Draining: a close message that invites the client to reconnect.</summary>
    public override void Reconnect() => Enqueue(new CloseMessage("Server shutting down; reconnect", allowReconnect: true));

    /// <summary>Completes once everything queued before it has been written to the connection.</summary>
    public Task FlushAsync()
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Enqueue(flushed, bounded: false))
            flushed.TrySetResult();
        return flushed.Task;
    }

    /// <summary>
    /// One invocation from the flood budget: bursts of 200, 100 a second sustained. Created on the
    /// first invocation and replenished on demand, so it needs no timer and dies with the connection.
    /// Invocations of one connection run one at a time, so no lock is needed here.
    /// </summary>
    public bool TryTakeInvocation()
    {
        _invocations ??= new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = 2 * InvocationsPerSecond,
            TokensPerPeriod = InvocationsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = false,
        });
        _invocations.TryReplenish();
        using var lease = _invocations.AttemptAcquire();
        return lease.IsAcquired;
    }

    /// <summary>Called once the connection is gone: drops what is queued and releases whoever waits on it.</summary>
    public void Complete()
    {
        ReleaseWaiters();
        _invocations?.Dispose();
    }

    private bool Enqueue(object item, bool bounded = true)
    {
        switch (_outbox.Add(item, bounded))
        {
            case OutboxResult.Queued:
                return true;
            case OutboxResult.Full when ReleaseWaiters():
                LogSlowConsumer(SocketId, OutboxCapacity);
                _connection.Abort();
                return false;
            default:
                return false;
        }
    }

    /// <summary>Called by the shard. SignalR takes a message synchronously unless its buffer is full.</summary>
    public void WriteQueued(WriteBuffers buffers)
    {
        for (var written = 0; ; written++)
        {
            // After a turn the rest waits at the back of the shard's line (fairness).
            if (written == MessagesPerTurn || !_outbox.TryTake(out var item))
            {
                _outbox.Written();
                return;
            }
            switch (item)
            {
                case SerializedHubMessage message:
                    ValueTask write;
                    try
                    {
                        write = _connection.WriteAsync(message, _connection.ConnectionAborted);
                    }
                    catch (OperationCanceledException)
                    {
                        Complete();
                        return;
                    }
                    if (!write.IsCompletedSuccessfully)
                    {
                        _outbox.WriteGoesAsync();
                        _ = AwaitWriteAsync(write, message);
                        return;
                    }
                    write.GetAwaiter().GetResult(); // consumes it: a ValueTask's source may be pooled
                    Sent(message);
                    break;
                case TaskCompletionSource flushed:
                    flushed.TrySetResult();
                    break;
                case CloseMessage close:
                    _outbox.Close();
                    _ = CloseAsync(close);
                    return;
            }
        }
    }

    private async Task AwaitWriteAsync(ValueTask write, SerializedHubMessage message)
    {
        try
        {
            await write;
        }
        catch (OperationCanceledException)
        {
            Complete(); // the connection closed; OnDisconnectedAsync cleans up
            return;
        }
        Sent(message);
        _outbox.Written();
    }

    // Cached by the write: reading the length serializes nothing.
    private void Sent(SerializedHubMessage message) => _counters.Sent(message.GetSerializedMessage(_connection.Protocol).Length);

    private async Task CloseAsync(CloseMessage close)
    {
        var aborted = _connection.ConnectionAborted;
        try
        {
            await _connection.WriteAsync(close, aborted);
            // Clients close on receiving it; aborting at once could cut the message off before
            // the transport sends it. Abort only a client that lingers.
            await Task.Delay(CloseTimeout, aborted);
        }
        catch (OperationCanceledException)
        {
        }
        _connection.Abort();
        ReleaseWaiters();
    }

    /// <summary>Empties the outbox for good, completing the flushes waiting in it; true the first time.</summary>
    private bool ReleaseWaiters()
    {
        var first = _outbox.Abort(out var left);
        foreach (var item in left)
            (item as TaskCompletionSource)?.TrySetResult();
        return first;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hub connection {SocketId} closed: it fell {Capacity} messages behind")]
    private partial void LogSlowConsumer(string socketId, int capacity);
}
