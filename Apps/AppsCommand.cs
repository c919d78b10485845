using System.Globalization;
using System.Text.Json;
using SkubberPush.Json;

namespace SkubberPush.Apps;

/// <summary>
/// <c>skubber-push apps ...</c>: manages the key file directly, so it works with or without a
/// running server (which picks the change up within its refresh interval). Exit codes: 0 done,
/// 1 the operation failed (unknown id, duplicate), 2 the command line is wrong.
/// </summary>
public static class AppsCommand
{
    public const string Usage = """
        Usage:
          skubber-push apps create --name NAME [--id ID] [LIMITS] [--json]
          skubber-push apps list [--json]
          skubber-push apps show ID [--json]
          skubber-push apps update ID [--name NAME] [--enabled true|false] [LIMITS] [--json]
          skubber-push apps rotate-secret ID [--json]
          skubber-push apps delete ID

        LIMITS (per app; stored with it):
          --max-connections N            concurrent connections, 0 = unlimited (default 0)
          --max-payload-bytes N          bytes of one event's data (default 10240)
          --max-channels-per-trigger N   channels of one trigger (default 100)
          --max-batch-size N             events of one batch trigger (default 10)
          --max-presence-members N       distinct users of one presence channel (default 100)
          --client-events true|false     relay client- events (default true)
          --client-events-per-second N   client events one connection may send (default 10)

        Every command takes --data-dir DIR (default: SKUBBER_DATA_DIR or ./data).
        """;

    private static readonly LimitOption[] LimitOptions =
    [
        new("--max-connections", 0, 10_000_000, (l, v) => l with { MaxConnections = v }),
        new("--max-payload-bytes", 1, 1_048_576, (l, v) => l with { MaxEventPayloadBytes = v }),
        new("--max-channels-per-trigger", 1, 1_000, (l, v) => l with { MaxChannelsPerTrigger = v }),
        new("--max-batch-size", 1, 100, (l, v) => l with { MaxBatchSize = v }),
        new("--max-presence-members", 1, 10_000, (l, v) => l with { MaxPresenceMembers = v }),
        new("--client-events-per-second", 1, 10_000, (l, v) => l with { ClientEventsPerSecond = v }),
    ];

    private static readonly HashSet<string> ValueOptions =
        ["--name", "--id", "--enabled", "--client-events", "--data-dir", .. LimitOptions.Select(o => o.Flag)];

    public static int Run(string[] args, string dataDir, TimeProvider time, TextWriter stdout, TextWriter stderr)
    {
        if (!TryParse(args, out var command, out var error))
        {
            stderr.WriteLine(error);
            stderr.WriteLine(Usage);
            return 2;
        }
        if (command.Verb is "help" or "--help" or "-h")
        {
            stdout.WriteLine(Usage);
            return 0;
        }
        try
        {
            var store = new AppStore(dataDir);
            return command.Verb switch
            {
                "create" => Create(store, command, time, stdout, stderr),
                "list" => List(store, command, stdout),
                "show" => WithApp(store, command, stderr, app => Print(stdout, app, command.Json, withSecret: true)),
                "update" => Update(store, command, stdout, stderr),
                "rotate-secret" => WithApp(store, command, stderr, app =>
                {
                    var rotated = app with { Secret = AppCredentials.NewSecret() };
                    store.Update(rotated);
                    Print(stdout, rotated, command.Json, withSecret: true);
                }),
                "delete" => WithApp(store, command, stderr, app =>
                {
                    store.Delete(app.Id);
                    stdout.WriteLine($"Deleted app {app.Id}");
                }),
                _ => UsageError(stderr, $"Unknown command 'apps {command.Verb}'"),
            };
        }
        catch (AppStoreException e)
        {
            stderr.WriteLine(e.Message);
            return 1;
        }
    }

    private static int Create(AppStore store, ParsedCommand command, TimeProvider time, TextWriter stdout, TextWriter stderr)
    {
        if (command.Id is not null)
            return UsageError(stderr, $"Unexpected argument '{command.Id}'; use --id ID to choose the app id");
        if (!command.Options.TryGetValue("--name", out var name) || name.Length == 0)
            return UsageError(stderr, "apps create needs --name NAME");
        var id = command.Options.GetValueOrDefault("--id") ?? AppCredentials.NewId();
        if (!AppCredentials.IsValidId(id))
            return UsageError(stderr, $"Invalid app id '{id}': 1-64 characters of A-Z a-z 0-9 _ -");
        var app = new PushApp { Id = id, Name = name, Key = AppCredentials.NewKey(), Secret = AppCredentials.NewSecret(), CreatedAt = time.GetUtcNow() };
        if (!TryApplyOptions(app, command, out app, out var error))
            return UsageError(stderr, error);
        store.Insert(app);
        Print(stdout, app, command.Json, withSecret: true);
        return 0;
    }

    private static int Update(AppStore store, ParsedCommand command, TextWriter stdout, TextWriter stderr)
    {
        if (command.Options.ContainsKey("--id"))
            return UsageError(stderr, "An app id cannot be changed; create a new app instead");
        return WithApp(store, command, stderr, app =>
        {
            if (!TryApplyOptions(app, command, out var updated, out var error))
                throw new UsageException(error);
            store.Update(updated);
            Print(stdout, updated, command.Json, withSecret: false);
        });
    }

    private static int List(AppStore store, ParsedCommand command, TextWriter stdout)
    {
        var apps = store.List();
        if (command.Json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(apps.Select(a => AppView.From(a, withSecret: false)).ToArray(), PushJsonContext.Wire.AppViewArray));
            return 0;
        }
        stdout.WriteLine($"{"ID",-20} {"NAME",-24} {"KEY",-36} {"ENABLED",-7}");
        foreach (var app in apps)
            stdout.WriteLine($"{app.Id,-20} {app.Name,-24} {app.Key,-36} {(app.Enabled ? "yes" : "no"),-7}");
        return 0;
    }

    private static int WithApp(AppStore store, ParsedCommand command, TextWriter stderr, Action<PushApp> action)
    {
        if (command.Id is null)
            return UsageError(stderr, $"apps {command.Verb} needs an app ID");
        if (store.Get(command.Id) is not { } app)
        {
            stderr.WriteLine($"No app with id '{command.Id}'");
            return 1;
        }
        try
        {
            action(app);
            return 0;
        }
        catch (UsageException e)
        {
            return UsageError(stderr, e.Message);
        }
    }

    // Every value is checked before anything is written: a bad flag leaves the app as it was.
    private static bool TryApplyOptions(PushApp app, ParsedCommand command, out PushApp updated, out string error)
    {
        updated = app;
        error = "";
        var limits = app.Limits;
        foreach (var option in LimitOptions)
        {
            if (!command.Options.TryGetValue(option.Flag, out var text))
                continue;
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < option.Min || value > option.Max)
            {
                error = $"{option.Flag} must be a whole number from {option.Min} to {option.Max}, not '{text}'";
                return false;
            }
            limits = option.Apply(limits, value);
        }
        if (command.Options.TryGetValue("--client-events", out var clientEvents))
        {
            if (!bool.TryParse(clientEvents, out var on))
            {
                error = $"--client-events must be true or false, not '{clientEvents}'";
                return false;
            }
            limits = limits with { ClientEventsEnabled = on };
        }
        var enabled = app.Enabled;
        if (command.Options.TryGetValue("--enabled", out var enabledText) && !bool.TryParse(enabledText, out enabled))
        {
            error = $"--enabled must be true or false, not '{enabledText}'";
            return false;
        }
        var name = command.Options.GetValueOrDefault("--name") ?? app.Name;
        if (name.Length == 0)
        {
            error = "--name must not be empty";
            return false;
        }
        updated = app with { Name = name, Enabled = enabled, Limits = limits };
        return true;
    }

    private static void Print(TextWriter stdout, PushApp app, bool json, bool withSecret)
    {
        var view = AppView.From(app, withSecret);
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(view, PushJsonContext.Wire.AppView));
            return;
        }
        stdout.WriteLine($"""
            id:                        {view.Id}
            name:                      {view.Name}
            key:                       {view.Key}
            """);
        if (view.Secret is not null)
            stdout.WriteLine($"secret:                    {view.Secret}");
        stdout.WriteLine($"""
            enabled:                   {(view.Enabled ? "true" : "false")}
            created:                   {view.CreatedAt:u}
            max connections:           {(view.MaxConnections == 0 ? "unlimited" : view.MaxConnections)}
            max payload bytes:         {view.MaxEventPayloadBytes}
            max channels per trigger:  {view.MaxChannelsPerTrigger}
            max batch size:            {view.MaxBatchSize}
            max presence members:      {view.MaxPresenceMembers}
            client events:             {(view.ClientEvents ? $"on, {view.ClientEventsPerSecond}/s per connection" : "off")}
            """);
    }

    private static bool TryParse(string[] args, out ParsedCommand command, out string error)
    {
        command = new ParsedCommand("help", null, false, new Dictionary<string, string>(StringComparer.Ordinal));
        error = "";
        if (args.Length == 0)
            return true;
        string? id = null;
        var json = false;
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            var (flag, inlineValue) = arg.IndexOf('=') is var eq and > 0 && arg.StartsWith("--", StringComparison.Ordinal)
                ? (arg[..eq], arg[(eq + 1)..])
                : (arg, null);
            if (flag == "--json")
                json = true;
            else if (ValueOptions.Contains(flag))
            {
                var value = inlineValue ?? (i + 1 < args.Length ? args[++i] : null);
                if (value is null)
                {
                    error = $"{flag} needs a value";
                    return false;
                }
                options[flag] = value;
            }
            else if (arg.StartsWith('-'))
            {
                error = $"Unknown option '{arg}'";
                return false;
            }
            else if (id is null)
                id = arg;
            else
            {
                error = $"Unexpected argument '{arg}'";
                return false;
            }
        }
        command = new ParsedCommand(args[0], id, json, options);
        return true;
    }

    private static int UsageError(TextWriter stderr, string message)
    {
        stderr.WriteLine(message);
        stderr.WriteLine("Run `skubber-push apps --help` for usage.");
        return 2;
    }

    private sealed record ParsedCommand(string Verb, string? Id, bool Json, Dictionary<string, string> Options);

    private sealed record LimitOption(string Flag, int Min, int Max, Func<AppLimits, int, AppLimits> Apply);

    private sealed class UsageException(string message) : Exception(message);
}
