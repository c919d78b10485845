using System.Text.Json;
using SkubberPush.Apps;

namespace SkubberPush.Tests.Apps;

public sealed class AppsCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skubber-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = AppsCommand.Run(args, _dir, TimeProvider.System, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Create_show_list_update_rotate_delete()
    {
        var created = Run("create", "--name", "shop", "--id", "shop-1", "--json");
        Assert.Equal(0, created.Code);
        var app = JsonDocument.Parse(created.Out).RootElement;
        Assert.Equal("shop-1", app.GetProperty("id").GetString());
        var secret = app.GetProperty("secret").GetString();

        var list = Run("list", "--json");
        var listed = Assert.Single(JsonDocument.Parse(list.Out).RootElement.EnumerateArray());
        Assert.False(listed.TryGetProperty("secret", out _)); // list never prints secrets

        var updated = Run("update", "shop-1", "--max-connections", "5", "--client-events", "false", "--enabled", "false", "--json");
        Assert.Equal(0, updated.Code);
        var stored = new AppStore(_dir).Get("shop-1")!;
        Assert.Equal(5, stored.Limits.MaxConnections);
        Assert.False(stored.Limits.ClientEventsEnabled);
        Assert.False(stored.Enabled);

        var rotated = JsonDocument.Parse(Run("rotate-secret", "shop-1", "--json").Out).RootElement.GetProperty("secret").GetString();
        Assert.NotEqual(secret, rotated);
        Assert.Equal(rotated, new AppStore(_dir).Get("shop-1")!.Secret);

        Assert.Contains("shop-1", Run("show", "shop-1").Out);
        Assert.Equal(0, Run("delete", "shop-1").Code);
        Assert.Null(new AppStore(_dir).Get("shop-1"));
    }

    [Theory]
    [InlineData("--max-connections", "-1")]
    [InlineData("--max-connections", "lots")]
    [InlineData("--max-payload-bytes", "0")]
    [InlineData("--max-batch-size", "101")]
    [InlineData("--client-events", "maybe")]
    [InlineData("--enabled", "yes please")]
    public void Invalid_limit_values_are_refused_and_nothing_is_written(string flag, string value)
    {
        Run("create", "--name", "shop", "--id", "shop-1");
        var before = new AppStore(_dir).Get("shop-1");
        var result = Run("update", "shop-1", "--max-connections", "7", flag, value);
        Assert.Equal(2, result.Code);
        Assert.Contains(flag, result.Err);
        Assert.Equal(before, new AppStore(_dir).Get("shop-1"));
    }

    [Fact]
    public void Usage_errors_say_what_is_wrong()
    {
        Assert.Contains("needs --name", Run("create").Err);
        Assert.Contains("Invalid app id", Run("create", "--name", "x", "--id", "no spaces").Err);
        Assert.Contains("Unknown option '--frobnicate'", Run("list", "--frobnicate").Err);
        Assert.Contains("Unknown command 'apps fly'", Run("fly").Err);
        var missing = Run("show", "nope");
        Assert.Equal(1, missing.Code);
        Assert.Contains("No app with id 'nope'", missing.Err);
        Assert.Contains("Usage:", Run("--help").Out);
    }

    [Fact]
    public void Duplicate_id_fails_with_exit_code_1()
    {
        Run("create", "--name", "a", "--id", "dup");
        var again = Run("create", "--name", "b", "--id", "dup");
        Assert.Equal(1, again.Code);
        Assert.Contains("already exists", again.Err);
    }
}
