using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace SkubberPush.Sockets;

/// <summary>
/// A complete HTTP/1.1 WebSocket upgrade request, read from a connection's first bytes. Only the
/// plain, unambiguous shape is recognised; anything else (a percent-encoded path, a missing or odd
/// header) is left to Kestrel and the HTTP pipeline. <see cref="SocketTakeoverMiddleware"/> decides
/// by the path whose connection it is.
/// </summary>
/// <param name="Path">The target's path, as sent (never percent-encoded).</param>
/// <param name="Query">The target's query, with its <c>?</c>, or empty.</param>
/// <param name="Authorization">The <c>Authorization</c> header, if any (the SignalR .NET client sends its token there).</param>
public sealed record UpgradeRequest(string Path, string Query, string WebSocketKey, string? Authorization)
{
    private const int MaxHeaderBytes = 8 * 1024;

    /// <summary>A query parameter's value, or empty.</summary>
    public string QueryValue(string name) => Query.Length == 0 ? "" : QueryHelpers.ParseQuery(Query).GetValueOrDefault(name).ToString();

    /// <summary>The request and its length in bytes, or null.</summary>
    public static UpgradeRequest? TryParse(ReadOnlySequence<byte> buffer, out long length)
    {
        length = 0;
        var head = buffer.Slice(0, Math.Min(buffer.Length, MaxHeaderBytes));
        var data = head.IsSingleSegment ? head.FirstSpan : head.ToArray();
        var end = data.IndexOf("\r\n\r\n"u8);
        if (end < 0)
            return null;
        var lines = Encoding.Latin1.GetString(data[..end]).Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine is not ["GET", var target, "HTTP/1.1"] || !target.StartsWith('/'))
            return null;
        var queryStart = target.IndexOf('?');
        var path = queryStart < 0 ? target : target[..queryStart];
        if (path.Contains('%')) // routing decodes; Kestrel decides
            return null;

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0 || line.AsSpan(0, colon).ContainsAny(' ', '\t') || !headers.TryAdd(line[..colon], line[(colon + 1)..].Trim(' ', '\t')))
                return null;
        }
        if (!headers.ContainsKey("Host")
            || headers.ContainsKey("Content-Length") || headers.ContainsKey("Transfer-Encoding")
            || !string.Equals(headers.GetValueOrDefault("Upgrade"), "websocket", StringComparison.OrdinalIgnoreCase)
            || !HasToken(headers.GetValueOrDefault("Connection"), "upgrade")
            || headers.GetValueOrDefault("Sec-WebSocket-Version") != "13"
            || headers.GetValueOrDefault("Sec-WebSocket-Key") is not { } webSocketKey || !IsValidKey(webSocketKey))
            return null;

        length = end + 4;
        return new UpgradeRequest(path, queryStart < 0 ? "" : target[queryStart..], webSocketKey, headers.GetValueOrDefault("Authorization"));
    }

    private static bool HasToken(string? value, string token) =>
        value is not null && value.Split(',').Any(part => string.Equals(part.Trim(), token, StringComparison.OrdinalIgnoreCase));

    // RFC 6455 §4.1: the key is 16 random bytes, base64-encoded.
    private static bool IsValidKey(string key)
    {
        Span<byte> decoded = stackalloc byte[18];
        return Convert.TryFromBase64String(key, decoded, out var written) && written == 16;
    }
}
