using Microsoft.AspNetCore.Cors.Infrastructure;
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
        var urls = builder.Configuration["urls"];
        var kestrelEndpoints = builder.Configuration.GetSection("Kestrel:Endpoints").Exists();
        var opsPort = builder.Configuration.GetValue<int?>("Skubber:OpsPort");
        if (kestrelEndpoints)
        {
            if (opsPort is { } port)
                builder.Configuration["Kestrel:Endpoints:Operations:Url"] = $"http://0.0.0.0:{port}";
        }
        else
            builder.WebHost.UseUrls(string.Join(';', new[] { string.IsNullOrEmpty(urls) ? DefaultUrl : urls, opsPort is { } p ? $"http://0.0.0.0:{p}" : null }.OfType<string>()));

        ConfigureLogging(builder);
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // REST handlers lower this per app; nothing else accepts large bodies.
            kestrel.Limits.MaxRequestBodySize = 4 * 1024 * 1024;
        });

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ServerState>();
        services.AddHealthChecks().AddCheck<ReadinessCheck>("ready", tags: [Endpoints.OpsEndpoints.ReadyTag]);
        services.AddOptions<SkubberOptions>().Bind(builder.Configuration.GetSection(SkubberOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SkubberOptions>, SkubberOptionsValidator>();
        services.AddOptions<ChannelOptions>().Configure<IOptions<SkubberOptions>>((channels, skubber) =>
            channels.CacheTtl = TimeSpan.FromSeconds(skubber.Value.CacheTtlSeconds));
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<SkubberOptions>>((cors, skubber) => cors.AddPolicy(Endpoints.TokenEndpoints.CorsPolicy, policy =>
        {
            // SignalR's browser client negotiates with credentials, so origins are echoed, not "*".
            if (skubber.Value.CorsOrigins.Length == 0)
                policy.SetIsOriginAllowed(_ => true);
            else
                policy.WithOrigins(skubber.Value.CorsOrigins);
            policy.AllowAnyHeader().AllowAnyMethod().AllowCredentials();
        }));
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, PushJsonContext.Default);
            json.SerializerOptions.Encoder = PushJsonContext.Wire.Options.Encoder;
        });
        return builder;
    }

    /// <summary>
    /// Draining on SIGTERM within the grace period, which also bounds the whole shutdown.
    /// </summary>
    public static IServiceCollection AddConnectionDrainer(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DrainOptions>().Bind(configuration.GetSection("Skubber:Shutdown")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DrainOptions>, DrainOptionsValidator>();
        // The drain runs before the host stops (see ConnectionDrainer); the stop gets the remainder.
        services.AddOptions<HostOptions>().Configure<IOptions<DrainOptions>>((host, drain) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(drain.Value.GracePeriodSeconds) - ConnectionDrainer.Budget(drain.Value));
        services.AddHostedService<ConnectionDrainer>();
        return services;
    }

    // Simple or JSON console lines. ASP.NET Core's own request logging is switched off for good:
    // it writes query strings, which carry tokens and signatures; RequestObservability logs paths.
    private static void ConfigureLogging(WebApplicationBuilder builder)
    {
        if (string.Equals(builder.Configuration["Skubber:LogFormat"], "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(json => json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ");
        }
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
    }
}
