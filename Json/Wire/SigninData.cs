using System.Text.Json.Serialization;

namespace SkubberPush.Json.Wire;

/// <summary><c>pusher:signin</c> data: the auth string and the exact <c>user_data</c> text it signs.</summary>
public sealed record SigninData(
    [property: JsonPropertyName("auth")] string? Auth,
    [property: JsonPropertyName("user_data")] string? UserData);

/// <summary><c>pusher:signin_success</c> data: the <c>user_data</c> string echoed unchanged.</summary>
public sealed record SigninSuccessData([property: JsonPropertyName("user_data")] string UserData);
