using System.Text.Json;
using System.Text.Json.Serialization;

namespace SkubberPush.Json.Wire;

/// <summary>Presence <c>subscription_succeeded</c> data: <c>{"presence":{"ids","hash","count"}}</c>.</summary>
public sealed record PresenceRosterData([property: JsonPropertyName("presence")] PresenceRosterBody Presence);

public sealed record PresenceRosterBody(
    [property: JsonPropertyName("ids")] string[] Ids,
    [property: JsonPropertyName("hash")] Dictionary<string, JsonElement?> Hash,
    [property: JsonPropertyName("count")] int Count);
