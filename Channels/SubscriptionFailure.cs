namespace SkubberPush.Channels;

/// <summary>
/// Why a subscription was refused, in Pusher's terms (pusher-compat §4.7): the
/// <c>subscription_error</c> type and status, and a message for the client. Transports render it:
/// the Pusher socket as <c>pusher:subscription_error</c> plus <c>pusher:error</c>, the hub as a
/// <c>HubException</c> carrying <see cref="Code"/>.
/// </summary>
public sealed record SubscriptionFailure(string Type, int Status, string Message)
{
    /// <summary>The Pusher error code a hub client sees: the status where it is one (41xx, 43xx), else 4009.</summary>
    public int Code => Status >= 4000 ? Status : 4009;

    public static SubscriptionFailure Auth(string message, int status = 401) => new("AuthError", status, message);

    public static SubscriptionFailure InvalidChannel(string message) => new("InvalidChannel", 400, message);

    public static SubscriptionFailure PresenceFull(string channel, int max) =>
        new("LimitReached", 4100, $"Presence channel {channel} is full: at most {max} members");
}
