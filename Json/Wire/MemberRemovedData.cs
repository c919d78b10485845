using System.Text.Json.Serialization;

namespace SkubberPush.Json.Wire;

public sealed record MemberRemovedData([property: JsonPropertyName("user_id")] string UserId);
