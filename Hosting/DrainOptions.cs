using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SkubberPush.Hosting;

/// <summary>The <c>Skubber:Shutdown</c> section.</summary>
public sealed class DrainOptions
{
    /// <summary>From SIGTERM to exit, at most. Connections are told to reconnect over the first half.</summary>
    [Range(1, 3_600)]
    public int GracePeriodSeconds { get; set; } = 10;
}

[OptionsValidator]
public sealed partial class DrainOptionsValidator : IValidateOptions<DrainOptions>;
