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
          skubber-push apps webhooks ID [--replay] [--json]   recent deliveries and dead letters

        WEBHOOKS (update):
          --webhook URL|none             where to POST the app's webhooks (http or https)
          --webhook-events LIST|all      comma-separated: channel_occupied, channel_vacated, member_added,
                                         member_removed, client_event, cache_miss, subscription_count

        LIMITS (per app; stored with it; a --plan first, then any single limit on top):
          --plan free|premium            free: 100 connections, 200000 messages/day, 10 triggers/s;
                                         premium: no connection, message or trigger limit
          --max-connections N            concurrent connections, 0 = unlimited (default 0)
          --max-payload-bytes N          bytes of one event's data (default 10240)
          --max-channels-per-trigger N   channels of one trigger (default 100)
          --max-batch-size N             events of one batch trigger (default 10)
          --max-presence-members N       distinct users of one presence channel (default 100)
          --client-events true|false     relay client- events (default true)
          --client-events-per-second N   client events one connection may send (default 10)
          --max-user-info-bytes N        presence user_info size (default 1024)
          --max-triggers-per-second N    REST trigger requests per second, 0 = unlimited (default 0)
          --max-messages-per-day N       messages per UTC day, 0 = unlimited (default 0)

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
        new("--max-user-info-bytes", 1, 65_536, (l, v) => l with { MaxUserInfoBytes = v }),
        new("--max-triggers-per-second", 0, 1_000_000, (l, v) => l with { MaxTriggersPerSecond = v }),
        new("--max-messages-per-day", 0, 2_000_000_000, (l, v) => l with { MaxMessagesPerDay = v }),
    ];

    /// <summary>Presets in the spirit of Pusher's sandbox and paid plans; single limits may follow.</summary>
    private static readonly Dictionary<string, Func<AppLimits, AppLimits>> Plans = new(StringComparer.Ordinal)
    {
        ["free"] = l => l with { MaxConnections = 100, MaxMessagesPerDay = 200_000, MaxTriggersPerSecond = 10 },
        ["premium"] = l => l with { MaxConnections = 0, MaxMessagesPerDay = 0, MaxTriggersPerSecond = 0 },
    };

    private static readonly HashSet<string> ValueOptions =
        ["--name", "--id", "--enabled", "--client-events", "--data-dir", "--plan", "--webhook", "--webhook-events", .. LimitOptions.Select(o => o.Flag)];

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
                "webhooks" => WithApp(store, command, stderr, app => Webhooks(new Webhooks.WebhookOutbox(store), app, command, time, stdout)),
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
        if (command.Options.TryGetValue("--plan", out var plan))
        {
            if (!Plans.TryGetValue(plan, out var preset))
            {
                error = $"--plan must be free or premium, not '{plan}'";
                return false;
            }
            limits = preset(limits);
        }
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
        var webhook = app.Webhook;
        if (command.Options.TryGetValue("--webhook", out var url))
        {
            if (url == "none")
                webhook = null;
            else if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                error = $"--webhook must be an absolute http or https URL, or none, not '{url}'";
                return false;
            }
            else
                webhook = new WebhookSettings(url, webhook?.Events);
        }
        if (command.Options.TryGetValue("--webhook-events", out var eventList))
        {
            if (webhook is null)
            {
                error = "--webhook-events needs a --webhook URL";
                return false;
            }
            string[]? events = eventList == "all" ? null : eventList.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (events?.FirstOrDefault(e => !SkubberPush.Webhooks.WebhookEventNames.All.Contains(e)) is { } unknown)
            {
                error = $"Unknown webhook event '{unknown}'; known: {string.Join(", ", SkubberPush.Webhooks.WebhookEventNames.All)}";
                return false;
            }
            webhook = webhook with { Events = events };
        }
        var name = command.Options.GetValueOrDefault("--name") ?? app.Name;
        if (name.Length == 0)
        {
            error = "--name must not be empty";
            return false;
        }
        updated = app with { Name = name, Enabled = enabled, Limits = limits, Webhook = webhook };
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
            max user_info bytes:       {view.MaxUserInfoBytes}
            max triggers per second:   {(view.MaxTriggersPerSecond == 0 ? "unlimited" : view.MaxTriggersPerSecond)}
            max messages per day:      {(view.MaxMessagesPerDay == 0 ? "unlimited" : view.MaxMessagesPerDay)}
            webhook:                   {view.WebhookUrl ?? "none"}{(view.WebhookUrl is null ? "" : $" ({(view.WebhookEvents is null ? "all events" : string.Join(", ", view.WebhookEvents))})")}
            """);
    }

    private static void Webhooks(Webhooks.WebhookOutbox outbox, PushApp app, ParsedCommand command, TimeProvider time, TextWriter stdout)
    {
        if (command.Replay)
        {
            var count = outbox.Replay(app.Id, time.GetUtcNow());
            stdout.WriteLine($"{count} dead webhooks of app {app.Id} queued again; a running server sends them within a second");
            return;
        }
        var recent = outbox.Recent(app.Id, 20);
        var dead = outbox.DeadLetters(app.Id);
        if (command.Json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(dead.Concat(recent).DistinctBy(d => d.Id).ToArray(), PushJsonContext.Wire.WebhookDeliveryArray));
            return;
        }
        stdout.WriteLine($"Webhook: {app.Webhook?.Url ?? "none"}");
        stdout.WriteLine($"Dead letters ({dead.Count}):");
        foreach (var d in dead)
            stdout.WriteLine($"  {d.CreatedAt:u}  {d.Id}  {d.Attempts} attempts  {d.LastError}");
        stdout.WriteLine("Recent deliveries:");
        stdout.WriteLine($"  {"CREATED",-20}  {"ID",-32}  {"STATUS",-9}  {"TRIES",5}  {"HTTP",4}  {"MS",5}  ERROR");
        foreach (var d in recent)
            stdout.WriteLine($"  {d.CreatedAt:u}  {d.Id,-32}  {d.Status,-9}  {d.Attempts,5}  {d.LastStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",4}  {d.LastLatencyMs?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",5}  {d.LastError}");
    }

    private static bool TryParse(string[] args, out ParsedCommand command, out string error)
    {
        command = new ParsedCommand("help", null, false, new Dictionary<string, string>(StringComparer.Ordinal));
        error = "";
        if (args.Length == 0)
            return true;
        string? id = null;
        var json = false;
        var replay = false;
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            var (flag, inlineValue) = arg.IndexOf('=') is var eq and > 0 && arg.StartsWith("--", StringComparison.Ordinal)
                ? (arg[..eq], arg[(eq + 1)..])
                : (arg, null);
            if (flag == "--json")
                json = true;
            else if (flag == "--replay")
                replay = true;
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
        command = new ParsedCommand(args[0], id, json, options) { Replay = replay };
        return true;
    }

    private static int UsageError(TextWriter stderr, string message)
    {
        stderr.WriteLine(message);
        stderr.WriteLine("Run `skubber-push apps --help` for usage.");
        return 2;
    }

    private sealed record ParsedCommand(string Verb, string? Id, bool Json, Dictionary<string, string> Options)
    {
        public bool Replay { get; init; }
    }

    private sealed record LimitOption(string Flag, int Min, int Max, Func<AppLimits, int, AppLimits> Apply);

    private sealed class UsageException(string message) : Exception(message);
}
