using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace SkubberPush.Sockets;

/// <summary>
/// The server side of the WebSocket opening handshake. Pusher connections are built on the raw
/// upgraded stream rather than the platform's WebSocket so that every byte to the client leaves
/// through the connection's <see cref="FrameOutbox"/>.
/// </summary>
public static class WebSocketUpgrade
{
    private const string Rfc6455Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>RFC 6455 §4.2.2: the <c>Sec-WebSocket-Accept</c> answering a <c>Sec-WebSocket-Key</c>.</summary>
    public static string AcceptKey(string key) => Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + Rfc6455Guid)));

    /// <summary>The 101 response, for connections taken over before the HTTP pipeline (see <see cref="SocketTakeoverMiddleware"/>).</summary>
    public static byte[] SwitchingProtocols(string key) => Encoding.ASCII.GetBytes(
        $"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: {AcceptKey(key)}\r\n\r\n");

    /// <summary>
    /// Accepts the request's WebSocket and returns the upgraded stream: HTTP/1.1 Upgrade, or HTTP/2
    /// extended CONNECT (RFC 8441). Null where the server offers neither.
    /// </summary>
    public static async Task<Stream?> AcceptAsync(HttpContext http)
    {
        if (http.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
        {
            http.Response.Headers.Connection = "Upgrade";
            http.Response.Headers.Upgrade = "websocket";
            http.Response.Headers.SecWebSocketAccept = AcceptKey(http.Request.Headers.SecWebSocketKey.ToString());
            return await upgrade.UpgradeAsync();
        }
        if (http.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect
            && string.Equals(connect.Protocol, "websocket", StringComparison.OrdinalIgnoreCase))
            return await connect.AcceptAsync();
        return null;
    }
}
