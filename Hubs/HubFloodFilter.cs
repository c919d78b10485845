using System.Threading.RateLimiting;
using Microsoft.AspNetCore.SignalR;
using SkubberPush.Observability;

namespace SkubberPush.Hubs;

/// <summary>
/// Closes a hub connection that floods invocations. Legitimate clients call Subscribe, Unsubscribe
/// and Trigger a few times a second (client events have their own 10/s limit, answered with a
/// HubException); a connection past <see cref="PerSecond"/> sustained is abuse and is aborted.
/// </summary>
public sealed partial class HubFloodFilter(PushMetrics metrics, ILogger<HubFloodFilter> logger) : IHubFilter, IDisposable
{
    public const int PerSecond = 100;

    private readonly PartitionedRateLimiter<string> _rates = PartitionedRateLimiter.Create<string, string>(connectionId =>
        RateLimitPartition.GetTokenBucketLimiter(connectionId, static _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = 2 * PerSecond,
            TokensPerPeriod = PerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
        }));

    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        using var lease = _rates.AttemptAcquire(invocationContext.Context.ConnectionId);
        if (lease.IsAcquired)
            return next(invocationContext);
        metrics.RateLimited("hub_invocations");
        LogFlood(invocationContext.Context.ConnectionId, PerSecond);
        invocationContext.Context.Abort();
        throw new HubException("4301: too many invocations; connection closed");
    }

    public void Dispose() => _rates.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hub connection {ConnectionId} closed: more than {PerSecond} invocations per second")]
    private partial void LogFlood(string connectionId, int perSecond);
}
