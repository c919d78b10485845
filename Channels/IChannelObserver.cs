namespace SkubberPush.Channels;

/// <summary>
/// What happens in the channel space, for whoever needs to know (webhooks). Called on the
/// subscribe, unsubscribe and relay paths, sometimes under a channel's lock: implementations only
/// enqueue and return.
/// </summary>
public interface IChannelObserver
{
    void ChannelOccupied(string appId, string channel);
    void ChannelVacated(string appId, string channel);
    void MemberAdded(string appId, string channel, string userId);
    void MemberRemoved(string appId, string channel, string userId);
    void ClientEvent(string appId, string channel, string eventName, string data, string socketId, string? userId);
    void CacheMiss(string appId, string channel);
    void SubscriptionCountChanged(string appId, string channel, int count);
}

/// <summary>Nobody is listening.</summary>
public sealed class NullChannelObserver : IChannelObserver
{
    public static NullChannelObserver Instance { get; } = new();
    public void ChannelOccupied(string appId, string channel) { }
    public void ChannelVacated(string appId, string channel) { }
    public void MemberAdded(string appId, string channel, string userId) { }
    public void MemberRemoved(string appId, string channel, string userId) { }
    public void ClientEvent(string appId, string channel, string eventName, string data, string socketId, string? userId) { }
    public void CacheMiss(string appId, string channel) { }
    public void SubscriptionCountChanged(string appId, string channel, int count) { }
}
