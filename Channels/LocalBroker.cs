namespace SkubberPush.Channels;

/// <summary>The single-node broker: delivery is a direct call into the registry.</summary>
public sealed class LocalBroker(ChannelRegistry registry) : IBroker
{
    public ValueTask PublishAsync(string appId, OutboundEvent evt, CancellationToken cancellationToken = default)
    {
        registry.For(appId).Publish(evt);
        return ValueTask.CompletedTask;
    }

    public ValueTask TerminateUserAsync(string appId, string userId, CancellationToken cancellationToken = default)
    {
        registry.For(appId).TerminateUser(userId);
        return ValueTask.CompletedTask;
    }
}
