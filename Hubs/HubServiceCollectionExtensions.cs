using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using SkubberPush.Auth;
using SkubberPush.Json;

namespace SkubberPush.Hubs;

public static class HubServiceCollectionExtensions
{
    /// <summary>Client events carry at most 10 KB of data by default; this leaves room for the envelope and app overrides.</summary>
    public const int MaxReceiveMessageBytes = 64 * 1024;

    public static IServiceCollection AddPushHub(this IServiceCollection services)
    {
        services.AddSingleton<TokenService>();
        services.AddSingleton<HubFloodFilter>();
        services.AddSingleton<HubAdmission>();
        services.AddSingleton<HubSockets>();
        services.AddSingleton<NegotiatedConnections>();
        services.AddSingleton<HubLifetimeManager<PushHub>, PushHubLifetimeManager>();
        var signalR = services.AddSignalR(options =>
            {
                options.MaximumReceiveMessageSize = MaxReceiveMessageBytes;
                options.MaximumParallelInvocationsPerClient = 1;
                options.KeepAliveInterval = TimeSpan.FromSeconds(15);
                options.ClientTimeoutInterval = TimeSpan.FromSeconds(30);
                options.EnableDetailedErrors = false;
                options.AddFilter<HubFloodFilter>();
            })
            .AddJsonProtocol(json => json.PayloadSerializerOptions.TypeInfoResolverChain.Insert(0, PushJsonContext.Default));
        AddMessagePack(signalR);
        return services;
    }

    public static WebApplication MapPushHub(this WebApplication app)
    {
        app.UseMiddleware<HubTokenMiddleware>();
        app.UseMiddleware<HubNegotiateCapture>();
        app.MapHub<PushHub>(PushHub.Path, options =>
        {
            options.Transports = HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling;
            options.AllowStatefulReconnects = true;
        }).RequireCors(Endpoints.TokenEndpoints.CorsPolicy);
        return app;
    }

    // MessagePack's resolver is reflection-based in general, hence the warning; every hub argument
    // and result here is a string (or null), which its built-in formatters handle without
    // reflection, and the end-to-end tests exercise both directions in the AOT binary.
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "String-only hub arguments; covered by AOT end-to-end tests.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "String-only hub arguments; covered by AOT end-to-end tests.")]
    private static void AddMessagePack(ISignalRServerBuilder signalR) => signalR.AddMessagePackProtocol();
}
