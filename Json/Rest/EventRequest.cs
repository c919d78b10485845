using System.Text.Json;
using System.Text.Json.Serialization;

namespace SkubberPush.Json.Rest;

/// <summary>
/// One event as Pusher's <c>POST /events</c> body or one item of <c>batch_events</c>.
/// <c>data</c> stays a <see cref="JsonElement"/>: Pusher sends a string, and an object or array
/// in its place is forwarded as its compact JSON text.
/// </summary>
public sealed record EventRequest(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("data")] JsonElement? Data,
    [property: JsonPropertyName("channel")] string? Channel = null,
    [property: JsonPropertyName("channels")] string[]? Channels = null,
    [property: JsonPropertyName("socket_id")] string? SocketId = null,
    [property: JsonPropertyName("info")] string? Info = null);
