using System.IO.Pipelines;
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
        var request = socket is null ? null : await ReadUpgradeAsync(connection);
        if (request is null)
        {
            await next(connection);
            return;
        }
        var outbox = sessions.CreateOutbox(socket, output: null);
        outbox.Enqueue(WebSocketUpgrade.SwitchingProtocols(request.WebSocketKey));
        await sessions.RunAsync(request.AppKey, request.Protocol, connection.Transport.Input, outbox, connection.ConnectionClosed);
    }

    // Looks at the first read only; unless it is taken, nothing is consumed and Kestrel reads the same bytes.
    private static async Task<UpgradeRequest?> ReadUpgradeAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        ReadResult read;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed))
        {
            timeout.CancelAfter(FirstBytesTimeout);
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
        return request;
    }
}
