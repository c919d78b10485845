using System.Text.Json.Serialization;

namespace SkubberPush.Json.Rest;

/// <summary><c>GET /channels/{name}</c>: <c>occupied</c> always, counts only when asked for.</summary>
public record ChannelInfoResponse(
    [property: JsonPropertyName("occupied")] bool Occupied,
    [property: JsonPropertyName("user_count"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? UserCount,
    [property: JsonPropertyName("subscription_count"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? SubscriptionCount);

/// <summary>
/// The same answer when <c>info=cache</c> was asked: <c>cache</c> is then always written,
/// as <c>null</c> when nothing is cached.
/// </summary>
public sealed record CachedChannelInfoResponse(
    bool Occupied, int? UserCount, int? SubscriptionCount,
    [property: JsonPropertyName("cache")] CachedEventInfo? Cache)
    : ChannelInfoResponse(Occupied, UserCount, SubscriptionCount);

public sealed record CachedEventInfo(
    [property: JsonPropertyName("data")] string Data,
    [property: JsonPropertyName("ttl")] int Ttl);
