using System.Globalization;
using System.Text;
using System.Text.Json;
using SkubberPush.Channels;

namespace SkubberPush.Auth;

/// <summary>
/// The presence member a client joins as: from <c>channel_data</c> (pusher-compat §5.3) or from a
/// token. A numeric <c>user_id</c> becomes its decimal string; <c>user_info</c> is any JSON value.
/// </summary>
public static class PresenceChannelData
{
    public const int MaxUserIdLength = 128;
    public static SubscriptionFailure? TryParse(string? channelData, int maxUserInfoBytes, out PresenceMember? member)
    {
        member = null;
        if (string.IsNullOrEmpty(channelData))
            return SubscriptionFailure.Auth("Presence channels need channel_data with a user_id", 400);
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(channelData);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return SubscriptionFailure.Auth("channel_data is not valid JSON", 400);
        }
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("user_id", out var id))
            return SubscriptionFailure.Auth("channel_data must be a JSON object with a user_id", 400);
        var userId = id.ValueKind switch
        {
            JsonValueKind.String => id.GetString(),
            JsonValueKind.Number => id.TryGetInt64(out var n) ? n.ToString(CultureInfo.InvariantCulture) : id.GetRawText(),
            _ => null,
        };
        if (string.IsNullOrEmpty(userId))
            return SubscriptionFailure.Auth("user_id in channel_data must be a non-empty string or a number", 400);
        JsonElement? info = root.TryGetProperty("user_info", out var i) && i.ValueKind != JsonValueKind.Undefined ? i : null;
        return Check(userId, info, maxUserInfoBytes, out member);
    }

    /// <summary>Applies the presence limits to a member from any source.</summary>
    public static SubscriptionFailure? Check(string userId, JsonElement? userInfo, int maxUserInfoBytes, out PresenceMember? member)
    {
        member = null;
        if (userId.Length > MaxUserIdLength)
            return new SubscriptionFailure("LimitReached", 4301, $"user_id is longer than {MaxUserIdLength} characters");
        if (userInfo is { } info && Encoding.UTF8.GetByteCount(info.GetRawText()) > maxUserInfoBytes)
            return new SubscriptionFailure("LimitReached", 4301, $"user_info is larger than {maxUserInfoBytes} bytes");
        member = new PresenceMember(userId, userInfo);
        return null;
    }
}
