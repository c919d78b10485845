namespace SkubberPush.Channels;

/// <summary>
/// One client connection as the channel core sees it, whatever its transport. The core keeps the
/// connection's memberships here, so a transport cannot forget to clean up: it calls
/// <see cref="AppChannels.Disconnect"/> once and every channel, presence entry and user binding goes.
/// </summary>
public abstract class Subscriber(string socketId)
{
    private MembershipTable _memberships;

    /// <summary>Guards the memberships. Lock order: a channel's gate first, then this.</summary>
    internal Lock Gate { get; } = new();

    /// <summary>Pusher's <c>digits.digits</c> id: <c>socket_id</c> exclusion and channel auth use it.</summary>
    public string SocketId { get; } = socketId;

    /// <summary>The signed-in user (<c>pusher:signin</c>, or the hub token's user), if any.</summary>
    public string? UserId { get; internal set; }

    /// <summary>
    /// Queues one event for this connection. Called concurrently by publishers, so it must not block
    /// or throw: a connection that cannot keep up closes itself rather than stall the fan-out.
    /// </summary>
    public abstract void Deliver(OutboundEvent evt);

    /// <summary>The app asked to close this user's connections (<c>terminate_connections</c>).</summary>
    public abstract void Terminate();

    /// <summary>The server is going away: close so that the client reconnects (to another node).</summary>
    public abstract void Reconnect();

    public bool IsSubscribed(string channel)
    {
        lock (Gate) return _memberships.TryGet(channel, out _);
    }

    /// <summary>The presence user this connection joined <paramref name="channel"/> as.</summary>
    public bool TryGetPresenceUser(string channel, out string? userId)
    {
        lock (Gate)
        {
            var found = _memberships.TryGet(channel, out var membership);
            userId = membership.PresenceUserId;
            return found;
        }
    }

    internal bool TryGetMembership(string channel, out Membership membership)
    {
        lock (Gate) return _memberships.TryGet(channel, out membership);
    }

    internal void AddMembership(Membership membership)
    {
        lock (Gate) _memberships.Set(membership);
    }

    internal bool RemoveMembership(OccupiedChannel channel)
    {
        lock (Gate)
            return _memberships.TryGet(channel.Name.Value, out var current)
                && ReferenceEquals(current.Channel, channel)
                && _memberships.Remove(channel.Name.Value);
    }

    internal Membership[] MembershipSnapshot()
    {
        lock (Gate) return _memberships.ToArray();
    }
}

internal readonly record struct Membership(OccupiedChannel Channel, string? PresenceUserId);
