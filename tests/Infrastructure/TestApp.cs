using System.Text;

namespace SkubberPush.Tests.Infrastructure;

/// <summary>The app of pusher-compat's test vectors (§3.3).</summary>
public static class TestApp
{
    public const string Id = "1001";
    public const string Key = "skb-test-key";
    public const string Secret = "skb-test-secret-0123456789";
    public static byte[] SecretBytes => Encoding.UTF8.GetBytes(Secret);
}
