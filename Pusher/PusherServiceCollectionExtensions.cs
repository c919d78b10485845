using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using SkubberPush.Hosting;

namespace SkubberPush.Pusher;

public static class PusherServiceCollectionExtensions
{
    public static IServiceCollection AddPusherProtocol(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PusherOptions>().Bind(configuration.GetSection($"{SkubberOptions.Section}:Pusher")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PusherOptions>, PusherOptionsValidator>();
        services.AddSingleton<PusherDispatcher>();
        services.AddSingleton<PusherSessions>();
        services.AddSingleton<PusherConnectionMiddleware>();
        // Every endpoint gets the middleware first, ahead of TLS: it passes on whatever it does not recognise.
        services.Configure<KestrelServerOptions>(kestrel => kestrel.ConfigureEndpointDefaults(listen =>
            listen.Use(next => connection => listen.ApplicationServices.GetRequiredService<PusherConnectionMiddleware>().OnConnectedAsync(connection, next))));
        services.AddHostedService<PusherActivityMonitor>();
        return services;
    }
}
