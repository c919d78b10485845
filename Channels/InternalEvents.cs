namespace SkubberPush.Channels;

/// <summary>Pusher's names for the events the server itself raises, declared once.</summary>
public static class InternalEvents
{
    public const string SubscriptionSucceeded = "pusher_internal:subscription_succeeded";
    public const string MemberAdded = "pusher_internal:member_added";
    public const string MemberRemoved = "pusher_internal:member_removed";
    public const string CacheMiss = "pusher:cache_miss";
    public const string SubscriptionError = "pusher:subscription_error";
}
