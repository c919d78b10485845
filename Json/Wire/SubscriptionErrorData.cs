using System.Text.Json.Serialization;

namespace SkubberPush.Json.Wire;

/// <summary><c>pusher:subscription_error</c> data: <c>{"type","error","status"}</c> (soketi's shape, which Echo reads).</summary>
public sealed record SubscriptionErrorData(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("status")] int Status);
