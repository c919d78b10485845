namespace SkubberPush.Channels;

public enum SubscribeOutcome
{
    Subscribed,
    /// <summary>Already a subscriber: the succeeded event was sent again, nothing else changed.</summary>
    AlreadySubscribed,
    /// <summary>The presence channel has its maximum of distinct users.</summary>
    PresenceFull,
}
