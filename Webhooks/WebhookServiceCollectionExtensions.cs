using Microsoft.Extensions.Options;
using SkubberPush.Channels;

namespace SkubberPush.Webhooks;

public static class WebhookServiceCollectionExtensions
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection("Skubber:Webhooks")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidator>();
        services.AddSingleton<WebhookOutbox>();
        services.AddSingleton<WebhookSignal>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddSingleton<IChannelObserver>(sp => sp.GetRequiredService<WebhookDispatcher>());
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        services.AddHostedService<WebhookSender>();
        return services;
    }
}
