using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;
using SkubberPush.Apps;
using SkubberPush.Auth;
using SkubberPush.Observability;

namespace SkubberPush.Webhooks;

/// <summary>
/// Delivers the outbox: POST with Pusher's headers (<c>X-Pusher-Key</c>, <c>X-Pusher-Signature</c>
/// over the exact bytes, <c>Content-Type</c> exactly <c>application/json</c>) over HTTP/1.1, plus
/// <c>X-Skubber-Webhook-Id</c> for de-duplication. A 2xx is success; anything else, a redirect, a
/// timeout or a network error is retried with exponential backoff (1 s … 60 s) until the retry
/// window ends, then the request is dead. Several deliveries run at once and responses are never
/// read, so a receiver that hangs or answers huge bodies costs one slot for one timeout.
/// </summary>
public sealed partial class WebhookSender(WebhookOutbox outbox, AppCatalog catalog, WebhookSignal signal, IOptions<WebhookOptions> options,
    TimeProvider time, PushMetrics metrics, ILogger<WebhookSender> logger) : BackgroundService
{
    public const string IdHeader = "X-Skubber-Webhook-Id";
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan KeepDelivered = TimeSpan.FromDays(1);

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(options.Value.TimeoutSeconds),
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var inFlight = new ConcurrentDictionary<string, byte>();
        using var slots = new SemaphoreSlim(options.Value.Concurrency);
        var nextPrune = time.GetUtcNow();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var now = time.GetUtcNow();
                    if (now >= nextPrune)
                    {
                        outbox.Prune(now - KeepDelivered);
                        nextPrune = now + TimeSpan.FromMinutes(10);
                    }
                    foreach (var delivery in outbox.Due(now, options.Value.Concurrency * 4))
                    {
                        if (!inFlight.TryAdd(delivery.Id, 0))
                            continue;
                        await slots.WaitAsync(stoppingToken);
                        _ = Task.Run(async () =>
                        {
                            try { await SendAsync(delivery, stoppingToken); }
                            finally
                            {
                                inFlight.TryRemove(delivery.Id, out _);
                                slots.Release();
                                signal.Notify(); // a retry may already be due
                            }
                        }, CancellationToken.None);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogOutboxUnreadable(e);
                }
                await signal.WaitAsync(Poll, stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Pending requests stay in the outbox and are sent after the next start.
        }
    }

    private async Task SendAsync(WebhookDelivery delivery, CancellationToken stoppingToken)
    {
        if (!catalog.TryGetById(delivery.AppId, out var app))
        {
            outbox.MarkFailed(delivery.Id, null, "the app no longer exists", 0, null, time.GetUtcNow());
            return;
        }
        var body = Encoding.UTF8.GetBytes(delivery.Body);
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
        {
            Version = new Version(1, 1),
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        // Exactly application/json: the Node SDK's isValid() rejects "; charset=utf-8".
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("X-Pusher-Key", app.Key);
        request.Headers.TryAddWithoutValidation("X-Pusher-Signature", PusherSignature.Sign(Encoding.UTF8.GetBytes(app.Secret), body));
        request.Headers.TryAddWithoutValidation(IdHeader, delivery.Id);

        var started = Stopwatch.GetTimestamp();
        int? status = null;
        string error;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.TimeoutSeconds));
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                outbox.MarkDelivered(delivery.Id, status.Value, Elapsed(started), time.GetUtcNow());
                metrics.WebhookAttempt("delivered");
                return;
            }
            error = $"HTTP {status}";
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return; // shutting down: the attempt does not count
        }
        catch (OperationCanceledException)
        {
            error = $"no response within {options.Value.TimeoutSeconds} s";
        }
        catch (HttpRequestException e)
        {
            error = e.Message;
        }
        var now = time.GetUtcNow();
        var next = now + Backoff(delivery.Attempts + 1);
        var dead = next - delivery.CreatedAt > TimeSpan.FromSeconds(options.Value.RetryWindowSeconds);
        outbox.MarkFailed(delivery.Id, status, error, Elapsed(started), dead ? null : next, now);
        metrics.WebhookAttempt(dead ? "dead" : "retry");
        if (dead)
            LogDead(delivery.Id, delivery.AppId, delivery.Attempts + 1, error);
    }

    /// <summary>1 s, 2 s, 4 s … capped at 60 s.</summary>
    public static TimeSpan Backoff(int attempt) => TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Max(0, attempt - 1))));

    private static int Elapsed(long started) => (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Id} of app {AppId} is dead after {Attempts} attempts: {Error}; `apps webhooks {AppId} --replay` sends it again")]
    private partial void LogDead(string id, string appId, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the webhook outbox; retrying")]
    private partial void LogOutboxUnreadable(Exception exception);
}
