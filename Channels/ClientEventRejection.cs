namespace SkubberPush.Channels;

/// <summary>A refused client event: Pusher's error code (4301, or null where Pusher has none) and why.</summary>
public sealed record ClientEventRejection(int? Code, string Message, bool RateLimited = false);
