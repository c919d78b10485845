using System.Threading.Channels;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using SkubberPush.Auth;
using SkubberPush.Channels;
using SkubberPush.Observability;

namespace SkubberPush.Hubs;

/// <summary>
/// A hub connection as the channel core sees it. Publishers only enqueue into a bounded outbox;
/// one send loop per connection writes in order, so a slow client delays nobody else and, once
/// its outbox is full, is disconnected instead of growing memory.
/// </summary>
public sealed partial class HubSubscriber : Subscriber
{
    public const int OutboxCapacity = 1024;
    public const int InvocationsPerSecond = 100;
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private readonly HubConnectionContext _connection;
    private readonly TransportCounters _counters;
    private readonly ILogger _logger;
    // Items are SerializedHubMessage, CloseMessage, or a TaskCompletionSource to complete when reached.
    private readonly Channel<object> _outbox = Channel.CreateBounded<object>(
        new BoundedChannelOptions(OutboxCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    public HubSubscriber(string socketId, HubConnectionContext connection, HubIdentity identity, TransportCounters counters, ILogger logger) : base(socketId)
    {
        _connection = connection;
        _counters = counters;
        _logger = logger;
        Identity = identity;
    }

    private TokenBucketRateLimiter? _invocations;

    public HubIdentity Identity { get; }

    public TransportCounters Counters => _counters;

    public void Start() => _ = SendLoopAsync();

    public override void Deliver(OutboundEvent evt) => Enqueue(evt.Encode(HubEventEncoder.Instance));

    /// <summary>terminate_connections: a close message that tells the client not to reconnect.</summary>
    public override void Terminate() => Enqueue(new CloseMessage("Connection terminated by the application", allowReconnect: false));

    /// <summary>Draining: a close message that invites the client to reconnect.</summary>
    public override void Reconnect() => Enqueue(new CloseMessage("Server shutting down; reconnect", allowReconnect: true));

    /// <summary>Completes once everything queued before it has been written to the connection.</summary>
    public Task FlushAsync()
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_outbox.Writer.TryWrite(flushed))
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

    /// <summary>Stops the send loop; called once the connection is gone.</summary>
    public void Complete()
    {
        _outbox.Writer.TryComplete();
        _invocations?.Dispose();
    }

    private void Enqueue(object item)
    {
        if (_outbox.Writer.TryWrite(item))
            return;
        if (_outbox.Writer.TryComplete())
        {
            LogSlowConsumer(SocketId, OutboxCapacity);
            _connection.Abort();
        }
    }

    private async Task SendLoopAsync()
    {
        var reader = _outbox.Reader;
        var aborted = _connection.ConnectionAborted;
        try
        {
            while (await reader.WaitToReadAsync(aborted))
            {
                while (reader.TryRead(out var item))
                {
                    switch (item)
                    {
                        case SerializedHubMessage message:
                            await _connection.WriteAsync(message, aborted);
                            // Cached by the write above: reading the length serializes nothing.
                            _counters.Sent(message.GetSerializedMessage(_connection.Protocol).Length);
                            break;
                        case TaskCompletionSource flushed:
                            flushed.TrySetResult();
                            break;
                        case CloseMessage close:
                            await _connection.WriteAsync(close, aborted);
                            // Clients close on receiving it; aborting at once could cut the message
                            // off before the transport sends it. Abort only a client that lingers.
                            await Task.Delay(CloseTimeout, aborted).ContinueWith(static _ => { }, TaskScheduler.Default);
                            _connection.Abort();
                            return;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The connection closed; OnDisconnectedAsync cleans up.
        }
        finally
        {
            _outbox.Writer.TryComplete();
            while (reader.TryRead(out var item))
                (item as TaskCompletionSource)?.TrySetResult();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hub connection {SocketId} closed: it fell {Capacity} messages behind")]
    private partial void LogSlowConsumer(string socketId, int capacity);
}
