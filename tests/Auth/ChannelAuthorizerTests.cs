using System.Text;
using System.Text.Json;
using SkubberPush.Apps;
using SkubberPush.Auth;
using SkubberPush.Channels;
using SkubberPush.Tests.Infrastructure;

namespace SkubberPush.Tests.Auth;

public sealed class ChannelAuthorizerTests
{
    private static readonly PushApp App = new() { Id = TestApp.Id, Name = "t", Key = TestApp.Key, Secret = TestApp.Secret };

    private static ChannelName Name(string name) => ChannelName.TryParse(name, out var c, out _) ? c : throw new ArgumentException(name);

    private static string Auth(string toSign) => $"{TestApp.Key}:{PusherSignature.Sign(TestApp.SecretBytes, toSign)}";

    [Fact]
    public void Public_channels_need_nothing()
    {
        Assert.Null(ChannelAuthorizer.BySignature(App, "1.1", Name("orders"), null, null, null, out var member));
        Assert.Null(member);
    }

    [Fact]
    public void Private_needs_a_signature_over_socket_and_channel()
    {
        Assert.Null(ChannelAuthorizer.BySignature(App, "123.456", Name("private-orders.42"), Auth("123.456:private-orders.42"), null, null, out _));
        var wrongSocket = ChannelAuthorizer.BySignature(App, "123.457", Name("private-orders.42"), Auth("123.456:private-orders.42"), null, null, out _);
        Assert.Equal(("AuthError", 401), (wrongSocket!.Type, wrongSocket.Status));
        Assert.Contains("Auth info required", ChannelAuthorizer.BySignature(App, "1.1", Name("private-x"), null, null, null, out _)!.Message);
    }

    [Fact]
    public void Presence_member_comes_from_channel_data_exactly_as_signed()
    {
        const string data = """{"user_id":"u-77","user_info":{"name":"Ada"}}""";
        Assert.Null(ChannelAuthorizer.BySignature(App, "123.456", Name("presence-room.1"), Auth($"123.456:presence-room.1:{data}"), data, null, out var member));
        Assert.Equal("u-77", member!.UserId);
        Assert.Equal("Ada", member.UserInfo!.Value.GetProperty("name").GetString());
        // Re-serialized channel_data (a space added) no longer matches the signature.
        Assert.NotNull(ChannelAuthorizer.BySignature(App, "123.456", Name("presence-room.1"), Auth($"123.456:presence-room.1:{data}"), data.Replace(":", ": "), null, out _));
    }

    [Fact]
    public void Signed_in_connection_may_join_presence_without_channel_data()
    {
        var user = new PresenceMember("u-9", null);
        Assert.Null(ChannelAuthorizer.BySignature(App, "1.1", Name("presence-x"), Auth("1.1:presence-x"), null, user, out var member));
        Assert.Same(user, member);
        var anonymous = ChannelAuthorizer.BySignature(App, "1.1", Name("presence-x"), Auth("1.1:presence-x"), null, null, out _);
        Assert.Equal(400, anonymous!.Status);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1]", "JSON object with a user_id")]
    [InlineData("""{"user_info":{}}""", "JSON object with a user_id")]
    [InlineData("""{"user_id":true}""", "non-empty string or a number")]
    [InlineData("""{"user_id":""}""", "non-empty string or a number")]
    public void Bad_channel_data_is_a_400_auth_error(string channelData, string expected)
    {
        var failure = PresenceChannelData.TryParse(channelData, 1024, out _);
        Assert.Equal(("AuthError", 400), (failure!.Type, failure.Status));
        Assert.Contains(expected, failure.Message);
    }

    [Fact]
    public void Numeric_user_ids_become_decimal_strings_and_limits_apply()
    {
        Assert.Null(PresenceChannelData.TryParse("""{"user_id":10}""", 1024, out var member));
        Assert.Equal("10", member!.UserId);
        var longId = PresenceChannelData.TryParse($$"""{"user_id":"{{new string('u', 129)}}"}""", 1024, out _);
        Assert.Equal(("LimitReached", 4301), (longId!.Type, longId.Status));
        var bigInfo = PresenceChannelData.TryParse($$"""{"user_id":"u","user_info":"{{new string('i', 1_100)}}"}""", 1024, out _);
        Assert.Contains("1024 bytes", bigInfo!.Message);
    }

    [Theory]
    [InlineData("private-team-42-chat", true)]
    [InlineData("private-team-42-", true)]
    [InlineData("private-team-4", false)]
    [InlineData("presence-room", true)]
    [InlineData("presence-room2", false)]
    public void Grants_match_exact_names_and_star_prefixes(string channel, bool granted) =>
        Assert.Equal(granted, ChannelAuthorizer.IsGranted(["private-team-42-*", "presence-room"], channel));

    [Fact]
    public void Server_to_user_is_only_for_that_user()
    {
        Assert.Null(ChannelAuthorizer.ByGrant([], Name("#server-to-user-u-1"), "u-1", null, 1024, out _));
        Assert.Equal(403, ChannelAuthorizer.ByGrant([], Name("#server-to-user-u-1"), "u-2", null, 1024, out _)!.Status);
        Assert.Equal(403, ChannelAuthorizer.BySignature(App, "1.1", Name("#server-to-user-u-1"), "", null, null, out _)!.Status);
    }
}
