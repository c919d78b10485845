using System.Text.Json;
using SkubberPush.Json;

namespace SkubberPush.Hubs;

/// <summary>
/// Lets negotiated WebSocket connections take the socket path too. SignalR's <c>/push/negotiate</c>
/// runs as always; its answer is read on the way out and the connection token it issued is
/// recorded in <see cref="NegotiatedConnections"/>, so the client's WebSocket upgrade with that
/// <c>id</c> can be served on the socket (see <see cref="HubSockets"/>). SSE and long polling use
/// the same token with SignalR, which still knows it. Stateful reconnect needs SignalR's transport
/// (it resumes connections), so negotiations that ask for it are left alone.
/// </summary>
public sealed class HubNegotiateCapture(RequestDelegate next, NegotiatedConnections negotiated)
{
    private const string NegotiatePath = PushHub.Path + "/negotiate";

    public async Task InvokeAsync(HttpContext http)
    {
        if (!HttpMethods.IsPost(http.Request.Method) || !http.Request.Path.Equals(NegotiatePath, StringComparison.Ordinal)
            || string.Equals(http.Request.Query["useStatefulReconnect"], "true", StringComparison.OrdinalIgnoreCase))
        {
            await next(http);
            return;
        }
        var original = http.Response.Body;
        using var answer = new MemoryStream(); // a few hundred bytes
        http.Response.Body = answer;
        try
        {
            await next(http);
        }
        finally
        {
            http.Response.Body = original;
        }
        // Negotiate version 0 has no token: the client connects with the connection id.
        if (http.Response.StatusCode == StatusCodes.Status200OK && TryRead(answer.GetBuffer().AsSpan(0, (int)answer.Length)) is { ConnectionId: { } id } response)
            negotiated.Add(response.ConnectionToken ?? id, id);
        answer.Position = 0;
        await answer.CopyToAsync(original, http.RequestAborted);
    }

    private static Json.Wire.NegotiateResponse? TryRead(ReadOnlySpan<byte> body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, PushJsonContext.Default.NegotiateResponse);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
