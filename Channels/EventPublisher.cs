namespace SkubberPush.Channels;

/// <summary>Publishes server events (REST triggers) through the broker: one event per target channel.</summary>
public sealed class EventPublisher(IBroker broker)
{
    public async ValueTask PublishAsync(string appId, IReadOnlyList<ChannelName> channels, string eventName, string data,
        string? exceptSocketId, CancellationToken cancellationToken)
    {
        foreach (var channel in channels)
            await broker.PublishAsync(appId, new OutboundEvent(channel.Value, eventName, data, exceptSocketId: exceptSocketId) { StoreInCache = channel.IsCache }, cancellationToken);
    }
}
