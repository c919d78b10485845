using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using SkubberPush.Channels;

namespace SkubberPush.Observability;

/// <summary>
/// Every instrument of the server, on the <c>SkubberPush</c> meter, named as Prometheus shows them
/// (after soketi's, so existing dashboards adapt by prefix). Per-delivery traffic is kept in
/// <see cref="TransportCounters"/> and read by observable instruments at scrape time; rarer events
/// (HTTP calls, refusals) are ordinary counters and histograms.
/// </summary>
public sealed class PushMetrics : IDisposable
{
    public const string MeterName = "SkubberPush";
    public const string Pusher = "pusher";
    public const string SignalR = "signalr";

    private readonly Meter _meter = new(MeterName);
    private readonly ConcurrentDictionary<(string App, string Transport), TransportCounters> _traffic = new();
    private readonly Counter<long> _httpCalls;
    private readonly Histogram<double> _httpDuration;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _webhookAttempts;

    public PushMetrics(ChannelRegistry registry, Webhooks.WebhookOutbox outbox)
    {
        _meter.CreateObservableGauge("skubber_connected", () => Each(c => c.Connected), description: "Open client connections, by app and transport.");
        _meter.CreateObservableCounter("skubber_new_connections_total", () => Each(c => c.Opened), description: "Connections opened.");
        _meter.CreateObservableCounter("skubber_new_disconnections_total", () => Each(c => c.Closed), description: "Connections closed.");
        _meter.CreateObservableCounter("skubber_ws_messages_sent_total", () => Each(c => c.MessagesSent.Sum()), description: "Messages written to clients.");
        _meter.CreateObservableCounter("skubber_socket_transmitted_bytes_total", () => Each(c => c.BytesSent.Sum()), "By", "Bytes of messages written to clients.");
        _meter.CreateObservableCounter("skubber_ws_messages_received_total", () => Each(c => c.MessagesReceived.Sum()), description: "Messages received from Pusher protocol clients.");
        _meter.CreateObservableCounter("skubber_socket_received_bytes_total", () => Each(c => c.BytesReceived.Sum()), "By", "Bytes received from Pusher protocol clients.");
        _meter.CreateObservableGauge("skubber_occupied_channels", () => registry.Apps.Select(a => new Measurement<long>(a.ChannelCount, App(a.AppId))), description: "Channels with at least one subscriber.");
        _meter.CreateObservableGauge("skubber_subscriptions", () => registry.Apps.Select(a => new Measurement<long>(a.SubscriptionCount, App(a.AppId))), description: "Channel subscriptions of open connections.");
        _httpCalls = _meter.CreateCounter<long>("skubber_http_calls_received_total", description: "HTTP API calls, by endpoint and status.");
        _httpDuration = _meter.CreateHistogram<double>("skubber_http_request_duration_seconds", "s", "HTTP API latency, by endpoint.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        _rateLimited = _meter.CreateCounter<long>("skubber_rate_limited_total", description: "Requests and messages refused by a rate limit or quota, by kind.");
        _webhookAttempts = _meter.CreateCounter<long>("skubber_webhook_attempts_total", description: "Webhook delivery attempts, by outcome: delivered, retry, dead.");
        _meter.CreateObservableGauge("skubber_webhook_queue_depth", () => (long)outbox.PendingCount(), description: "Webhook requests waiting in the outbox.");
    }

    public TransportCounters For(string appId, string transport) =>
        _traffic.GetOrAdd((appId, transport), static key => new TransportCounters(key.App, key.Transport));

    public void HttpCall(string endpoint, int status, TimeSpan duration)
    {
        _httpCalls.Add(1, new KeyValuePair<string, object?>("endpoint", endpoint), new KeyValuePair<string, object?>("status", status));
        _httpDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("endpoint", endpoint));
    }

    public void RateLimited(string kind) => _rateLimited.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void WebhookAttempt(string outcome) => _webhookAttempts.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> Each(Func<TransportCounters, long> read) =>
        _traffic.Values.Select(c => new Measurement<long>(read(c), new KeyValuePair<string, object?>("app", c.AppId), new KeyValuePair<string, object?>("transport", c.Transport)));

    private static KeyValuePair<string, object?> App(string appId) => new("app", appId);
}
