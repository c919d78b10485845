using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using SkubberPush.Apps;
using SkubberPush.Channels;
using SkubberPush.Hosting;
using SkubberPush.Observability;
using SkubberPush.Sockets;

namespace SkubberPush.Pusher;

/// <summary>
/// One Pusher connection from its upgrade to its end, whichever way it arrived (the connection
/// middleware or the <c>/app/{key}</c> endpoint). Admission in Pusher's order (pusher-compat §4.1);
/// a refusal is a <c>pusher:error</c> frame and a close with the same code, which tells the client
/// whether to retry.
/// </summary>
public sealed partial class PusherSessions(AppCatalog catalog, ChannelRegistry registry, SocketIdGenerator socketIds,
    PusherDispatcher dispatcher, OutboxScheduler scheduler, IOptions<PusherOptions> options, ServerState state,
    PushMetrics metrics, TimeProvider time, ILogger<PusherConnection> logger)
{
    /// <summary>An outbox writing to <paramref name="socket"/> directly, or else to <paramref name="output"/>.</summary>
    public FrameOutbox CreateOutbox(Socket? socket, Stream? output) => new(scheduler, options.Value.OutboxCapacity, socket, output);

    /// <summary>
    /// Runs the connection until it closes; returns once its last frames have left (or could not).
    /// Admission happens before anything is awaited, so the request's strings are not kept for the
    /// connection's lifetime.
    /// </summary>
    public Task RunAsync(string appKey, string protocol, PipeReader input, FrameOutbox outbox)
    {
        var (app, refusal) = state.Draining
            ? (null, (PusherCloseCodes.Reconnect, "Server shutting down; reconnect"))
            : Admit(appKey, protocol);
        return ServeAsync(app, refusal, input, outbox);
    }

    private async Task ServeAsync(PushApp? app, (int Code, string Message) refusal, PipeReader input, FrameOutbox outbox)
    {
        try
        {
            if (app is null)
            {
                LogRefused(logger, refusal.Code, refusal.Message);
                await RefuseAsync(input, outbox, refusal.Code, refusal.Message);
                return;
            }
            var channels = registry.For(app.Id);
            var counters = metrics.For(app.Id, PushMetrics.Pusher);
            var connection = new PusherConnection(socketIds.Next(), app.Id, input, MaxFrameBytes(app), outbox, dispatcher, counters, time, logger);
            if (!channels.TryConnect(connection, app.Limits.MaxConnections))
            {
                metrics.RateLimited("connection_quota");
                LogRefused(logger, PusherCloseCodes.OverConnectionQuota, $"app {app.Id} is at {app.Limits.MaxConnections} connections");
                await RefuseAsync(input, outbox, PusherCloseCodes.OverConnectionQuota, "Application is over connection quota");
                return;
            }
            counters.ConnectionOpened();
            LogOpened(logger, connection.SocketId, app.Id);
            try
            {
                connection.Send(PusherFrames.Established(connection.SocketId, options.Value.ActivityTimeoutSeconds));
                await connection.RunAsync();
            }
            finally
            {
                channels.Disconnect(connection);
                counters.ConnectionClosed();
                LogClosed(logger, connection.SocketId, app.Id);
            }
        }
        finally
        {
            await outbox.FinishAsync(time);
        }
    }

    /// <summary>The largest client frame: a client event's data at the app's limit, escaped, plus the envelope.</summary>
    public static int MaxFrameBytes(PushApp app) => 2 * app.Limits.MaxEventPayloadBytes + 4_096;

    private (PushApp? App, (int Code, string Message) Refusal) Admit(string key, string protocol)
    {
        if (!catalog.TryGetByKey(key, out var app))
            return (null, (PusherCloseCodes.AppDoesNotExist, $"App key {Truncate(key)} does not exist"));
        if (!app.Enabled)
            return (null, (PusherCloseCodes.AppDisabled, "Application disabled"));
        // Protocols 5-7 are the same for us; a missing version is taken as 7 (pusher-compat §9.7).
        if (protocol.Length > 0 && protocol is not ("5" or "6" or "7"))
            return (null, (PusherCloseCodes.UnsupportedProtocol, $"Unsupported protocol version {Truncate(protocol)}"));
        return (app, default);
    }

    private static async Task RefuseAsync(PipeReader input, FrameOutbox outbox, int code, string message)
    {
        outbox.Enqueue(PusherFrames.ErrorFrame(code, message));
        outbox.EnqueueFinal(WebSocketFrames.Close(code, message));
        // Wait for the client's close so it reads our code before the TCP connection ends.
        using var timeout = new CancellationTokenSource(CloseDeadline.Timeout);
        var reader = new ClientFrameReader(input, maxMessageBytes: 4_096);
        try
        {
            while (true)
            {
                var answer = await reader.ReadAsync(timeout.Token);
                answer.Release();
                if (answer.Kind is ClientMessageKind.Close or ClientMessageKind.End or ClientMessageKind.TooBig
                    or ClientMessageKind.ProtocolError or ClientMessageKind.InvalidText)
                    return;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
        }
    }

    private static string Truncate(string text) => PusherFrames.Clip(text, 64);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Pusher connection {SocketId} opened for app {AppId}")]
    private static partial void LogOpened(ILogger logger, string socketId, string appId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Pusher connection {SocketId} of app {AppId} closed")]
    private static partial void LogClosed(ILogger logger, string socketId, string appId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pusher connection refused with {Code}: {Reason}")]
    private static partial void LogRefused(ILogger logger, int code, string reason);
}
