using System.Text;
using System.Threading.RateLimiting;

namespace SkubberPush.Channels;

/// <summary>
/// Client events (<c>client-*</c>) for every transport, with Pusher's checks in Pusher's order
/// (pusher-compat §4.9): enabled for the app, name, private or presence channel, sender
/// subscribed, size, then the per-connection rate. Relayed through the broker to every other
/// subscriber, never back to the sending connection, with the sender's presence user id.
/// </summary>
public sealed class ClientEventRelay(IBroker broker, IChannelObserver? observer = null) : IDisposable
{
    // One limiter for all connections: a single timer replenishes every bucket, and buckets of
    // connections that went quiet are dropped, so idle connections cost nothing here.
    private readonly PartitionedRateLimiter<RateKey> _rates = PartitionedRateLimiter.Create<RateKey, RateKey>(key =>
        RateLimitPartition.GetTokenBucketLimiter(key, static k => new TokenBucketRateLimiterOptions
        {
            TokenLimit = k.PerSecond,
            TokensPerPeriod = k.PerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
        }));

    public async ValueTask<ClientEventRejection?> RelayAsync(string appId, ClientEventPolicy policy, Subscriber sender,
        string channel, string eventName, string data, CancellationToken cancellationToken = default)
    {
        if (!policy.Enabled)
            return new(4301, "Client events are not enabled for this app");
        if (!EventName.IsClientEvent(eventName))
            return new(null, $"Client event rejected - event names must start with {EventName.ClientPrefix}");
        if (eventName.Length > EventName.MaxLength)
            return new(null, $"Client event rejected - event name longer than {EventName.MaxLength} characters");
        if (!ChannelName.TryParse(channel, out var name, out _) || !name.AllowsClientEvents)
            return new(null, "Client event rejected - only supported on private and presence channels");
        if (!sender.TryGetPresenceUser(channel, out var userId))
            return new(null, $"Client event rejected - not subscribed to {channel}");
        var bytes = Encoding.UTF8.GetByteCount(data);
        if (bytes > policy.MaxPayloadBytes)
            return new(4301, $"Client event rejected - data too large: {bytes} bytes, at most {policy.MaxPayloadBytes}");
        using (var lease = _rates.AttemptAcquire(new RateKey(sender.SocketId, policy.PerSecond)))
            if (!lease.IsAcquired)
                return new(4301, "Client event rejected due to rate limit", RateLimited: true);

        await broker.PublishAsync(appId, new OutboundEvent(channel, eventName, data, userId, exceptSocketId: sender.SocketId), cancellationToken);
        observer?.ClientEvent(appId, channel, eventName, data, sender.SocketId, userId);
        return null;
    }

    public void Dispose() => _rates.Dispose();

    private readonly record struct RateKey(string SocketId, int PerSecond);
}
