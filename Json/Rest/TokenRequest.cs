using System.Text.Json;
using System.Text.Json.Serialization;

namespace SkubberPush.Json.Rest;

/// <summary><c>POST /api/auth/signalr-token</c>: the app's credentials and what the token should say.</summary>
public sealed record TokenRequest(
    [property: JsonPropertyName("apiKey")] string? ApiKey,
    [property: JsonPropertyName("apiSecret")] string? ApiSecret,
    [property: JsonPropertyName("userId")] string? UserId = null,
    [property: JsonPropertyName("userInfo")] JsonElement? UserInfo = null,
    [property: JsonPropertyName("channels")] string[]? Channels = null,
    [property: JsonPropertyName("expiresIn")] int? ExpiresIn = null);
