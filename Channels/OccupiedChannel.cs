namespace SkubberPush.Channels;

/// <summary>One occupied channel of one app. It exists while it has subscribers.</summary>
internal sealed class OccupiedChannel(ChannelName name)
{
    public ChannelName Name { get; } = name;

    /// <summary>Serializes subscribe and unsubscribe on this channel; publishing never takes it.</summary>
    public Lock Gate { get; } = new();

    public SubscriberSet Subscribers { get; } = new();

    public PresenceRoster? Presence { get; } = name.IsPresence ? new PresenceRoster() : null;

    /// <summary>
    /// Set under <see cref="Gate"/> when the last subscriber left and the channel was taken out of
    /// the map; a subscriber that raced to this instance must retry with a fresh one.
    /// </summary>
    public bool Removed { get; set; }
}
