using System.Buffers;
using System.Text;
using SkubberPush.Sockets;

namespace SkubberPush.Tests.Sockets;

public sealed class UpgradeRequestTests
{
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    private static string Request(string target = "/app/skb-test-key?protocol=7&client=js&version=8.6.0", string? extraHeaders = null, string version = "13", string key = Key) =>
        $"GET {target} HTTP/1.1\r\nHost: localhost:5187\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n" +
        $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: {version}\r\n{extraHeaders}\r\n";

    private static UpgradeRequest? Parse(string text, out long length) => UpgradeRequest.TryParse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)), out length);

    [Fact]
    public void Reads_a_pusher_js_upgrade_and_its_length_leaving_pipelined_bytes_alone()
    {
        var text = Request();
        var request = Parse(text + "\x81\x05hello", out var length);
        Assert.Equal(new UpgradeRequest("/app/skb-test-key", "?protocol=7&client=js&version=8.6.0", Key, null), request);
        Assert.Equal(text.Length, length);
        Assert.Equal("7", request!.QueryValue("protocol"));
        Assert.Equal("", request.QueryValue("missing"));
    }

    [Fact]
    public void Keeps_the_authorization_header_the_signalr_dotnet_client_sends_its_token_in() =>
        Assert.Equal("Bearer abc", Parse(Request("/push", "Authorization: Bearer abc\r\n"), out _)!.Authorization);

    [Fact]
    public void Accepts_the_rfc_6455_sample_key_and_answers_with_its_sample_accept() =>
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketUpgrade.AcceptKey(Key));

    [Theory]
    [InlineData("/app/skb-test-key?protocol=7", SocketRoute.Pusher, "skb-test-key")]
    [InlineData("/app/k", SocketRoute.Pusher, "k")]
    [InlineData("/push?access_token=t", SocketRoute.Hub, "")]            // skipNegotiation
    [InlineData("/push", SocketRoute.Hub, "")]                           // the token may be in Authorization
    [InlineData("/push?id=abc&access_token=t", SocketRoute.Hub, "")]     // negotiated: taken only if the token is ours (NegotiatedConnections)
    [InlineData("/push/negotiate", SocketRoute.None, "")]
    [InlineData("/app/", SocketRoute.None, "")]                          // no key
    [InlineData("/app/a/b", SocketRoute.None, "")]                       // not one segment
    [InlineData("/apps/1/events", SocketRoute.None, "")]                 // REST
    [InlineData("/APP/k", SocketRoute.None, "")]                         // routing is case-insensitive; the takeover is not
    [InlineData("/PUSH", SocketRoute.None, "")]
    public void Routes_by_path(string target, SocketRoute route, string appKey)
    {
        Assert.Equal(route, SocketTakeoverMiddleware.Route(Parse(Request(target), out _)!, out var key));
        Assert.Equal(appKey, key);
    }

    [Theory]
    [InlineData("/app/a%2Fb")] // encoded: routing decodes, so Kestrel decides
    [InlineData("*")]
    public void Leaves_encoded_or_odd_targets_to_kestrel(string target) => Assert.Null(Parse(Request(target), out _));

    [Theory]
    [InlineData("12")]
    [InlineData("")]
    public void Leaves_other_websocket_versions_to_kestrel(string version) => Assert.Null(Parse(Request(version: version), out _));

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // 21 bytes
    public void Leaves_invalid_keys_to_kestrel(string key) => Assert.Null(Parse(Request(key: key), out _));

    [Theory]
    [InlineData("Content-Length: 5\r\n")]
    [InlineData("Transfer-Encoding: chunked\r\n")]
    [InlineData("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n")] // twice
    [InlineData("Bad Header: x\r\n")]
    [InlineData("no colon\r\n")]
    public void Leaves_ambiguous_headers_to_kestrel(string header) => Assert.Null(Parse(Request(extraHeaders: header), out _));

    [Fact]
    public void Needs_the_whole_header_block_in_the_first_read()
    {
        var text = Request();
        Assert.Null(Parse(text[..^2], out _));
        Assert.Null(Parse(text.Replace("Upgrade: websocket\r\n", ""), out _));
        Assert.Null(Parse(text.Replace("Host: localhost:5187\r\n", ""), out _));
        Assert.Null(Parse(text.Replace("POST", "GET").Replace("GET /app", "POST /app"), out _));
        Assert.Null(Parse(text.Replace("HTTP/1.1", "HTTP/1.0"), out _));
    }
}
