using System.Text.Json;
using System.Text.Json.Serialization;

namespace SkubberPush.Json.Wire;

public sealed record MemberAddedData(
    [property: JsonPropertyName("user_id")] string UserId,
    [property: JsonPropertyName("user_info")] JsonElement? UserInfo);
