using System.Text.Json.Serialization;

namespace SkubberPush.Webhooks;

/// <summary>One webhook request in the outbox, as <c>apps webhooks</c> shows it.</summary>
public sealed record WebhookDelivery(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("app_id")] string AppId,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("attempts")] int Attempts,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("last_status"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? LastStatus,
    [property: JsonPropertyName("last_error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LastError,
    [property: JsonPropertyName("last_latency_ms"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? LastLatencyMs,
    [property: JsonPropertyName("body")] string Body);
