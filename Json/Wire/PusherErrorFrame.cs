using System.Text.Json.Serialization;

namespace SkubberPush.Json.Wire;

/// <summary><c>pusher:error</c>: the one frame whose <c>data</c> is an object, <c>{"code": int or null, "message"}</c>.</summary>
public sealed record PusherErrorFrame(
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("channel"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Channel,
    [property: JsonPropertyName("data")] PusherErrorData Data);

public sealed record PusherErrorData(
    [property: JsonPropertyName("code")] int? Code,
    [property: JsonPropertyName("message")] string Message);
