using System.Text.Json;
using System.Text.Json.Serialization;

namespace SkubberPush.Json.Wire;

/// <summary>
/// A client → server frame. <c>data</c> is usually an object, may be a string holding JSON, or absent.
/// </summary>
public sealed record PusherClientFrame(
    [property: JsonPropertyName("event")] string? Event,
    [property: JsonPropertyName("channel")] string? Channel = null,
    [property: JsonPropertyName("data")] JsonElement? Data = null);
