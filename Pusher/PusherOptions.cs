using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SkubberPush.Pusher;

/// <summary>The <c>Skubber:Pusher</c> section: the Pusher protocol's timings.</summary>
public sealed class PusherOptions
{
    /// <summary>Sent in <c>connection_established</c>; the server pings a connection silent this long (Pusher: 120).</summary>
    [Range(1, 3_600)]
    public int ActivityTimeoutSeconds { get; set; } = 120;

    /// <summary>How long after its ping a silent connection is closed with 4201.</summary>
    [Range(1, 600)]
    public int PongTimeoutSeconds { get; set; } = 30;

    /// <summary>Frames a connection may fall behind before it is closed with 4100 (reconnect after a backoff).</summary>
    [Range(16, 1_000_000)]
    public int OutboxCapacity { get; set; } = 1_024;
}

[OptionsValidator]
public sealed partial class PusherOptionsValidator : IValidateOptions<PusherOptions>;
