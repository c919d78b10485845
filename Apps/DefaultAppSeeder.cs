using SkubberPush.Hosting;

namespace SkubberPush.Apps;

/// <summary>
/// Runs once before the server listens: creates or updates the app named by
/// <c>SKUBBER_APP_ID/KEY/SECRET</c> (idempotent), or, on an empty store with none of them set,
/// creates one with fresh credentials and prints them once to the console.
/// </summary>
public static class DefaultAppSeeder
{
    public static void Seed(AppStore store, DefaultAppOptions options, TimeProvider time, TextWriter console)
    {
        if (options.IsConfigured)
        {
            var existing = store.Get(options.Id!);
            if (existing is null)
                store.Insert(new PushApp { Id = options.Id!, Name = options.Name, Key = options.Key!, Secret = options.Secret!, CreatedAt = time.GetUtcNow() });
            else if (existing.Key != options.Key || existing.Secret != options.Secret)
                store.Update(existing with { Key = options.Key!, Secret = options.Secret! });
            return;
        }
        if (store.List().Count > 0)
            return;
        var app = new PushApp
        {
            Id = AppCredentials.NewId(),
            Name = options.Name,
            Key = AppCredentials.NewKey(),
            Secret = AppCredentials.NewSecret(),
            CreatedAt = time.GetUtcNow(),
        };
        store.Insert(app);
        // Printed on purpose, once: the operator has no other way to learn a generated secret.
        console.WriteLine($"""
            Created app '{app.Name}' in {store.DatabasePath} (shown once; `skubber-push apps show {app.Id}` shows it again):
              app id:  {app.Id}
              key:     {app.Key}
              secret:  {app.Secret}
            """);
    }
}
