namespace SkubberPush.Apps;

/// <summary>Per-app limits, stored with the app. Zero for <see cref="MaxConnections"/> means no limit.</summary>
public sealed record AppLimits
{
    public static AppLimits Default { get; } = new();

    public int MaxConnections { get; init; }
    /// <summary>UTF-8 bytes of one event's <c>data</c> (Pusher: 10 KB).</summary>
    public int MaxEventPayloadBytes { get; init; } = 10_240;
    public int MaxChannelsPerTrigger { get; init; } = 100;
    public int MaxBatchSize { get; init; } = 10;
    public int MaxPresenceMembers { get; init; } = 100;
    public bool ClientEventsEnabled { get; init; } = true;
    /// <summary>Client events one connection may send per second (Pusher: 10).</summary>
    public int ClientEventsPerSecond { get; init; } = 10;
    /// <summary>UTF-8 bytes of a presence member's serialized <c>user_info</c> (Pusher: 1 KB).</summary>
    public int MaxUserInfoBytes { get; init; } = 1_024;
    /// <summary>REST trigger requests per second, 0 = unlimited.</summary>
    public int MaxTriggersPerSecond { get; init; }
    /// <summary>Messages per UTC day, counted as Pusher counts them; 0 = unlimited.</summary>
    public long MaxMessagesPerDay { get; init; }

    /// <summary>
    /// The largest REST body worth reading: a full batch whose every <c>data</c> is escaped at the
    /// worst JSON ratio (6 bytes a character), plus room for names and channel lists.
    /// </summary>
    public long MaxRequestBodyBytes => 4_096L + MaxBatchSize * (6L * MaxEventPayloadBytes + MaxChannelsPerTrigger * 170L);
}
