using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.WebUtilities;
using SkubberPush.Auth;
using SkubberPush.Channels;
using SkubberPush.Json;
using SkubberPush.Json.Rest;
using SkubberPush.Sockets;

namespace SkubberPush.Hubs;

/// <summary>
/// Hub connections taken over before the HTTP pipeline (plain WebSocket upgrades, negotiated or
/// not, see <see cref="SocketTakeoverMiddleware"/>): the same admission as
/// <see cref="HubTokenMiddleware"/>, then SignalR's own <see cref="HubConnectionHandler{THub}"/> runs
/// the hub over a <see cref="HubSocket"/> until the connection ends.
/// </summary>
public sealed class HubSockets(HubAdmission admission, HubConnectionHandler<PushHub> handler, NegotiatedConnections negotiated,
    OutboxScheduler scheduler, TimeProvider time)
{
    // A hub message at SignalR's limit, plus room for the WebSocket framing SignalR's transport would see.
    private const int MaxFrameBytes = HubServiceCollectionExtensions.MaxReceiveMessageBytes + 1024;

    /// <summary>An outbox writing to <paramref name="socket"/> directly.</summary>
    public FrameOutbox CreateOutbox(Socket socket) => new(scheduler, HubSubscriber.OutboxCapacity, socket, stream: null);

    /// <summary>Takes a token <c>/push/negotiate</c> issued for the socket path; its connection id is the connection's.</summary>
    public bool TryTakeNegotiated(string token, out string connectionId) => negotiated.TryTake(token, out connectionId);

    /// <summary>Admission by the upgrade's token and user, before anything is written.</summary>
    public ValueTask<(HubIdentity? Identity, HubAdmission.Refusal? Refusal)> AdmitAsync(UpgradeRequest request) =>
        admission.AdmitAsync(request.QueryValue("access_token"), request.Authorization, request.QueryValue("userId"));

    /// <summary>Answers the upgrade with the refusal's status and <c>{"error":...}</c>, as the HTTP pipeline would.</summary>
    public async Task RefuseAsync(FrameOutbox outbox, HubAdmission.Refusal refusal)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new ErrorBody(refusal.Message), PushJsonContext.Wire.ErrorBody);
        var retry = refusal.Status == StatusCodes.Status503ServiceUnavailable ? "Retry-After: 1\r\n" : "";
        var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {refusal.Status} {ReasonPhrases.GetReasonPhrase(refusal.Status)}\r\n" +
            $"Content-Type: application/json; charset=utf-8\r\nContent-Length: {body.Length}\r\n{retry}Connection: close\r\n\r\n");
        outbox.EnqueueFinal([.. head, .. body]);
        await outbox.FinishAsync(time);
    }

    /// <summary>Runs the hub over the upgraded connection (its 101 already queued) until the connection ends.</summary>
    public async Task RunAsync(ConnectionContext connection, string connectionId, FrameOutbox outbox, HubIdentity identity)
    {
        var socket = new HubSocket(connection, connectionId, outbox, MaxFrameBytes, identity, time);
        try
        {
            var receiving = socket.ReceiveAsync();
            try
            {
                await handler.OnConnectedAsync(socket);
            }
            finally
            {
                socket.Close(); // the hub ended first (a close message, an abort): close the WebSocket too
            }
            await receiving;
        }
        finally
        {
            await socket.DisposeAsync();
            await outbox.FinishAsync(time);
        }
    }
}
