using Microsoft.Extensions.Options;
using SkubberPush.Hosting;

namespace SkubberPush.Apps;

public static class AppsServiceCollectionExtensions
{
    /// <summary>The key file, the in-memory catalog over it and the refresher that keeps it current.</summary>
    public static IServiceCollection AddApps(this IServiceCollection services)
    {
        services.AddSingleton(sp => new AppStore(sp.GetRequiredService<IOptions<SkubberOptions>>().Value.DataDir));
        services.AddSingleton<AppCatalog>();
        services.AddHostedService<AppCatalogRefresher>();
        return services;
    }

    /// <summary>Creates the default app if asked or needed, then loads the catalog; before the server listens.</summary>
    public static void LoadApps(this IServiceProvider services)
    {
        var catalog = services.GetRequiredService<AppCatalog>();
        var options = services.GetRequiredService<IOptions<SkubberOptions>>().Value;
        DefaultAppSeeder.Seed(catalog.Store, options.DefaultApp, services.GetRequiredService<TimeProvider>(), Console.Out);
        catalog.Reload();
    }
}
