using System.IO.Pipelines;
using SkubberPush.Endpoints;
using SkubberPush.Sockets;

namespace SkubberPush.Pusher;

/// <summary>
/// <c>/app/{key}</c> through the HTTP pipeline: Pusher Channels protocol 7 over TLS, HTTP/2 and any
/// upgrade the <see cref="SocketTakeoverMiddleware"/> left alone. pusher-js, Laravel Echo and the
/// mobile SDKs connect unchanged either way.
/// </summary>
public static class PusherSocketEndpoint
{
    public const string Route = "/app/{key}";

    public static IEndpointRouteBuilder MapPusherProtocol(this IEndpointRouteBuilder routes)
    {
        routes.Map(Route, HandleAsync).ExcludeFromDescription();
        return routes;
    }

    private static async Task HandleAsync(HttpContext http, string key, PusherSessions sessions)
    {
        var stream = http.WebSockets.IsWebSocketRequest ? await WebSocketUpgrade.AcceptAsync(http) : null;
        if (stream is null)
        {
            await new ApiError(StatusCodes.Status400BadRequest, "This is a Pusher WebSocket endpoint: connect with a WebSocket client such as pusher-js").ToResult().ExecuteAsync(http);
            return;
        }
        // Zero-byte reads: like the socket transport, an idle connection holds no read buffer.
        var input = PipeReader.Create(stream, new StreamPipeReaderOptions(useZeroByteReads: true));
        try
        {
            // Stops the receive loop if the request is aborted while the client is quiet.
            using (http.RequestAborted.UnsafeRegister(static reader => ((PipeReader)reader!).CancelPendingRead(), input))
                await sessions.RunAsync(key, http.Request.Query["protocol"].ToString(), input, sessions.CreateOutbox(socket: null, stream));
        }
        finally
        {
            await input.CompleteAsync();
        }
    }
}
