using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Features;
using System.Security.Cryptography;
using System.Text;

namespace SkubberPush.Pusher;

/// <summary>
/// Accepts a Pusher WebSocket over a <see cref="CoalescingStream"/>. On HTTP/1.1 the upgrade is
/// done here (RFC 6455 §4.2.2) so the WebSocket can be built on our stream; where the server offers
/// no upgrade (HTTP/2 extended CONNECT, the test server) the platform's accept is used, unbuffered.
/// </summary>
public static class WebSocketUpgrade
{
    private const string Rfc6455Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    public static async Task<(WebSocket Socket, CoalescingStream? Stream)> AcceptAsync(HttpContext http)
    {
        var upgrade = http.Features.Get<IHttpUpgradeFeature>();
        var key = http.Request.Headers.SecWebSocketKey.ToString();
        if (upgrade is not { IsUpgradableRequest: true } || key.Length == 0)
            return (await http.WebSockets.AcceptWebSocketAsync(), null);

        http.Response.Headers.Connection = "Upgrade";
        http.Response.Headers.Upgrade = "websocket";
        http.Response.Headers.SecWebSocketAccept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + Rfc6455Guid)));
        var stream = new CoalescingStream(await upgrade.UpgradeAsync());
        var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        return (socket, stream);
    }
}
