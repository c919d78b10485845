using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace SkubberPush.Sockets;

public static class SocketServiceCollectionExtensions
{
    /// <summary>Puts <see cref="SocketTakeoverMiddleware"/> first on every endpoint, ahead of TLS: it passes on whatever it does not recognise.</summary>
    public static IServiceCollection AddSocketTakeover(this IServiceCollection services)
    {
        services.AddSingleton<SocketTakeoverMiddleware>();
        services.Configure<KestrelServerOptions>(kestrel => kestrel.ConfigureEndpointDefaults(listen =>
            listen.Use(next => connection => listen.ApplicationServices.GetRequiredService<SocketTakeoverMiddleware>().OnConnectedAsync(connection, next))));
        return services;
    }
}
