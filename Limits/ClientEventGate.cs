using SkubberPush.Apps;
using SkubberPush.Channels;
using SkubberPush.Observability;

namespace SkubberPush.Limits;

/// <summary>
/// A client event from any transport: the app's daily quota, then the core's relay with the app's
/// client-event rules, then the count and the refusal metrics. Transports only render the outcome
/// (a <c>pusher:error</c> frame, a HubException).
/// </summary>
public sealed class ClientEventGate(ClientEventRelay relay, MessageQuota quota, PushMetrics metrics)
{
    public async ValueTask<ClientEventRejection?> SendAsync(PushApp app, Subscriber sender, string channel, string eventName, string data,
        CancellationToken cancellationToken = default)
    {
        if (quota.IsExceeded(app))
        {
            metrics.RateLimited("daily_quota");
            return new ClientEventRejection(4004, "Daily message quota exceeded");
        }
        var policy = new ClientEventPolicy(app.Limits.ClientEventsEnabled, app.Limits.MaxEventPayloadBytes, app.Limits.ClientEventsPerSecond);
        var rejected = await relay.RelayAsync(app.Id, policy, sender, channel, eventName, data, cancellationToken);
        if (rejected is null)
            quota.CountPublished(app.Id, 1);
        else if (rejected.RateLimited)
            metrics.RateLimited("client_events");
        return rejected;
    }
}
