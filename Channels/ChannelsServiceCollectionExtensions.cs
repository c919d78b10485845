using Microsoft.Extensions.DependencyInjection;

namespace SkubberPush.Channels;

public static class ChannelsServiceCollectionExtensions
{
    /// <summary>The channel core with the single-node broker; a scale-out broker replaces <see cref="IBroker"/>.</summary>
    public static IServiceCollection AddChannelCore(this IServiceCollection services)
    {
        services.AddSingleton<ChannelRegistry>();
        services.AddSingleton<IBroker, LocalBroker>();
        services.AddSingleton<EventPublisher>();
        services.AddSingleton<SocketIdGenerator>();
        services.AddSingleton<OutboxScheduler>();
        services.AddSingleton<ClientEventRelay>();
        return services;
    }
}
