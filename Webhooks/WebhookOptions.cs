using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SkubberPush.Webhooks;

/// <summary>The <c>Skubber:Webhooks</c> section (pusher-compat §7.3 and §9.18).</summary>
public sealed class WebhookOptions
{
    /// <summary>How long channel_vacated and member_removed wait for the channel or user to come back.</summary>
    [Range(0, 60)]
    public double VacateDelaySeconds { get; set; } = 3;

    /// <summary>Events of one app are collected this long (or up to 100) into one request.</summary>
    [Range(0, 10_000)]
    public int BatchWindowMilliseconds { get; set; } = 50;

    /// <summary>A webhook that still fails this long after it was first tried goes to the dead letters.</summary>
    [Range(1, 86_400)]
    public int RetryWindowSeconds { get; set; } = 300;

    /// <summary>Per attempt: connect, send, and receive the response headers.</summary>
    [Range(1, 120)]
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Deliveries in flight at once, so that one slow receiver cannot hold up the others.</summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = 16;
}

[OptionsValidator]
public sealed partial class WebhookOptionsValidator : IValidateOptions<WebhookOptions>;
