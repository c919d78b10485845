using System.Text.Json.Serialization;

namespace SkubberPush.Apps;

/// <summary>An app as the CLI prints it with <c>--json</c>; <c>secret</c> only where asked for.</summary>
public sealed record AppView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("secret"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Secret,
    [property: JsonPropertyName("enabled")] bool Enabled,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("max_connections")] int MaxConnections,
    [property: JsonPropertyName("max_event_payload_bytes")] int MaxEventPayloadBytes,
    [property: JsonPropertyName("max_channels_per_trigger")] int MaxChannelsPerTrigger,
    [property: JsonPropertyName("max_batch_size")] int MaxBatchSize,
    [property: JsonPropertyName("max_presence_members")] int MaxPresenceMembers,
    [property: JsonPropertyName("client_events")] bool ClientEvents,
    [property: JsonPropertyName("client_events_per_second")] int ClientEventsPerSecond,
    [property: JsonPropertyName("max_user_info_bytes")] int MaxUserInfoBytes,
    [property: JsonPropertyName("max_triggers_per_second")] int MaxTriggersPerSecond,
    [property: JsonPropertyName("max_messages_per_day")] long MaxMessagesPerDay,
    [property: JsonPropertyName("webhook_url")] string? WebhookUrl,
    [property: JsonPropertyName("webhook_events")] string[]? WebhookEvents)
{
    public static AppView From(PushApp app, bool withSecret) => new(
        app.Id, app.Name, app.Key, withSecret ? app.Secret : null, app.Enabled, app.CreatedAt,
        app.Limits.MaxConnections, app.Limits.MaxEventPayloadBytes, app.Limits.MaxChannelsPerTrigger,
        app.Limits.MaxBatchSize, app.Limits.MaxPresenceMembers, app.Limits.ClientEventsEnabled, app.Limits.ClientEventsPerSecond,
        app.Limits.MaxUserInfoBytes, app.Limits.MaxTriggersPerSecond, app.Limits.MaxMessagesPerDay, app.Webhook?.Url, app.Webhook?.Events);
}
