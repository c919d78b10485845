using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using SkubberPush.Auth;
using SkubberPush.Channels;
using SkubberPush.Observability;
using SkubberPush.Sockets;

namespace SkubberPush.Hubs;

/// <summary>
/// A hub connection served by SignalR's own transports (stateful reconnect, SSE, long polling,
/// TLS, HTTP/2). Publishers only queue into its bounded outbox;
/// the connection's <see cref="OutboxScheduler"/> shard hands the messages to SignalR in order
/// (waiting only when SignalR's buffer is full), so a slow client delays nobody else and, once its
/// outbox is full, is disconnected instead of growing memory.
/// </summary>
public sealed class HubPipelineSubscriber : HubSubscriber, IScheduledOutbox
{
    // Messages written per turn on the shard before the connection goes to the back of the line.
    private const int MessagesPerTurn = 64;

    private readonly HubConnectionContext _connection;
    private readonly ILogger _logger;
    // Items are SerializedHubMessage, CloseMessage, or a TaskCompletionSource to complete when reached.
    // Held until StartAsync: nothing goes out before the connected message.
    private readonly OutboxQueue<object> _outbox;

    public HubPipelineSubscriber(string socketId, HubConnectionContext connection, HubIdentity identity, TransportCounters counters,
        OutboxScheduler scheduler, ILogger logger) : base(socketId, identity, counters)
    {
        _connection = connection;
        _logger = logger;
        _outbox = new OutboxQueue<object>(this, scheduler, OutboxCapacity, held: true);
        Shard = scheduler.NextShard();
    }

    public int Shard { get; }

    /// <summary>Sends <c>connected</c>, then lets the events queued meanwhile go out.</summary>
    public override async Task StartAsync()
    {
        await _connection.WriteAsync(ConnectedMessage(), _connection.ConnectionAborted);
        _outbox.Release();
    }

    public override void Deliver(OutboundEvent evt) => Enqueue(evt.Encode(HubEventEncoder.Instance));

    protected override void Close(CloseMessage message) => Enqueue(message);

    /// <summary>Completes once everything queued before it has been written to the connection.</summary>
    public override Task FlushAsync()
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Enqueue(flushed, bounded: false))
            flushed.TrySetResult();
        return flushed.Task;
    }

    /// <summary>Called once the connection is gone: drops what is queued and releases whoever waits on it.</summary>
    public override void Complete()
    {
        ReleaseWaiters();
        base.Complete();
    }

    private bool Enqueue(object item, bool bounded = true)
    {
        switch (_outbox.Add(item, bounded))
        {
            case OutboxResult.Queued:
                return true;
            case OutboxResult.Full when ReleaseWaiters():
                LogSlowConsumer(_logger, SocketId, OutboxCapacity);
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
    private void Sent(SerializedHubMessage message) => Counters.Sent(message.GetSerializedMessage(_connection.Protocol).Length);

    private async Task CloseAsync(CloseMessage close)
    {
        var aborted = _connection.ConnectionAborted;
        try
        {
            await _connection.WriteAsync(close, aborted);
            // Clients close on receiving it; aborting at once could cut the message off before
            // the transport sends it. Abort only a client that lingers.
            await Task.Delay(CloseDeadline.Timeout, aborted);
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
}
