using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using SkubberPush.Apps;
using SkubberPush.Channels;
using SkubberPush.Json;
using SkubberPush.Json.Wire;

namespace SkubberPush.Webhooks;

/// <summary>
/// Turns channel events into webhook requests (pusher-compat §7): holds channel_vacated and
/// member_removed for the grace period and drops the pair when the channel or user comes back
/// (a page reload produces nothing), de-duplicates cache_miss, throttles subscription_count on
/// big channels, batches per app within a short window, and writes each request to the outbox.
/// Observer calls only enqueue; one loop owns all the state.
/// </summary>
public sealed partial class WebhookDispatcher(AppCatalog catalog, WebhookOutbox outbox, WebhookSignal signal, IOptions<WebhookOptions> options,
    TimeProvider time, ILogger<WebhookDispatcher> logger) : BackgroundService, IChannelObserver
{
    private const int MaxBatchEvents = 100;
    private static readonly TimeSpan CacheMissInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan BigChannelCountInterval = TimeSpan.FromSeconds(5);
    private const int BigChannel = 100;

    private readonly Channel<Raised> _input = Channel.CreateUnbounded<Raised>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<(string App, string Channel), DateTimeOffset> _vacatedDue = [];
    private readonly Dictionary<(string App, string Channel, string User), DateTimeOffset> _removedDue = [];
    private readonly Dictionary<(string App, string Channel), DateTimeOffset> _cacheMissSent = [];
    private readonly Dictionary<(string App, string Channel), CountState> _counts = [];
    private readonly Dictionary<string, Batch> _batches = new(StringComparer.Ordinal);

    public void ChannelOccupied(string appId, string channel) => Raise(appId, new WebhookEvent(WebhookEventNames.ChannelOccupied, channel));
    public void ChannelVacated(string appId, string channel) => Raise(appId, new WebhookEvent(WebhookEventNames.ChannelVacated, channel));
    public void MemberAdded(string appId, string channel, string userId) => Raise(appId, new WebhookEvent(WebhookEventNames.MemberAdded, channel, userId));
    public void MemberRemoved(string appId, string channel, string userId) => Raise(appId, new WebhookEvent(WebhookEventNames.MemberRemoved, channel, userId));
    public void CacheMiss(string appId, string channel) => Raise(appId, new WebhookEvent(WebhookEventNames.CacheMiss, channel));
    public void SubscriptionCountChanged(string appId, string channel, int count) =>
        Raise(appId, new WebhookEvent(WebhookEventNames.SubscriptionCount, channel, SubscriptionCount: count));
    public void ClientEvent(string appId, string channel, string eventName, string data, string socketId, string? userId) =>
        Raise(appId, new WebhookEvent(WebhookEventNames.ClientEvent, channel, userId, eventName, data, socketId));

    // Apps without a webhook cost one lookup here and nothing else.
    private void Raise(string appId, WebhookEvent evt)
    {
        if (catalog.TryGetById(appId, out var app) && app.Webhook is not null)
            _input.Writer.TryWrite(new Raised(appId, evt, time.GetUtcNow()));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Clamp(options.Value.BatchWindowMilliseconds / 2, 10, 250)), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                Process(flushEverything: false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>On shutdown (after the drain has closed the connections) everything held goes to the outbox now.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Process(flushEverything: true);
    }

    private void Process(bool flushEverything)
    {
        try
        {
            var now = time.GetUtcNow();
            while (_input.Reader.TryRead(out var raised))
                Handle(raised, now);
            ReleaseDue(now, flushEverything);
            foreach (var batch in _batches.Values.ToList())
                if (flushEverything || batch.Events.Count >= MaxBatchEvents || now - batch.Opened >= TimeSpan.FromMilliseconds(options.Value.BatchWindowMilliseconds))
                    Flush(batch, now);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The key file was briefly unwritable: what is in memory stays and is retried next tick.
            LogFailed(e);
        }
    }

    private void Handle(Raised raised, DateTimeOffset now)
    {
        var (app, evt) = (raised.AppId, raised.Event);
        var delay = TimeSpan.FromSeconds(options.Value.VacateDelaySeconds);
        switch (evt.Name)
        {
            case WebhookEventNames.ChannelVacated when delay > TimeSpan.Zero:
                _vacatedDue[(app, evt.Channel)] = raised.At + delay;
                break;
            case WebhookEventNames.ChannelOccupied when _vacatedDue.Remove((app, evt.Channel)):
                break; // back within the grace period: neither vacated nor occupied is sent
            case WebhookEventNames.MemberRemoved when delay > TimeSpan.Zero:
                _removedDue[(app, evt.Channel, evt.UserId!)] = raised.At + delay;
                break;
            case WebhookEventNames.MemberAdded when _removedDue.Remove((app, evt.Channel, evt.UserId!)):
                break;
            case WebhookEventNames.CacheMiss:
                if (_cacheMissSent.TryGetValue((app, evt.Channel), out var sent) && now - sent < CacheMissInterval)
                    break;
                _cacheMissSent[(app, evt.Channel)] = now;
                Add(app, evt, now);
                break;
            case WebhookEventNames.SubscriptionCount:
                var state = _counts.GetValueOrDefault((app, evt.Channel));
                if (evt.SubscriptionCount <= BigChannel || now - state.LastSent >= BigChannelCountInterval)
                {
                    _counts[(app, evt.Channel)] = new CountState(now, null);
                    Add(app, evt, now);
                }
                else
                    _counts[(app, evt.Channel)] = state with { Pending = evt.SubscriptionCount };
                break;
            default:
                Add(app, evt, now);
                break;
        }
    }

    private void ReleaseDue(DateTimeOffset now, bool all)
    {
        foreach (var (key, due) in _vacatedDue.ToList())
            if (all || due <= now)
            {
                _vacatedDue.Remove(key);
                Add(key.App, new WebhookEvent(WebhookEventNames.ChannelVacated, key.Channel), now);
            }
        foreach (var (key, due) in _removedDue.ToList())
            if (all || due <= now)
            {
                _removedDue.Remove(key);
                Add(key.App, new WebhookEvent(WebhookEventNames.MemberRemoved, key.Channel, key.User), now);
            }
        foreach (var (key, state) in _counts.ToList())
            if (state.Pending is { } count && (all || now - state.LastSent >= BigChannelCountInterval))
            {
                _counts[key] = new CountState(now, null);
                Add(key.App, new WebhookEvent(WebhookEventNames.SubscriptionCount, key.Channel, SubscriptionCount: count), now);
            }
    }

    private void Add(string appId, WebhookEvent evt, DateTimeOffset now)
    {
        if (!catalog.TryGetById(appId, out var app) || app.Webhook is not { } webhook || !webhook.Wants(evt.Name))
            return;
        if (_batches.TryGetValue(appId, out var batch) && batch.Url != webhook.Url)
        {
            Flush(batch, now);
            batch = null;
        }
        if (batch is null)
            _batches[appId] = batch = new Batch(appId, webhook.Url, now);
        batch.Events.Add(evt);
        if (batch.Events.Count >= MaxBatchEvents)
            Flush(batch, now);
    }

    private void Flush(Batch batch, DateTimeOffset now)
    {
        var body = JsonSerializer.Serialize(new WebhookBody(now.ToUnixTimeMilliseconds(), [.. batch.Events]), PushJsonContext.Wire.WebhookBody);
        outbox.Enqueue(batch.AppId, batch.Url, body, now);
        _batches.Remove(batch.AppId);
        signal.Notify();
    }

    private sealed record Raised(string AppId, WebhookEvent Event, DateTimeOffset At);

    private sealed class Batch(string appId, string url, DateTimeOffset opened)
    {
        public string AppId { get; } = appId;
        public string Url { get; } = url;
        public DateTimeOffset Opened { get; } = opened;
        public List<WebhookEvent> Events { get; } = [];
    }

    private readonly record struct CountState(DateTimeOffset LastSent, int? Pending);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write webhooks to the outbox; retrying")]
    private partial void LogFailed(Exception exception);
}
