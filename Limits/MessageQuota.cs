using System.Collections.Concurrent;
using System.Globalization;
using SkubberPush.Apps;
using SkubberPush.Channels;

namespace SkubberPush.Limits;

/// <summary>
/// Each app's messages of the current UTC day, counted as Pusher counts them: one per event
/// published (per channel, REST or client event) and one per delivery to a connection. The
/// count lives in the core's lock-free counters; this service adds what earlier runs of the day
/// stored, and writes the total to <c>app_usage</c> every ten seconds and on shutdown, so a
/// restart does not reset the day.
/// </summary>
public sealed partial class MessageQuota(ChannelRegistry registry, AppStore store, TimeProvider time, ILogger<MessageQuota> logger) : BackgroundService
{
    private static readonly TimeSpan PersistInterval = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, Usage> _usage = new(StringComparer.Ordinal);

    public bool IsExceeded(PushApp app) => app.Limits.MaxMessagesPerDay > 0 && UsedToday(app.Id) >= app.Limits.MaxMessagesPerDay;

    public void CountPublished(string appId, int events) => registry.For(appId).Messages.Add(events);

    public long UsedToday(string appId)
    {
        var counter = registry.For(appId).Messages;
        var day = Today();
        var usage = _usage.GetOrAdd(appId, id => new Usage(day, Load(id, day), counter.Sum()));
        lock (usage)
        {
            if (usage.Day != day)
            {
                // Midnight UTC: yesterday's count was persisted under yesterday; start from zero.
                Persist(appId, usage, counter.Sum());
                usage.Day = day;
                usage.Baseline = 0;
                usage.CounterAtStart = counter.Sum();
            }
            return usage.Baseline + counter.Sum() - usage.CounterAtStart;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PersistInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                PersistAll();
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        PersistAll();
    }

    private void PersistAll()
    {
        try
        {
            foreach (var app in registry.Apps)
                UsedToday(app.AppId); // a day rollover is handled there
            foreach (var (appId, usage) in _usage)
                lock (usage)
                    Persist(appId, usage, registry.For(appId).Messages.Sum());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogPersistFailed(e);
        }
    }

    private void Persist(string appId, Usage usage, long counter) =>
        store.Execute("INSERT INTO app_usage (app_id, day, messages) VALUES ($app, $day, $messages) " +
                      "ON CONFLICT (app_id, day) DO UPDATE SET messages = excluded.messages",
            ("$app", appId), ("$day", usage.Day), ("$messages", usage.Baseline + counter - usage.CounterAtStart));

    private long Load(string appId, string day) =>
        store.Scalar("SELECT messages FROM app_usage WHERE app_id = $app AND day = $day", ("$app", appId), ("$day", day)) is long stored ? stored : 0;

    private string Today() => time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private sealed class Usage(string day, long baseline, long counterAtStart)
    {
        public string Day { get; set; } = day;
        public long Baseline { get; set; } = baseline;
        public long CounterAtStart { get; set; } = counterAtStart;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not store today's message counts; retrying")]
    private partial void LogPersistFailed(Exception exception);
}
