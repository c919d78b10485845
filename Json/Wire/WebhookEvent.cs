using System.Text.Json.Serialization;

namespace SkubberPush.Json.Wire;

/// <summary>One event of a webhook body (pusher-compat §7.2); fields that do not apply are left out.</summary>
public sealed record WebhookEvent(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("channel")] string Channel,
    [property: JsonPropertyName("user_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UserId = null,
    [property: JsonPropertyName("event"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Event = null,
    [property: JsonPropertyName("data"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Data = null,
    [property: JsonPropertyName("socket_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SocketId = null,
    [property: JsonPropertyName("subscription_count"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? SubscriptionCount = null);

/// <summary><c>{"time_ms": ..., "events": [...]}</c>: exactly what Pusher sends.</summary>
public sealed record WebhookBody(
    [property: JsonPropertyName("time_ms")] long TimeMs,
    [property: JsonPropertyName("events")] WebhookEvent[] Events);
