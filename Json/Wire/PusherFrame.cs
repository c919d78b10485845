using System.Text.Json.Serialization;

namespace SkubberPush.Json.Wire;

/// <summary>
/// A server → client Pusher frame. <c>data</c> is always a string holding JSON text (pusher-compat
/// §4.2, the double-encoding rule) or absent; <c>user_id</c> only on presence client events.
/// </summary>
public sealed record PusherFrame(
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("channel"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Channel,
    [property: JsonPropertyName("data"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Data,
    [property: JsonPropertyName("user_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UserId = null);
