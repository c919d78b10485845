namespace SkubberPush.Apps;

/// <summary>One tenant: its credentials, whether it is enabled, and its limits.</summary>
public sealed record PushApp
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    /// <summary>Public: in WebSocket URLs and as the prefix of every auth string.</summary>
    public required string Key { get; init; }
    /// <summary>Private: the HMAC key (as UTF-8) of every signature of this app.</summary>
    public required string Secret { get; init; }
    public bool Enabled { get; init; } = true;
    public DateTimeOffset CreatedAt { get; init; }
    public AppLimits Limits { get; init; } = AppLimits.Default;
    /// <summary>Where this app's webhooks go, and which events; null for none.</summary>
    public WebhookSettings? Webhook { get; init; }

    // Records compare arrays by reference; two loads of one app must compare equal.
    public bool Equals(PushApp? other) =>
        other is not null && Id == other.Id && Name == other.Name && Key == other.Key && Secret == other.Secret &&
        Enabled == other.Enabled && CreatedAt == other.CreatedAt && Limits == other.Limits && Equals(Webhook, other.Webhook);

    public override int GetHashCode() => HashCode.Combine(Id, Key, Secret);
}
