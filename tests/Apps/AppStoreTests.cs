using SkubberPush.Apps;

namespace SkubberPush.Tests.Apps;

public sealed class AppStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skubber-store-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static PushApp NewApp(string id) =>
        new() { Id = id, Name = "n", Key = AppCredentials.NewKey(), Secret = AppCredentials.NewSecret(), CreatedAt = DateTimeOffset.FromUnixTimeSeconds(1) };

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Key_file_is_private_wal_and_versioned()
    {
        var store = new AppStore(_dir);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.DatabasePath));
        using var connection = store.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
        command.CommandText = "PRAGMA user_version";
        Assert.Equal((long)AppStore.SchemaVersion, command.ExecuteScalar());
    }

    [Fact]
    public void Apps_round_trip_with_their_limits()
    {
        var store = new AppStore(_dir);
        var app = NewApp("a1") with { Enabled = false, Limits = new AppLimits { MaxConnections = 5, MaxEventPayloadBytes = 99, ClientEventsEnabled = false } };
        store.Insert(app);
        Assert.Equal(app, new AppStore(_dir).Get("a1"));
    }

    [Fact]
    public void Duplicate_id_or_key_is_a_clear_error()
    {
        var store = new AppStore(_dir);
        var app = NewApp("a1");
        store.Insert(app);
        Assert.Contains("id 'a1' already exists", Assert.Throws<AppStoreException>(() => store.Insert(NewApp("a1"))).Message);
        Assert.Contains("already exists", Assert.Throws<AppStoreException>(() => store.Insert(NewApp("a2") with { Key = app.Key })).Message);
    }

    [Fact]
    public void A_newer_schema_is_refused_rather_than_misread()
    {
        var store = new AppStore(_dir);
        using (var connection = store.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"PRAGMA user_version = {AppStore.SchemaVersion + 1}";
            command.ExecuteNonQuery();
        }
        Assert.Contains("newer skubber-push", Assert.Throws<AppStoreException>(() => new AppStore(_dir)).Message);
    }

    [Fact]
    public void Catalog_serves_lookups_by_id_and_key_from_a_snapshot()
    {
        var store = new AppStore(_dir);
        var app = NewApp("a1");
        store.Insert(app);
        var catalog = new AppCatalog(store);
        Assert.False(catalog.TryGetById("a1", out _));
        catalog.Reload();
        Assert.True(catalog.TryGetById("a1", out var byId));
        Assert.True(catalog.TryGetByKey(app.Key, out var byKey));
        Assert.Same(byId, byKey);
    }

    [Fact]
    public void Default_app_is_created_from_settings_and_updated_idempotently()
    {
        var store = new AppStore(_dir);
        var options = new SkubberPush.Hosting.DefaultAppOptions { Id = "1001", Key = "k1", Secret = "s1" };
        var console = new StringWriter();
        DefaultAppSeeder.Seed(store, options, TimeProvider.System, console);
        DefaultAppSeeder.Seed(store, options, TimeProvider.System, console);
        options.Secret = "s2";
        DefaultAppSeeder.Seed(store, options, TimeProvider.System, console);
        Assert.Equal("s2", Assert.Single(store.List()).Secret);
        Assert.Empty(console.ToString());
    }

    [Fact]
    public void Empty_store_gets_a_generated_app_printed_once()
    {
        var store = new AppStore(_dir);
        var console = new StringWriter();
        DefaultAppSeeder.Seed(store, new SkubberPush.Hosting.DefaultAppOptions(), TimeProvider.System, console);
        DefaultAppSeeder.Seed(store, new SkubberPush.Hosting.DefaultAppOptions(), TimeProvider.System, console);
        var app = Assert.Single(store.List());
        Assert.Matches("^mps_[A-Za-z0-9]{32}$", app.Key);
        Assert.Matches("^[A-Za-z0-9]{48}$", app.Secret);
        Assert.Equal(1, console.ToString().Split(app.Secret).Length - 1);
    }
}
