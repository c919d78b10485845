using Microsoft.Extensions.Options;
using SkubberPush.Channels;

namespace SkubberPush.Pusher;

/// <summary>
/// Server-side liveness (pusher-compat §4.4): a connection silent for the activity timeout gets
/// <c>pusher:ping</c>; silent for the pong timeout after that, it gets error 4201 and is closed.
/// One periodic sweep for every connection, rather than a timer per socket.
/// </summary>
public sealed class PusherActivityMonitor(ChannelRegistry registry, IOptions<PusherOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var activity = TimeSpan.FromSeconds(options.Value.ActivityTimeoutSeconds);
        var pong = TimeSpan.FromSeconds(options.Value.PongTimeoutSeconds);
        var interval = TimeSpan.FromSeconds(Math.Clamp(Math.Min(activity.TotalSeconds, pong.TotalSeconds) / 4, 0.25, 5));
        using var timer = new PeriodicTimer(interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
            Sweep(activity, pong);
    }

    public void Sweep(TimeSpan activityTimeout, TimeSpan pongTimeout)
    {
        foreach (var app in registry.Apps)
        foreach (var connection in app.Connections.OfType<PusherConnection>())
        {
            var (idle, sincePing) = connection.Activity();
            if (sincePing is { } waited)
            {
                if (waited >= pongTimeout)
                    connection.Close(PusherCloseCodes.PongNotReceived, "Pong reply not received");
            }
            else if (idle >= activityTimeout)
                connection.Ping();
        }
    }
}
