using System.Text.Json.Serialization;

namespace SkubberPush.Json.Rest;

public sealed record UsersResponse([property: JsonPropertyName("users")] PresenceUser[] Users);

public sealed record PresenceUser([property: JsonPropertyName("id")] string Id);
