using SkubberPush.Pusher;

namespace SkubberPush.Tests.Pusher;

public sealed class UserDataParserTests
{
    [Fact]
    public void Accepts_the_U1_vectors_user_data()
    {
        Assert.True(UserDataParser.TryParse("""{"id":"u-77","user_info":{"name":"Ada"},"watchlist":["u-1","u-2"]}""", 1024, out var member, out _));
        Assert.Equal("u-77", member!.UserId);
        Assert.Equal("Ada", member.UserInfo!.Value.GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("""{"id":77}""")]
    [InlineData("""{"id":""}""")]
    [InlineData("""{"name":"x"}""")]
    [InlineData("""{"id":"has space"}""")]
    public void Refuses_ids_pusher_clients_would_refuse(string userData) =>
        Assert.False(UserDataParser.TryParse(userData, 1024, out _, out _));
}
