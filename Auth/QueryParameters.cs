using System.Net;

namespace SkubberPush.Auth;

/// <summary>
/// A raw query string parsed the way Pusher signs it (pusher-compat §3.2 step 2): split on
/// <c>&amp;</c> and the first <c>=</c>, form-decoded, keys lower-cased, a repeated key's values
/// joined with <c>,</c> in arrival order.
/// </summary>
public sealed class QueryParameters
{
    private readonly Dictionary<string, string> _values;

    private QueryParameters(Dictionary<string, string> values) => _values = values;

    public static QueryParameters Parse(string? rawQuery)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var query = rawQuery.AsSpan();
        if (query.StartsWith("?"))
            query = query[1..];
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            if (pair.IsEmpty)
                continue;
            var eq = pair.IndexOf('=');
            var key = Decode(eq < 0 ? pair : pair[..eq]).ToLowerInvariant();
            var value = eq < 0 ? "" : Decode(pair[(eq + 1)..]);
            values[key] = values.TryGetValue(key, out var previous) ? previous + "," + value : value;
        }
        return new QueryParameters(values);
    }

    public string? this[string key] => _values.GetValueOrDefault(key);

    /// <summary>Every parameter except <c>auth_signature</c>, sorted by key, as <c>k=v&amp;k=v</c>, unescaped.</summary>
    public string CanonicalForSigning()
    {
        var keys = _values.Keys.Where(k => k != "auth_signature").Order(StringComparer.Ordinal);
        return string.Join('&', keys.Select(k => k + "=" + _values[k]));
    }

    private static string Decode(ReadOnlySpan<char> text) => WebUtility.UrlDecode(text.ToString());
}
