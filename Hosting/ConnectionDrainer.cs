using Microsoft.Extensions.Options;
using SkubberPush.Channels;

namespace SkubberPush.Hosting;

/// <summary>
/// Graceful shutdown on SIGTERM/SIGINT. Readiness turns false and new connections are refused at
/// once; open ones are told to reconnect (Pusher 4200, a SignalR close that allows reconnecting) in
/// batches over the first half of the grace period, so a rolling restart does not send every client
/// to the next node in the same instant.
/// </summary>
/// <remarks>
/// It must run before anything else reacts to shutdown: SignalR aborts all its connections in an
/// <c>ApplicationStopping</c> callback, and WebApplication stops Kestrel first. Cancellation
/// callbacks run last-registered-first, so the drain registers once the app has started (after
/// SignalR) and holds shutdown inside its callback until it is done; Kestrel keeps serving
/// meanwhile, so <c>/ready</c> answers 503 and late clients get a clear refusal.
/// </remarks>
public sealed partial class ConnectionDrainer(ChannelRegistry registry, ServerState state, IHostApplicationLifetime lifetime,
    IOptions<DrainOptions> options, TimeProvider time, ILogger<ConnectionDrainer> logger) : IHostedService
{
    private const int Batches = 20;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            state.Started();
            lifetime.ApplicationStopping.Register(() => DrainAsync().GetAwaiter().GetResult());
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The share of the grace period the drain may take; the host's own stop gets the rest.</summary>
    public static TimeSpan Budget(DrainOptions options) => TimeSpan.FromSeconds(options.GracePeriodSeconds * 0.75);

    private async Task DrainAsync()
    {
        state.BeginDraining();
        var connections = registry.Apps.SelectMany(a => a.Connections).ToList();
        LogDraining(connections.Count, options.Value.GracePeriodSeconds);
        var spread = TimeSpan.FromSeconds(options.Value.GracePeriodSeconds / 2.0);
        var deadline = time.GetUtcNow() + Budget(options.Value);
        var batchSize = Math.Max(1, (connections.Count + Batches - 1) / Batches);
        for (var start = 0; start < connections.Count; start += batchSize)
        {
            foreach (var connection in connections.Skip(start).Take(batchSize))
                connection.Reconnect();
            if (start + batchSize < connections.Count)
                await Task.Delay(spread / Batches, time).ConfigureAwait(false);
        }
        // Let the close handshakes finish, within the budget; what is left is aborted by the host.
        while (registry.Apps.Any(a => a.ConnectionCount > 0) && time.GetUtcNow() < deadline)
            await Task.Delay(TimeSpan.FromMilliseconds(25), time).ConfigureAwait(false);
        LogDrained(registry.Apps.Sum(a => a.ConnectionCount));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Draining: telling {Count} connections to reconnect; exit within {GraceSeconds} s")]
    private partial void LogDraining(int count, int graceSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Drained; {Left} connections left to abort")]
    private partial void LogDrained(int left);
}
