using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Options;
using SkubberPush.Channels;
using SkubberPush.Json;

namespace SkubberPush.Hosting;

public static class HostingExtensions
{
    public const string DefaultUrl = "http://0.0.0.0:5187";

    private static readonly Dictionary<string, string?> EmbeddedDefaults = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        // One line per request is noise for a push server; connection and app events are logged instead.
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
    };

    /// <summary>Configuration, options and Kestrel limits shared by every part of the server.</summary>
    public static WebApplicationBuilder AddSkubberHosting(this WebApplicationBuilder builder, string[] args)
    {
        // Embedded defaults, below every other source so appsettings.json and the environment win.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = EmbeddedDefaults });
        builder.Configuration.AddSkubberShortNames(args);
        var urlsGiven = !string.IsNullOrEmpty(builder.Configuration["urls"]) || builder.Configuration.GetSection("Kestrel:Endpoints").Exists();
        if (!urlsGiven)
            builder.WebHost.UseUrls(DefaultUrl);
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // REST handlers lower this per app; nothing else accepts large bodies.
            kestrel.Limits.MaxRequestBodySize = 4 * 1024 * 1024;
        });

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<SkubberOptions>().Bind(builder.Configuration.GetSection(SkubberOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SkubberOptions>, SkubberOptionsValidator>();
        services.AddOptions<ChannelOptions>().Configure<IOptions<SkubberOptions>>((channels, skubber) =>
            channels.CacheTtl = TimeSpan.FromSeconds(skubber.Value.CacheTtlSeconds));
        var origins = builder.Configuration.GetSection("Skubber:CorsOrigins").Get<string[]>() ?? [];
        services.AddCors(cors => cors.AddPolicy(Endpoints.TokenEndpoints.CorsPolicy, policy =>
        {
            // SignalR's browser client negotiates with credentials, so origins are echoed, not "*".
            if (origins.Length == 0)
                policy.SetIsOriginAllowed(_ => true);
            else
                policy.WithOrigins(origins);
            policy.AllowAnyHeader().AllowAnyMethod().AllowCredentials();
        }));
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, PushJsonContext.Default);
            json.SerializerOptions.Encoder = PushJsonContext.Wire.Options.Encoder;
        });
        return builder;
    }
}
