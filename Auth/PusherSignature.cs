using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace SkubberPush.Auth;

/// <summary>
/// Pusher's HMAC-SHA256 signatures: lower-case hex over a string to sign, keyed with the app
/// secret's UTF-8 bytes (pusher-compat §3, §5.2, §6.1, §7.1).
/// </summary>
public static class PusherSignature
{
    public static string Sign(ReadOnlySpan<byte> secret, string stringToSign) => Sign(secret, Encoding.UTF8.GetBytes(stringToSign));

    public static string Sign(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> message)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(secret, message, mac);
        return Convert.ToHexStringLower(mac);
    }

    /// <summary>
    /// Compares in constant time; the given hex may be upper case (signatures are case-blind hex).
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> secret, string stringToSign, string? givenHex)
    {
        if (givenHex is null || givenHex.Length != HMACSHA256.HashSizeInBytes * 2)
            return false;
        var expected = Sign(secret, stringToSign);
        return CryptographicOperations.FixedTimeEquals(
            MemoryMarshal.AsBytes(expected.AsSpan()), MemoryMarshal.AsBytes(givenHex.ToLowerInvariant().AsSpan()));
    }

    /// <summary>Constant-time equality of two secrets or keys.</summary>
    public static bool SecretsEqual(string expected, string? given) =>
        given is not null && CryptographicOperations.FixedTimeEquals(
            MemoryMarshal.AsBytes(expected.AsSpan()), MemoryMarshal.AsBytes(given.AsSpan()));

    /// <summary><c>{socket_id}:{channel}</c>, or with <c>:{channel_data}</c> for presence, exactly as received.</summary>
    public static string ChannelStringToSign(string socketId, string channel, string? channelData) =>
        channelData is null ? $"{socketId}:{channel}" : $"{socketId}:{channel}:{channelData}";

    /// <summary><c>{socket_id}::user::{user_data}</c> for <c>pusher:signin</c>.</summary>
    public static string UserStringToSign(string socketId, string userData) => $"{socketId}::user::{userData}";

    /// <summary>
    /// Checks an <c>auth</c> string of the form <c>{key}:{hex}</c> for a channel subscription or a
    /// sign-in. The error says what was wrong, in Pusher's wording, and never shows the secret.
    /// </summary>
    public static bool VerifyAuth(string appKey, ReadOnlySpan<byte> secret, string? auth, string stringToSign, out string error)
    {
        if (string.IsNullOrEmpty(auth))
        {
            error = "Auth info required";
            return false;
        }
        var colon = auth.IndexOf(':');
        var key = colon < 0 ? auth : auth[..colon];
        if (colon < 0 || key != appKey)
        {
            error = $"Invalid key in subscription auth data: '{key}'";
            return false;
        }
        if (!Verify(secret, stringToSign, auth[(colon + 1)..]))
        {
            error = $"Invalid signature: Expected HMAC SHA256 hex digest of {stringToSign}, but got {auth[(colon + 1)..]}";
            return false;
        }
        error = "";
        return true;
    }
}
