using System.Globalization;
using System.Security.Cryptography;

namespace SkubberPush.Apps;

/// <summary>Fresh ids, keys and secrets from a cryptographic random source (contract §1).</summary>
public static class AppCredentials
{
    private const string Alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string NewKey() => "mps_" + RandomNumberGenerator.GetString(Alphanumerics, 32);

    public static string NewSecret() => RandomNumberGenerator.GetString(Alphanumerics, 48);

    /// <summary>Numeric like Pusher's app ids, which some SDK examples assume.</summary>
    public static string NewId() => RandomNumberGenerator.GetInt32(1_000_000, 10_000_000).ToString(CultureInfo.InvariantCulture);

    /// <summary>App ids are 1–64 characters of <c>[A-Za-z0-9_-]</c>.</summary>
    public static bool IsValidId(string? id) =>
        id is { Length: > 0 and <= 64 } && id.AsSpan().IndexOfAnyExcept(IdCharacters) < 0;

    private static readonly System.Buffers.SearchValues<char> IdCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");
}
