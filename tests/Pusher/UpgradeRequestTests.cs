using System.Buffers;
using System.Text;
using SkubberPush.Pusher;

namespace SkubberPush.Tests.Pusher;

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
        Assert.Equal(new UpgradeRequest("skb-test-key", "7", Key), request);
        Assert.Equal(text.Length, length);
    }

    [Fact]
    public void A_missing_protocol_is_empty() => Assert.Equal("", Parse(Request("/app/k"), out _)!.Protocol);

    [Fact]
    public void Accepts_the_rfc_6455_sample_key_and_answers_with_its_sample_accept() =>
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketUpgrade.AcceptKey(Key));

    [Theory]
    [InlineData("/app/")]                  // no key
    [InlineData("/app/a/b")]               // not one segment
    [InlineData("/app/a%2Fb")]             // encoded: routing decodes, so Kestrel decides
    [InlineData("/apps/1/events")]         // REST
    [InlineData("/push?id=1")]             // the hub
    [InlineData("/APP/k")]                 // routing is case-insensitive; the fast path is not
    public void Leaves_other_targets_to_kestrel(string target) => Assert.Null(Parse(Request(target), out _));

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
