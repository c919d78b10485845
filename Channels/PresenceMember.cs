using System.Text.Json;

namespace SkubberPush.Channels;

/// <summary>A presence member: the user id as a string (pusher-compat §5.3) and its optional info.</summary>
public sealed record PresenceMember(string UserId, JsonElement? UserInfo);
