using System.Text.Json;
using SkubberPush.Auth;
using SkubberPush.Channels;

namespace SkubberPush.Pusher;

/// <summary>
/// <c>pusher:signin</c>'s <c>user_data</c>: a JSON object whose <c>id</c> is a non-empty string of
/// channel-name characters (it becomes <c>#server-to-user-{id}</c>), with optional <c>user_info</c>.
/// </summary>
public static class UserDataParser
{
    public static bool TryParse(string userData, int maxUserInfoBytes, out PresenceMember? member, out string error)
    {
        member = null;
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(userData);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            error = "user_data is not valid JSON";
            return false;
        }
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString() is not { Length: > 0 } userId)
        {
            error = "user_data must be a JSON object with a non-empty string id";
            return false;
        }
        if (!ChannelName.TryParse(ChannelName.ServerToUserPrefix + userId, out _, out _))
        {
            error = "user_data id may only use the characters of channel names";
            return false;
        }
        JsonElement? info = root.TryGetProperty("user_info", out var i) ? i : null;
        if (PresenceChannelData.Check(userId, info, maxUserInfoBytes, out member) is { } tooLarge)
        {
            error = tooLarge.Message;
            return false;
        }
        error = "";
        return true;
    }
}
