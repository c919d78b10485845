namespace SkubberPush.Channels;

/// <summary>Process-wide settings of the channel core.</summary>
public sealed class ChannelOptions
{
    /// <summary>How long a cache channel keeps its last event (Pusher: up to 30 minutes).</summary>
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromMinutes(30);
}
