using Microsoft.AspNetCore.SignalR;
using SkubberPush.Observability;

namespace SkubberPush.Hubs;

/// <summary>
/// Closes a hub connection that floods invocations. Legitimate clients call Subscribe, Unsubscribe
/// and Trigger a few times a second (client events have their own 10/s limit, answered with a
/// HubException); a connection past <see cref="HubSubscriber.InvocationsPerSecond"/> sustained is
/// abuse and is aborted. The budget lives in the connection, so it goes when the connection does.
/// </summary>
public sealed partial class HubFloodFilter(PushMetrics metrics, ILogger<HubFloodFilter> logger) : IHubFilter
{
    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var context = invocationContext.Context;
        if (context.Items.TryGetValue(typeof(HubSubscriber), out var item) && item is HubSubscriber subscriber && !subscriber.TryTakeInvocation())
        {
            metrics.RateLimited("hub_invocations");
            LogFlood(context.ConnectionId, HubSubscriber.InvocationsPerSecond);
            context.Abort();
            throw new HubException("4301: too many invocations; connection closed");
        }
        return next(invocationContext);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hub connection {ConnectionId} closed: more than {PerSecond} invocations per second")]
    private partial void LogFlood(string connectionId, int perSecond);
}
