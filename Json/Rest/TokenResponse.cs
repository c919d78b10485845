using System.Text.Json.Serialization;

namespace SkubberPush.Json.Rest;

/// <summary>The JWT, when it expires (ISO 8601, UTC) and its lifetime in seconds.</summary>
public sealed record TokenResponse(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("expiresAt")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("expiresIn")] int ExpiresIn);
