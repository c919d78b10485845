namespace SkubberPush.Channels;

/// <summary>What the REST API reports about a channel: connections and distinct presence users.</summary>
public readonly record struct ChannelStats(int SubscriptionCount, int UserCount)
{
    public bool Occupied => SubscriptionCount > 0;
}
