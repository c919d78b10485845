using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using SkubberPush.Channels;
using SkubberPush.Hubs;
using SkubberPush.Pusher;

namespace SkubberPush.Sockets;

/// <summary>
/// Kestrel connection middleware. A plain connection whose first bytes are a complete WebSocket
/// upgrade to <c>/app/{key}</c> (Pusher) or to <c>/push</c> (the hub: clients that skip
/// negotiation, and negotiated ones whose token <see cref="NegotiatedConnections"/> holds) is served
/// right here: the 101 and every frame after it are written to the socket by the
/// <see cref="OutboxScheduler"/>, and no HTTP request state is kept for the connection's lifetime.
/// Everything else (other requests, TLS, stateful reconnect, an upgrade split over several packets)
/// goes on to Kestrel untouched, where the HTTP pipeline serves the same paths the ordinary way.
/// </summary>
public sealed class SocketTakeoverMiddleware(PusherSessions pusher, HubSockets hub)
{
    // A connection that sends nothing this long is handed to Kestrel, whose own timeouts apply.
    private static readonly TimeSpan FirstBytesTimeout = TimeSpan.FromSeconds(10);
    private const string PusherPrefix = "/app/";

    // Unwrapped, not awaited: an async method here would stay allocated for the connection's lifetime.
    public Task OnConnectedAsync(ConnectionContext connection, ConnectionDelegate next) =>
        connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket
            ? TryStartAsync(connection, socket, next).Unwrap()
            : next(connection);

    /// <summary>Whose upgrade this is; <paramref name="appKey"/> is set for Pusher's.</summary>
    public static SocketRoute Route(UpgradeRequest request, out string appKey)
    {
        appKey = "";
        if (request.Path.StartsWith(PusherPrefix, StringComparison.Ordinal))
        {
            var key = request.Path[PusherPrefix.Length..];
            if (key.Length == 0 || key.Contains('/'))
                return SocketRoute.None;
            appKey = key;
            return SocketRoute.Pusher;
        }
        return request.Path == PushHub.Path ? SocketRoute.Hub : SocketRoute.None;
    }

    // Looks at the first read only; unless it is taken, nothing is consumed and Kestrel reads the same bytes.
    // Returns the connection's whole life: our session, or Kestrel's (next).
    private async Task<Task> TryStartAsync(ConnectionContext connection, Socket socket, ConnectionDelegate next)
    {
        var input = connection.Transport.Input;
        ReadResult read;
        // Not linked to ConnectionClosed: a closed connection completes the input anyway, and a
        // registration there would stay allocated (as a free node) for the connection's lifetime.
        using (var timeout = new CancellationTokenSource(FirstBytesTimeout))
        {
            try
            {
                read = await input.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return next(connection);
            }
        }
        var request = UpgradeRequest.TryParse(read.Buffer, out var length);
        var appKey = "";
        var route = request is null ? SocketRoute.None : Route(request, out appKey);
        // A negotiated hub connection whose token is not ours to take stays with SignalR's connection manager.
        var connectionId = connection.ConnectionId;
        if (route == SocketRoute.Hub && request!.QueryValue("id") is { Length: > 0 } token && !hub.TryTakeNegotiated(token, out connectionId))
            route = SocketRoute.None;
        var consumed = route == SocketRoute.None ? read.Buffer.Start : read.Buffer.GetPosition(length);
        input.AdvanceTo(consumed, consumed);
        switch (route)
        {
            case SocketRoute.Pusher:
                var outbox = pusher.CreateOutbox(socket, output: null);
                outbox.Enqueue(WebSocketUpgrade.SwitchingProtocols(request!.WebSocketKey));
                return pusher.RunAsync(appKey, request.QueryValue("protocol"), input, outbox);
            case SocketRoute.Hub:
                // Admitted here, so the request's strings (the token above all) are not kept for the connection's lifetime.
                var hubOutbox = hub.CreateOutbox(socket);
                var (identity, refusal) = await hub.AdmitAsync(request!);
                if (identity is null)
                    return hub.RefuseAsync(hubOutbox, refusal!);
                hubOutbox.Enqueue(WebSocketUpgrade.SwitchingProtocols(request!.WebSocketKey));
                return hub.RunAsync(connection, connectionId, hubOutbox, identity);
            default:
                return next(connection);
        }
    }
}

public enum SocketRoute { None, Pusher, Hub }
