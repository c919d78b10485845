using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SkubberPush.Hosting;

/// <summary>The <c>Skubber</c> configuration section.</summary>
public sealed class SkubberOptions
{
    public const string Section = "Skubber";

    /// <summary>Where <c>skubber.db</c> lives (<c>--data-dir</c>, <c>SKUBBER_DATA_DIR</c>).</summary>
    [Required]
    public string DataDir { get; set; } = "./data";

    /// <summary>How often the server checks the key file for changes made by the CLI.</summary>
    [Range(50, 600_000)]
    public int AppRefreshMilliseconds { get; set; } = 500;

    /// <summary>How long a cache channel keeps its last event (Pusher: up to 30 minutes).</summary>
    [Range(1, 86_400)]
    public int CacheTtlSeconds { get; set; } = 1_800;

    [ValidateObjectMembers]
    public DefaultAppOptions DefaultApp { get; set; } = new();

    /// <summary>
    /// Origins allowed to call the token endpoint and the hub from a browser; empty means any.
    /// The hub authenticates by token, never by cookie, so an open policy exposes nothing.
    /// </summary>
    public string[] CorsOrigins { get; set; } = [];
}

/// <summary>
/// The app created or updated at start (<c>SKUBBER_APP_ID</c>, <c>_KEY</c>, <c>_SECRET</c>), for
/// containers and first runs. All three or none.
/// </summary>
public sealed class DefaultAppOptions : IValidatableObject
{
    public string? Id { get; set; }
    public string? Key { get; set; }
    public string? Secret { get; set; }
    public string Name { get; set; } = "default";

    public bool IsConfigured => !string.IsNullOrEmpty(Id) && !string.IsNullOrEmpty(Key) && !string.IsNullOrEmpty(Secret);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var set = new[] { Id, Key, Secret }.Count(v => !string.IsNullOrEmpty(v));
        if (set is not 0 and not 3)
            yield return new ValidationResult("SKUBBER_APP_ID, SKUBBER_APP_KEY and SKUBBER_APP_SECRET must be set together, or none of them");
        if (!string.IsNullOrEmpty(Id) && !Apps.AppCredentials.IsValidId(Id))
            yield return new ValidationResult("SKUBBER_APP_ID must be 1-64 characters of A-Z a-z 0-9 _ -");
    }
}

[OptionsValidator]
public sealed partial class SkubberOptionsValidator : IValidateOptions<SkubberOptions>;
