using System.Text.Json.Serialization;

namespace SkubberPush.Json.Rest;

/// <summary>The <c>info</c> attributes of one channel; an attribute not asked for is left out.</summary>
public sealed record ChannelAttributes(
    [property: JsonPropertyName("user_count"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? UserCount,
    [property: JsonPropertyName("subscription_count"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? SubscriptionCount);
