using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using SkubberPush.Apps;

namespace SkubberPush.Tests.Infrastructure;

/// <summary>
/// The whole server in process: a temp data dir with the test-vector app as the default app, and a
/// fake clock set to the vectors' time (1700000000), so signed requests from pusher-compat verify.
/// </summary>
public sealed class PushServerFactory : WebApplicationFactory<Program>
{
    public static readonly DateTimeOffset VectorTime = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    public string DataDir { get; } = Directory.CreateTempSubdirectory("skubber-test-").FullName;

    public FakeTimeProvider Time { get; } = new(VectorTime);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Skubber:DataDir", DataDir);
        builder.UseSetting("Skubber:DefaultApp:Id", TestApp.Id);
        builder.UseSetting("Skubber:DefaultApp:Key", TestApp.Key);
        builder.UseSetting("Skubber:DefaultApp:Secret", TestApp.Secret);
        builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time)));
    }

    /// <summary>Another app in the running server, with a fresh 48-character secret (HS256-capable).</summary>
    public PushApp CreateApp(Func<PushApp, PushApp>? change = null)
    {
        var app = new PushApp { Id = "app" + Guid.NewGuid().ToString("N")[..10], Name = "other", Key = AppCredentials.NewKey(), Secret = AppCredentials.NewSecret() };
        app = change?.Invoke(app) ?? app;
        var catalog = Services.GetRequiredService<AppCatalog>();
        catalog.Store.Insert(app);
        catalog.Reload();
        return app;
    }

    public HttpClient CreateApiClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", TestApp.Key);
        client.DefaultRequestHeaders.Add("X-Api-Secret", TestApp.Secret);
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { }
    }
}
