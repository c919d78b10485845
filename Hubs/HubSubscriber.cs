using System.Threading.RateLimiting;
using Microsoft.AspNetCore.SignalR.Protocol;
using SkubberPush.Auth;
using SkubberPush.Channels;
using SkubberPush.Observability;

namespace SkubberPush.Hubs;

/// <summary>
/// A hub connection as the channel core and <see cref="PushHub"/> see it, whichever way it is served:
/// <see cref="HubPipelineSubscriber"/> through SignalR's transports, <see cref="HubSocketSubscriber"/>
/// on a socket taken over before the HTTP pipeline.
/// </summary>
public abstract partial class HubSubscriber(string socketId, HubIdentity identity, TransportCounters counters) : Subscriber(socketId)
{
    public const int OutboxCapacity = 1024;
    public const int InvocationsPerSecond = 100;

    private TokenBucketRateLimiter? _invocations;

    public HubIdentity Identity { get; } = identity;

    public TransportCounters Counters { get; } = counters;

    /// <summary>Sends <c>connected</c> with the socket id; no event reaches the client before it.</summary>
    public abstract Task StartAsync();

    /// <summary>Completes once the client will see everything queued before it ahead of anything sent later.</summary>
    public abstract Task FlushAsync();

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

    /// <summary>terminate_connections: a close message that tells the client not to reconnect.</summary>
    public override void Terminate() => Close(new CloseMessage("Connection terminated by the application", allowReconnect: false));

    /// <summary>Draining: a close message that invites the client to reconnect.</summary>
    public override void Reconnect() => Close(new CloseMessage("Server shutting down; reconnect", allowReconnect: true));

    /// <summary>Queues the close message after what is queued, then ends the connection.</summary>
    protected abstract void Close(CloseMessage message);

    /// <summary>Called once the connection is gone.</summary>
    public virtual void Complete() => _invocations?.Dispose();

    protected InvocationMessage ConnectedMessage() => new(PushHub.ConnectedMethod, [SocketId]);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hub connection {SocketId} closed: it fell {Capacity} messages behind")]
    protected static partial void LogSlowConsumer(ILogger logger, string socketId, int capacity);
}
