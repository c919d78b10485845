using System.Net.WebSockets;
using Microsoft.Extensions.Options;
using SkubberPush.Apps;
using SkubberPush.Channels;
using SkubberPush.Endpoints;
using SkubberPush.Hosting;
using SkubberPush.Observability;

namespace SkubberPush.Pusher;

/// <summary>
/// <c>/app/{key}</c>: Pusher Channels protocol 7, so pusher-js, Laravel Echo and the mobile SDKs
/// connect unchanged. Admission in Pusher's order (pusher-compat §4.1); a refusal is a
/// <c>pusher:error</c> frame and a close with the same code, which tells the client whether to retry.
/// </summary>
public static partial class PusherSocketEndpoint
{
    public const string Route = "/app/{key}";

    public static IEndpointRouteBuilder MapPusherProtocol(this IEndpointRouteBuilder routes)
    {
        routes.Map(Route, HandleAsync).ExcludeFromDescription();
        return routes;
    }

    private static async Task HandleAsync(HttpContext http, string key, AppCatalog catalog, ChannelRegistry registry,
        SocketIdGenerator socketIds, PusherDispatcher dispatcher, IOptions<PusherOptions> options, ServerState state,
        PushMetrics metrics, TimeProvider time, ILoggerFactory loggers)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            await new ApiError(StatusCodes.Status400BadRequest, "This is a Pusher WebSocket endpoint: connect with a WebSocket client such as pusher-js").ToResult().ExecuteAsync(http);
            return;
        }
        var (socket, coalescing) = await WebSocketUpgrade.AcceptAsync(http);
        using var _ = socket;
        var logger = loggers.CreateLogger<PusherConnection>();

        var (app, refusal) = state.Draining
            ? (null, (PusherCloseCodes.Reconnect, "Server shutting down; reconnect"))
            : Admit(http, key, catalog);
        if (app is null)
        {
            LogRefused(logger, refusal.Code, refusal.Message);
            await RefuseAsync(socket, refusal.Code, refusal.Message);
            return;
        }
        var channels = registry.For(app.Id);
        var counters = metrics.For(app.Id, PushMetrics.Pusher);
        var connection = new PusherConnection(socketIds.Next(), app.Id, socket, coalescing, options.Value.OutboxCapacity, counters, time, logger);
        if (!channels.TryConnect(connection, app.Limits.MaxConnections))
        {
            metrics.RateLimited("connection_quota");
            LogRefused(logger, PusherCloseCodes.OverConnectionQuota, $"app {app.Id} is at {app.Limits.MaxConnections} connections");
            await RefuseAsync(socket, PusherCloseCodes.OverConnectionQuota, "Application is over connection quota");
            return;
        }
        counters.ConnectionOpened();
        LogOpened(logger, connection.SocketId, app.Id);
        try
        {
            connection.Send(PusherFrames.Established(connection.SocketId, options.Value.ActivityTimeoutSeconds));
            await connection.RunAsync(dispatcher.DispatchAsync, MaxFrameBytes(app), http.RequestAborted);
        }
        finally
        {
            channels.Disconnect(connection);
            counters.ConnectionClosed();
            LogClosed(logger, connection.SocketId, app.Id);
        }
    }

    /// <summary>The largest client frame: a client event's data at the app's limit, escaped, plus the envelope.</summary>
    public static int MaxFrameBytes(PushApp app) => 2 * app.Limits.MaxEventPayloadBytes + 4_096;

    private static (PushApp? App, (int Code, string Message) Refusal) Admit(HttpContext http, string key, AppCatalog catalog)
    {
        if (!catalog.TryGetByKey(key, out var app))
            return (null, (PusherCloseCodes.AppDoesNotExist, $"App key {Truncate(key)} does not exist"));
        if (!app.Enabled)
            return (null, (PusherCloseCodes.AppDisabled, "Application disabled"));
        // Protocols 5-7 are the same for us; a missing version is taken as 7 (pusher-compat §9.7).
        var protocol = http.Request.Query["protocol"].ToString();
        if (protocol.Length > 0 && protocol is not ("5" or "6" or "7"))
            return (null, (PusherCloseCodes.UnsupportedProtocol, $"Unsupported protocol version {Truncate(protocol)}"));
        return (app, default);
    }

    private static async Task RefuseAsync(WebSocket socket, int code, string message)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await socket.SendAsync(PusherFrames.ErrorFrame(code, message), WebSocketMessageType.Text, true, timeout.Token);
            await socket.CloseOutputAsync((WebSocketCloseStatus)code, PusherFrames.CloseReason(message), timeout.Token);
            // Wait for the client's close so it reads our code before the TCP connection ends.
            var buffer = new byte[256];
            while ((await socket.ReceiveAsync(buffer, timeout.Token)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
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
