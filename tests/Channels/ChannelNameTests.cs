using SkubberPush.Channels;

namespace SkubberPush.Tests.Channels;

public sealed class ChannelNameTests
{
    [Theory]
    [InlineData("orders", ChannelKind.Public, false)]
    [InlineData("cache-prices", ChannelKind.Public, true)]
    [InlineData("private-orders.42", ChannelKind.Private, false)]
    [InlineData("private-cache-x", ChannelKind.Private, true)]
    [InlineData("private-encrypted-vault", ChannelKind.PrivateEncrypted, false)]
    [InlineData("private-encrypted-cache-vault", ChannelKind.PrivateEncrypted, true)]
    [InlineData("presence-room.1", ChannelKind.Presence, false)]
    [InlineData("presence-cache-room", ChannelKind.Presence, true)]
    [InlineData("#server-to-user-u-77", ChannelKind.ServerToUser, false)]
    [InlineData("privateroom", ChannelKind.Public, false)]
    [InlineData("presencecache-x", ChannelKind.Public, false)]
    [InlineData("a_b-c=d@e,f.g;h", ChannelKind.Public, false)]
    public void Names_are_classified_by_full_prefix(string name, ChannelKind kind, bool cache)
    {
        Assert.True(ChannelName.TryParse(name, out var channel, out _));
        Assert.Equal(kind, channel.Kind);
        Assert.Equal(cache, channel.IsCache);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("has space")]
    [InlineData("slash/es")]
    [InlineData("#other")]
    [InlineData("#server-to-user-")]
    [InlineData("ünïcode")]
    public void Invalid_names_are_refused_with_a_reason(string? name)
    {
        Assert.False(ChannelName.TryParse(name, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void Names_are_at_most_164_characters()
    {
        Assert.True(ChannelName.TryParse(new string('a', 164), out _, out _));
        Assert.False(ChannelName.TryParse(new string('a', 165), out _, out var error));
        Assert.Contains("164", error);
        Assert.False(ChannelName.TryParse(new string('a', 10_000), out _, out _));
    }

    [Theory]
    [InlineData("App\\Events\\OrderShipped", true)]
    [InlineData("client-typing", true)]
    [InlineData("pusher:subscribe", false)]
    [InlineData("pusher_internal:member_added", false)]
    [InlineData("", false)]
    public void Event_names_limit_length_and_reserved_prefixes_only(string name, bool valid) =>
        Assert.Equal(valid, EventName.TryValidate(name, out _));

    [Fact]
    public void Event_names_are_at_most_200_characters()
    {
        Assert.True(EventName.TryValidate(new string('e', 200), out _));
        Assert.False(EventName.TryValidate(new string('e', 201), out _));
    }
}
