using System.Security.Cryptography;
using System.Text;

namespace SkubberPush.Tests.Infrastructure;

/// <summary>
/// Signs requests the way the official Node SDK does (sorted, unescaped query), written here
/// independently of the server's code so the two check each other.
/// </summary>
public static class PusherSigner
{
    public static string SignedUrl(string method, string path, string body, long timestamp,
        IEnumerable<KeyValuePair<string, string>>? parameters = null, string key = TestApp.Key, string secret = TestApp.Secret)
    {
        var query = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["auth_key"] = key,
            ["auth_timestamp"] = timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["auth_version"] = "1.0",
        };
        if (body.Length > 0)
            query["body_md5"] = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(body)));
        foreach (var (k, v) in parameters ?? [])
            query[k] = v;
        var canonical = string.Join("&", query.Select(p => p.Key + "=" + p.Value));
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{method}\n{path}\n{canonical}")));
        return $"{path}?{canonical}&auth_signature={signature}";
    }
}
