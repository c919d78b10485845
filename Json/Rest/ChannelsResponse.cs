using System.Text.Json.Serialization;

namespace SkubberPush.Json.Rest;

/// <summary>Occupied channels; always an object, even when empty (the PHP SDK needs that).</summary>
public sealed record ChannelsResponse(
    [property: JsonPropertyName("channels")] Dictionary<string, ChannelAttributes> Channels);
