namespace SkubberPush.Apps;

/// <summary>An app's webhook endpoint and the event names it wants; null <see cref="Events"/> means all.</summary>
public sealed record WebhookSettings(string Url, string[]? Events)
{
    public bool Wants(string eventName) => Events is null || Array.IndexOf(Events, eventName) >= 0;

    public bool Equals(WebhookSettings? other) =>
        other is not null && Url == other.Url && (Events ?? []).SequenceEqual(other.Events ?? []) && (Events is null) == (other.Events is null);

    public override int GetHashCode() => Url.GetHashCode(StringComparison.Ordinal);
}
