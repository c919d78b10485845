namespace SkubberPush.Channels;

/// <summary>The last event published to a cache channel, kept until <see cref="ExpiresAt"/>.</summary>
public sealed record CachedEvent(string Event, string? Data, DateTimeOffset ExpiresAt);
