using System.Text;
using System.Text.Json;
using SkubberPush.Apps;
using SkubberPush.Channels;
using static System.StringComparison;

namespace SkubberPush.Auth;

/// <summary>
/// Decides whether a connection may join a channel, and as which presence member. Two ways for
/// private and presence channels: a Pusher channel signature (what every Pusher server library's
/// <c>authorizeChannel</c> returns), or the hub token's <c>channels</c> grants.
/// </summary>
public static class ChannelAuthorizer
{
    /// <summary>
    /// Pusher signature over <c>socket_id:channel[:channel_data]</c> (pusher-compat §5.2, §5.3).
    /// A signed-in connection may omit <c>channel_data</c> on presence channels and joins as its user.
    /// </summary>
    public static SubscriptionFailure? BySignature(PushApp app, string socketId, ChannelName channel, string? auth,
        string? channelData, PresenceMember? signedInUser, out PresenceMember? member)
    {
        member = null;
        if (channel.Kind == ChannelKind.ServerToUser)
            return ServerToUser(channel, signedInUser?.UserId);
        if (!channel.RequiresAuthorization)
            return null;
        if (string.IsNullOrEmpty(auth))
            return SubscriptionFailure.Auth($"Auth info required to subscribe to {channel.Value}");
        if (channel.IsPresence && string.IsNullOrEmpty(channelData) && signedInUser is null)
            return SubscriptionFailure.Auth($"Presence channel {channel.Value} needs channel_data (or a signed-in user)", 400);
        var data = channel.IsPresence ? NullIfEmpty(channelData) : null;
        var toSign = PusherSignature.ChannelStringToSign(socketId, channel.Value, data);
        if (!PusherSignature.VerifyAuth(app.Key, Encoding.UTF8.GetBytes(app.Secret), auth, toSign, out var error))
            return SubscriptionFailure.Auth(error);
        if (!channel.IsPresence)
            return null;
        if (data is null)
        {
            member = signedInUser;
            return null;
        }
        return PresenceChannelData.TryParse(data, app.Limits.MaxUserInfoBytes, out member);
    }

    /// <summary>
    /// The token's grants: exact channel names, or prefixes ending in <c>*</c>
    /// (<c>private-team-42-*</c>). Presence members are the token's user and its <c>user_info</c>.
    /// </summary>
    public static SubscriptionFailure? ByGrant(IReadOnlyList<string> grants, ChannelName channel, string? userId,
        JsonElement? userInfo, int maxUserInfoBytes, out PresenceMember? member)
    {
        member = null;
        if (channel.Kind == ChannelKind.ServerToUser)
            return ServerToUser(channel, userId);
        if (!channel.RequiresAuthorization)
            return null;
        if (!IsGranted(grants, channel.Value))
            return SubscriptionFailure.Auth($"not authorized for {channel.Value}: the token does not grant it");
        if (!channel.IsPresence)
            return null;
        if (userId is null)
            return SubscriptionFailure.Auth($"Presence channel {channel.Value} needs a user: a token with sub, or userId", 400);
        return PresenceChannelData.Check(userId, userInfo, maxUserInfoBytes, out member);
    }

    public static bool IsGranted(IReadOnlyList<string> grants, string channel)
    {
        foreach (var grant in grants)
        {
            if (grant.EndsWith('*') ? channel.StartsWith(grant.AsSpan(0, grant.Length - 1), Ordinal) : grant == channel)
                return true;
        }
        return false;
    }

    // Only the user itself may listen on its server-to-user channel (pusher-compat §6.3).
    private static SubscriptionFailure? ServerToUser(ChannelName channel, string? userId) =>
        userId == channel.ServerToUserId ? null : SubscriptionFailure.Auth($"{channel.Value} is only for the signed-in user {channel.ServerToUserId}", 403);

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
