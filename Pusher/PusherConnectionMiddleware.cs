using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using SkubberPush.Channels;

namespace SkubberPush.Pusher;

/// <summary>
/// Kestrel connection middleware. A plain connection whose first bytes are a complete WebSocket
/// upgrade to <c>/app/{key}</c> becomes a Pusher connection right here: the 101 and every frame
/// after it are written to the socket by the <see cref="OutboxScheduler"/>, and no HTTP request
/// state is kept for the connection's lifetime. Everything else (other requests, TLS, an upgrade
/// split over several packets) goes on to Kestrel untouched, where <see cref="PusherSocketEndpoint"/>
/// serves <c>/app/{key}</c> the ordinary way.
/// </summary>
public sealed class PusherConnectionMiddleware(PusherSessions sessions)
{
    // A connection that sends nothing this long is handed to Kestrel, whose own timeouts apply.
    private static readonly TimeSpan FirstBytesTimeout = TimeSpan.FromSeconds(10);

    public async Task OnConnectedAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
        var session = socket is null ? null : await TryStartAsync(connection, socket);
        await (session ?? next(connection));
    }

    // Looks at the first read only; unless it is taken, nothing is consumed and Kestrel reads the same bytes.
    private async Task<Task?> TryStartAsync(ConnectionContext connection, Socket socket)
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
                return null;
            }
        }
        var request = UpgradeRequest.TryParse(read.Buffer, out var length);
        var consumed = request is null ? read.Buffer.Start : read.Buffer.GetPosition(length);
        input.AdvanceTo(consumed, consumed);
        if (request is null)
            return null;
        var outbox = sessions.CreateOutbox(socket, output: null);
        outbox.Enqueue(WebSocketUpgrade.SwitchingProtocols(request.WebSocketKey));
        return sessions.RunAsync(request.AppKey, request.Protocol, input, outbox);
    }
}
