namespace SkubberPush.Limits;

public static class LimitsServiceCollectionExtensions
{
    public static IServiceCollection AddLimits(this IServiceCollection services)
    {
        services.AddSingleton<TriggerRateLimiter>();
        services.AddSingleton<MessageQuota>();
        services.AddSingleton<ClientEventGate>();
        services.AddHostedService(sp => sp.GetRequiredService<MessageQuota>());
        return services;
    }
}
