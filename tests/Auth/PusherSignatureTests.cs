using System.Security.Cryptography;
using System.Text;
using SkubberPush.Auth;
using SkubberPush.Tests.Infrastructure;

namespace SkubberPush.Tests.Auth;

/// <summary>The signing vectors of pusher-compat §3.3, §5.6, §6.6 and §7.4.</summary>
public sealed class PusherSignatureTests
{
    private static readonly DateTimeOffset VectorTime = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private const string H1Body = """{"name":"order-shipped","data":"{\"id\":42,\"status\":\"shipped\"}","channels":["orders","private-orders.42"]}""";
    private const string H1Query = "auth_key=skb-test-key&auth_timestamp=1700000000&auth_version=1.0&body_md5=43d567e69ec8a107d6809256b55bcdd1&auth_signature=454f8513829fdecfa61f92aede9ffb1c007e30d2e08e4058e3c29d5942614bc2";

    private static string? Check(string method, string path, string query, string body, DateTimeOffset? now = null, string key = TestApp.Key, string secret = TestApp.Secret) =>
        RequestSignature.Check(key, Encoding.UTF8.GetBytes(secret), method, path, QueryParameters.Parse(query), Encoding.UTF8.GetBytes(body), now ?? VectorTime);

    [Fact]
    public void H0_pushers_published_example_verifies()
    {
        const string body = """{"name":"foo","channels":["project-3"],"data":"{\"some\":\"data\"}"}""";
        Assert.Equal("ec365a775a4cd0599faeb73354201b6f", Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(body))));
        var query = "auth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0&body_md5=ec365a775a4cd0599faeb73354201b6f&auth_signature=da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c";
        Assert.Null(Check("POST", "/apps/3/events", query, body, DateTimeOffset.FromUnixTimeSeconds(1353088179), "278d425bdf160c739803", "7ad3773142a6692b25b8"));
    }

    [Fact]
    public void H1_post_events_with_two_channels_verifies()
    {
        Assert.Equal(110, Encoding.UTF8.GetByteCount(H1Body));
        Assert.Equal(
            "POST\n/apps/1001/events\nauth_key=skb-test-key&auth_timestamp=1700000000&auth_version=1.0&body_md5=43d567e69ec8a107d6809256b55bcdd1",
            RequestSignature.StringToSign("post", "/apps/1001/events", QueryParameters.Parse(H1Query)));
        Assert.Null(Check("POST", "/apps/1001/events", H1Query, H1Body));
    }

    [Fact]
    public void H1_with_one_body_byte_changed_fails_on_body_md5()
    {
        var error = Check("POST", "/apps/1001/events", H1Query, H1Body.Replace("42", "43"));
        Assert.Contains("body_md5", error);
    }

    [Fact]
    public void H1_signed_601_seconds_ago_is_stale()
    {
        var error = Check("POST", "/apps/1001/events", H1Query, H1Body, VectorTime.AddSeconds(601));
        Assert.StartsWith("Timestamp expired", error);
        Assert.Null(Check("POST", "/apps/1001/events", H1Query, H1Body, VectorTime.AddSeconds(600)));
    }

    [Fact]
    public void H2_get_channels_with_api_parameters_verifies_and_accepts_upper_case_hex()
    {
        const string query = "auth_key=skb-test-key&auth_timestamp=1700000000&auth_version=1.0&filter_by_prefix=presence-&info=user_count&auth_signature=11421b76f9694b51128884e191516ae3cc2395c029d559f2a75395256af61487";
        Assert.Null(Check("GET", "/apps/1001/channels", query, ""));
        Assert.Null(Check("GET", "/apps/1001/channels", query.Replace("11421b76f9694b51128884e191516ae3cc2395c029d559f2a75395256af61487", "11421B76F9694B51128884E191516AE3CC2395C029D559F2A75395256AF61487"), ""));
    }

    [Fact]
    public void H2_with_an_extra_unsigned_parameter_fails()
    {
        const string query = "auth_key=skb-test-key&auth_timestamp=1700000000&auth_version=1.0&filter_by_prefix=presence-&info=user_count&auth_signature=11421b76f9694b51128884e191516ae3cc2395c029d559f2a75395256af61487&extra=1";
        Assert.StartsWith("Invalid signature", Check("GET", "/apps/1001/channels", query, ""));
    }

    [Fact]
    public void H3_terminate_connections_with_empty_object_body_verifies()
    {
        const string query = "auth_key=skb-test-key&auth_timestamp=1700000000&auth_version=1.0&body_md5=99914b932bd37a50b983c5e7c90ae93b&auth_signature=7d1cbf2b4f8926d1c2ba9a326e609c7624dadd01497e97656bccf214fa077ecd";
        Assert.Null(Check("POST", "/apps/1001/users/u-77/terminate_connections", query, "{}"));
    }

    [Fact]
    public void H4_escaped_mixed_case_unordered_query_is_normalized()
    {
        const string query = "auth_version=1.0&Info=user_count%2Csubscription_count&auth_key=skb-test-key&auth_timestamp=1700000000&auth_signature=913a7b3fb430f2d6d0c9b1718863fe4f8cb0cdf297d5fcc0226fb65891d28613";
        Assert.Equal(
            "GET\n/apps/1001/channels/presence-room.1\nauth_key=skb-test-key&auth_timestamp=1700000000&auth_version=1.0&info=user_count,subscription_count",
            RequestSignature.StringToSign("GET", "/apps/1001/channels/presence-room.1", QueryParameters.Parse(query)));
        Assert.Null(Check("GET", "/apps/1001/channels/presence-room.1", query, ""));
    }

    [Theory]
    [InlineData("auth_key=other&auth_timestamp=1700000000&auth_version=1.0", "Unknown auth_key")]
    [InlineData("auth_key=skb-test-key&auth_timestamp=1700000000&auth_version=2.0", "Unsupported auth_version")]
    [InlineData("auth_key=skb-test-key&auth_version=1.0", "Missing or malformed auth_timestamp")]
    [InlineData("auth_timestamp=1700000000&auth_version=1.0", "Missing auth_key")]
    public void Malformed_signing_parameters_say_what_is_wrong(string query, string expected) =>
        Assert.StartsWith(expected, Check("GET", "/apps/1001/channels", query + "&auth_signature=00", ""));

    [Fact]
    public void A_body_without_body_md5_is_refused()
    {
        var error = Check("POST", "/apps/1001/events", "auth_key=skb-test-key&auth_timestamp=1700000000&auth_version=1.0&auth_signature=00", "{}");
        Assert.StartsWith("Missing body_md5", error);
    }

    [Fact]
    public void C1_private_channel_auth()
    {
        var toSign = PusherSignature.ChannelStringToSign("123.456", "private-orders.42", null);
        Assert.Equal("51a38140dcaf374f97d7bdbe869370a0769274a6f6cdb5bace0f425c7799cf1b", PusherSignature.Sign(TestApp.SecretBytes, toSign));
        Assert.True(PusherSignature.VerifyAuth(TestApp.Key, TestApp.SecretBytes, "skb-test-key:51a38140dcaf374f97d7bdbe869370a0769274a6f6cdb5bace0f425c7799cf1b", toSign, out _));
    }

    [Fact]
    public void C2_presence_channel_auth_signs_channel_data_as_received()
    {
        const string channelData = """{"user_id":"u-77","user_info":{"name":"Ada"}}""";
        var toSign = PusherSignature.ChannelStringToSign("123.456", "presence-room.1", channelData);
        Assert.Equal("56395104a5c4c077769b4c0b358ba260b576ac3954616ed63068f29350beb63b", PusherSignature.Sign(TestApp.SecretBytes, toSign));
    }

    [Fact]
    public void C3_encrypted_channel_auth_is_the_private_recipe()
    {
        var toSign = PusherSignature.ChannelStringToSign("123.456", "private-encrypted-vault", null);
        Assert.Equal("b6b193f35be106f978413f4f5a69802f139f97a55ba622ff4ff45453937557c6", PusherSignature.Sign(TestApp.SecretBytes, toSign));
    }

    [Fact]
    public void U1_user_authentication()
    {
        const string userData = """{"id":"u-77","user_info":{"name":"Ada"},"watchlist":["u-1","u-2"]}""";
        var toSign = PusherSignature.UserStringToSign("123.456", userData);
        Assert.Equal("bd9ac1f5a62bd2d835c9ec04fb3eaa15539cba754e9bdccd04b6e2a4fc8d9377", PusherSignature.Sign(TestApp.SecretBytes, toSign));
        Assert.Equal("4708d583dada6a56435fb8bc611c77c359a31eebde13337c16ab43aa6de336ba",
            PusherSignature.Sign(Encoding.UTF8.GetBytes("7ad3773142a6692b25b8"), """1234.1234::user::{"id":"12345"}"""));
    }

    [Fact]
    public void W1_webhook_body_signature()
    {
        const string body = """{"time_ms":1700000000123,"events":[{"name":"channel_occupied","channel":"orders"},{"name":"member_added","channel":"presence-room.1","user_id":"u-77"}]}""";
        Assert.Equal("778d8d1e07aee8ebc9d0590d0d732fec81ac89ea006fb4b5be4e44a3789eb269", PusherSignature.Sign(TestApp.SecretBytes, Encoding.UTF8.GetBytes(body)));
    }

    [Theory]
    [InlineData("other-key:51a38140dcaf374f97d7bdbe869370a0769274a6f6cdb5bace0f425c7799cf1b", "Invalid key in subscription auth data: 'other-key'")]
    [InlineData("skb-test-key:0000000000000000000000000000000000000000000000000000000000000000", "Invalid signature: Expected HMAC SHA256 hex digest of 123.456:private-orders.42")]
    [InlineData("no-colon", "Invalid key in subscription auth data: 'no-colon'")]
    [InlineData("", "Auth info required")]
    public void Wrong_channel_auth_says_why(string auth, string expected)
    {
        Assert.False(PusherSignature.VerifyAuth(TestApp.Key, TestApp.SecretBytes, auth, "123.456:private-orders.42", out var error));
        Assert.StartsWith(expected, error);
    }

    [Fact]
    public void Secrets_compare_by_value_only()
    {
        Assert.True(PusherSignature.SecretsEqual("abc", "abc"));
        Assert.False(PusherSignature.SecretsEqual("abc", "abd"));
        Assert.False(PusherSignature.SecretsEqual("abc", "ab"));
        Assert.False(PusherSignature.SecretsEqual("abc", null));
    }
}
