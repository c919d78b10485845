using System.Text.Json.Serialization;

namespace SkubberPush.Json.Wire;

/// <summary><c>pusher:subscribe</c> data; the Java client may send <c>channel_data: null</c>.</summary>
public sealed record SubscribeData(
    [property: JsonPropertyName("channel")] string? Channel,
    [property: JsonPropertyName("auth")] string? Auth = null,
    [property: JsonPropertyName("channel_data")] string? ChannelData = null);
