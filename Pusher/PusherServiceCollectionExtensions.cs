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
        services.AddHostedService<PusherActivityMonitor>();
        return services;
    }
}
