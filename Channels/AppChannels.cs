using System.Collections.Concurrent;
using System.Text.Json;
using SkubberPush.Json;
using SkubberPush.Json.Wire;
using static System.StringComparison;

namespace SkubberPush.Channels;

/// <summary>
/// The channels, presence rosters, signed-in users and connection count of one app on this node.
/// Publishing reads copy-on-write snapshots without locks; subscribe and unsubscribe lock only the
/// channel they touch.
/// </summary>
public sealed class AppChannels
{
    private readonly ConcurrentDictionary<string, OccupiedChannel> _channels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SubscriberSet> _signedIn = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Subscriber, byte> _connected = new();
    private readonly Lock _usersGate = new();
    private readonly CacheChannelStore _cache;
    private readonly IChannelObserver _observer;
    private int _connections;

    internal AppChannels(string appId, TimeProvider time, ChannelOptions options, IChannelObserver observer)
    {
        AppId = appId;
        _cache = new CacheChannelStore(time, options.CacheTtl);
        _observer = observer;
    }

    public string AppId { get; }

    /// <summary>
    /// Messages as Pusher counts them for quotas: every event published (counted where it was
    /// published) and every delivery of one to a connection (counted where it was delivered).
    /// </summary>
    public StripedCounter Messages { get; } = new();

    public int ConnectionCount => Volatile.Read(ref _connections);

    /// <summary>The open connections of this app on this node, whatever their transport.</summary>
    public ICollection<Subscriber> Connections => _connected.Keys;

    public int ChannelCount => _channels.Count;

    /// <summary>Subscriptions over all channels; read when metrics are scraped, not on any hot path.</summary>
    public long SubscriptionCount
    {
        get
        {
            long sum = 0;
            foreach (var channel in _channels.Values)
                sum += channel.Subscribers.Count;
            return sum;
        }
    }

    /// <summary>Admits a connection unless the app has <paramref name="maxConnections"/> (0: no limit).</summary>
    public bool TryConnect(Subscriber subscriber, int maxConnections)
    {
        while (true)
        {
            var current = Volatile.Read(ref _connections);
            if (maxConnections > 0 && current >= maxConnections)
                return false;
            if (Interlocked.CompareExchange(ref _connections, current + 1, current) == current)
            {
                _connected[subscriber] = 0;
                return true;
            }
        }
    }

    /// <summary>Removes every trace of a closed connection and releases its admission.</summary>
    public void Disconnect(Subscriber subscriber)
    {
        if (!_connected.TryRemove(subscriber, out _))
            return;
        foreach (var membership in subscriber.MembershipSnapshot())
            Leave(subscriber, membership.Channel);
        if (subscriber.UserId is { } userId)
            RemoveSignedIn(subscriber, userId);
        Interlocked.Decrement(ref _connections);
    }

    /// <summary>
    /// Joins a channel the caller has already authorized. The succeeded event (with the roster for
    /// presence) and then the cached event or cache miss are queued to the subscriber before it
    /// enters the fan-out set, so nothing published to the channel can overtake them.
    /// </summary>
    public SubscribeOutcome Subscribe(Subscriber subscriber, ChannelName name, PresenceMember? member, int maxPresenceMembers)
    {
        if (name.IsPresence)
            ArgumentNullException.ThrowIfNull(member);
        while (true)
        {
            var channel = _channels.GetOrAdd(name.Value, static (_, n) => new OccupiedChannel(n), name);
            lock (channel.Gate)
            {
                if (channel.Removed)
                    continue;
                if (subscriber.TryGetMembership(name.Value, out _))
                {
                    subscriber.Deliver(Succeeded(channel));
                    return SubscribeOutcome.AlreadySubscribed;
                }
                var roster = channel.Presence;
                if (roster is not null && !roster.Contains(member!.UserId) && roster.Count >= maxPresenceMembers)
                {
                    RemoveIfEmpty(channel);
                    return SubscribeOutcome.PresenceFull;
                }
                var firstOfUser = roster?.Add(member!) ?? false;
                if (firstOfUser)
                    DeliverToAll(channel, MemberAdded(name.Value, member!));
                subscriber.Deliver(Succeeded(channel));
                if (name.IsCache)
                {
                    if (_cache.TryGet(name.Value, out var cached))
                        subscriber.Deliver(new OutboundEvent(name.Value, cached.Event, cached.Data));
                    else
                    {
                        subscriber.Deliver(new OutboundEvent(name.Value, InternalEvents.CacheMiss, null));
                        _observer.CacheMiss(AppId, name.Value);
                    }
                }
                var count = channel.Subscribers.Add(subscriber);
                subscriber.AddMembership(new Membership(channel, member?.UserId));
                if (count == 1)
                    _observer.ChannelOccupied(AppId, name.Value);
                if (firstOfUser)
                    _observer.MemberAdded(AppId, name.Value, member!.UserId);
                if (roster is null)
                    _observer.SubscriptionCountChanged(AppId, name.Value, count);
                return SubscribeOutcome.Subscribed;
            }
        }
    }

    /// <summary>Leaves a channel; false when the subscriber was not in it.</summary>
    public bool Unsubscribe(Subscriber subscriber, string channelName) =>
        subscriber.TryGetMembership(channelName, out var membership) && Leave(subscriber, membership.Channel);

    /// <summary>Binds a connection to a user, for <c>#server-to-user-</c> delivery and termination.</summary>
    public void SignIn(Subscriber subscriber, string userId)
    {
        lock (_usersGate)
        {
            if (subscriber.UserId == userId)
                return;
            if (subscriber.UserId is { } previous)
                RemoveSignedInLocked(subscriber, previous);
            subscriber.UserId = userId;
            _signedIn.GetOrAdd(userId, static _ => new SubscriberSet()).Add(subscriber);
        }
    }

    /// <summary>Publishes an event that arrived through the broker: cache it if asked, then fan out.</summary>
    public void Publish(OutboundEvent evt)
    {
        if (evt.StoreInCache)
            _cache.Store(evt);
        if (evt.Channel.StartsWith(ChannelName.ServerToUserPrefix, Ordinal))
        {
            if (_signedIn.TryGetValue(evt.Channel[ChannelName.ServerToUserPrefix.Length..], out var connections))
                Messages.Add(DeliverTo(connections.Snapshot, evt));
            return;
        }
        if (_channels.TryGetValue(evt.Channel, out var channel))
            Messages.Add(DeliverTo(channel.Subscribers.Snapshot, evt));
    }

    public int TerminateUser(string userId)
    {
        if (!_signedIn.TryGetValue(userId, out var connections))
            return 0;
        var snapshot = connections.Snapshot;
        foreach (var subscriber in snapshot)
            subscriber.Terminate();
        return snapshot.Length;
    }

    public ChannelStats GetStats(string channelName) =>
        _channels.TryGetValue(channelName, out var channel) ? Stats(channel) : default;

    /// <summary>Occupied channels whose name starts with <paramref name="prefix"/>, sorted by name.</summary>
    public List<KeyValuePair<string, ChannelStats>> ListOccupied(string? prefix)
    {
        var result = new List<KeyValuePair<string, ChannelStats>>();
        foreach (var (name, channel) in _channels)
        {
            if (prefix is not null && !name.StartsWith(prefix, Ordinal))
                continue;
            var stats = Stats(channel);
            if (stats.Occupied)
                result.Add(KeyValuePair.Create(name, stats));
        }
        result.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return result;
    }

    public string[] PresenceUserIds(string channelName)
    {
        if (!_channels.TryGetValue(channelName, out var channel) || channel.Presence is null)
            return [];
        lock (channel.Gate)
            return channel.Presence.UserIds();
    }

    public bool TryGetCached(string channelName, out CachedEvent cached) => _cache.TryGet(channelName, out cached);

    private bool Leave(Subscriber subscriber, OccupiedChannel channel)
    {
        lock (channel.Gate)
        {
            if (!subscriber.TryGetMembership(channel.Name.Value, out var membership) || !subscriber.RemoveMembership(channel))
                return false;
            var count = channel.Subscribers.Remove(subscriber);
            if (membership.PresenceUserId is { } userId && channel.Presence!.Remove(userId))
            {
                DeliverToAll(channel, MemberRemoved(channel.Name.Value, userId));
                _observer.MemberRemoved(AppId, channel.Name.Value, userId);
            }
            if (channel.Presence is null)
                _observer.SubscriptionCountChanged(AppId, channel.Name.Value, count);
            if (count == 0)
                _observer.ChannelVacated(AppId, channel.Name.Value);
            RemoveIfEmpty(channel);
            return true;
        }
    }

    // Under the channel's gate: an empty channel leaves the map only if it is still this instance.
    private void RemoveIfEmpty(OccupiedChannel channel)
    {
        if (channel.Subscribers.Count > 0)
            return;
        channel.Removed = true;
        _channels.TryRemove(KeyValuePair.Create(channel.Name.Value, channel));
    }

    private void RemoveSignedIn(Subscriber subscriber, string userId)
    {
        lock (_usersGate)
            RemoveSignedInLocked(subscriber, userId);
    }

    private void RemoveSignedInLocked(Subscriber subscriber, string userId)
    {
        if (_signedIn.TryGetValue(userId, out var set) && set.Remove(subscriber) == 0)
            _signedIn.TryRemove(KeyValuePair.Create(userId, set));
    }

    private static ChannelStats Stats(OccupiedChannel channel)
    {
        if (channel.Presence is null)
            return new ChannelStats(channel.Subscribers.Count, 0);
        lock (channel.Gate)
            return new ChannelStats(channel.Subscribers.Count, channel.Presence.Count);
    }

    private static int DeliverTo(Subscriber[] subscribers, OutboundEvent evt)
    {
        var except = evt.ExceptSocketId;
        var delivered = 0;
        foreach (var subscriber in subscribers)
            if (except is null || !string.Equals(subscriber.SocketId, except, Ordinal))
            {
                subscriber.Deliver(evt);
                delivered++;
            }
        return delivered;
    }

    private static void DeliverToAll(OccupiedChannel channel, OutboundEvent evt) => DeliverTo(channel.Subscribers.Snapshot, evt);

    private static OutboundEvent Succeeded(OccupiedChannel channel) =>
        new(channel.Name.Value, InternalEvents.SubscriptionSucceeded, channel.Presence?.SerializeRoster() ?? "{}");

    private static OutboundEvent MemberAdded(string channel, PresenceMember member) =>
        new(channel, InternalEvents.MemberAdded,
            JsonSerializer.Serialize(new MemberAddedData(member.UserId, member.UserInfo), PushJsonContext.Wire.MemberAddedData));

    private static OutboundEvent MemberRemoved(string channel, string userId) =>
        new(channel, InternalEvents.MemberRemoved,
            JsonSerializer.Serialize(new MemberRemovedData(userId), PushJsonContext.Wire.MemberRemovedData));
}
