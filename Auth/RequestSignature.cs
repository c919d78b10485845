using System.Globalization;
using System.Security.Cryptography;

namespace SkubberPush.Auth;

/// <summary>Verification of Pusher's HTTP API request signing (pusher-compat §3.2).</summary>
public static class RequestSignature
{
    public static readonly TimeSpan MaxSkew = TimeSpan.FromSeconds(600);
    private const string EmptyBodyMd5 = "d41d8cd98f00b204e9800998ecf8427e";

    public static string StringToSign(string method, string path, QueryParameters query) =>
        method.ToUpperInvariant() + "\n" + path + "\n" + query.CanonicalForSigning();

    /// <summary>Null when the request is correctly signed for this app; otherwise why not.</summary>
    public static string? Check(string appKey, ReadOnlySpan<byte> secret, string method, string path,
        QueryParameters query, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        var key = query["auth_key"];
        if (string.IsNullOrEmpty(key))
            return "Missing auth_key";
        if (key != appKey)
            return $"Unknown auth_key '{key}' for this app";
        if (query["auth_version"] != "1.0")
            return $"Unsupported auth_version '{query["auth_version"]}'; expected 1.0";
        if (!long.TryParse(query["auth_timestamp"], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var timestamp))
            return "Missing or malformed auth_timestamp";
        var signedAt = timestamp is > -62_135_596_800 and < 253_402_300_800
            ? DateTimeOffset.FromUnixTimeSeconds(timestamp)
            : DateTimeOffset.MinValue;
        if ((now - signedAt).Duration() > MaxSkew)
            return $"Timestamp expired: Given timestamp ({FormatTime(signedAt)}) not within 600s of server time ({FormatTime(now)})";
        var md5 = query["body_md5"];
        if (body.Length > 0 || md5 is not null)
        {
            if (md5 is null)
                return "Missing body_md5 for a request with a body";
            var actual = body.Length == 0 ? EmptyBodyMd5 : Convert.ToHexStringLower(MD5.HashData(body));
            if (!string.Equals(md5, actual, StringComparison.OrdinalIgnoreCase))
                return $"body_md5 does not match the body received: expected {actual}";
        }
        var stringToSign = StringToSign(method, path, query);
        return PusherSignature.Verify(secret, stringToSign, query["auth_signature"])
            ? null
            : $"Invalid signature: you should have sent HmacSHA256Hex(\"{stringToSign.Replace("\n", "\\n", StringComparison.Ordinal)}\", your_secret_key), but you sent \"{query["auth_signature"]}\"";
    }

    private static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
