using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SkubberPush.Channels;
using SkubberPush.Tests.Infrastructure;

namespace SkubberPush.Tests.Channels;

public sealed class ClientEventRelayTests : IDisposable
{
    private static readonly ClientEventPolicy Allowed = new(true, 100, 10);
    private readonly AppChannels _app;
    private readonly ClientEventRelay _relay;
    private readonly RecordingSubscriber _sender = new("1.1");
    private readonly RecordingSubscriber _other = new("1.2");

    public ClientEventRelayTests()
    {
        var registry = new ChannelRegistry(new FakeTimeProvider(), Options.Create(new ChannelOptions()));
        _app = registry.For("a");
        _relay = new ClientEventRelay(new LocalBroker(registry));
        foreach (var s in new[] { _sender, _other })
        {
            _app.Subscribe(s, Parse("presence-room"), new PresenceMember(s.SocketId == "1.1" ? "u-sender" : "u-other", null), 100);
            _app.Subscribe(s, Parse("private-room"), null, 100);
            _app.Subscribe(s, Parse("public"), null, 100);
        }
    }

    public void Dispose() => _relay.Dispose();

    private static ChannelName Parse(string name) => ChannelName.TryParse(name, out var c, out _) ? c : throw new ArgumentException(name);

    private ValueTask<ClientEventRejection?> Relay(string channel, string name = "client-x", string data = "{}", ClientEventPolicy? policy = null) =>
        _relay.RelayAsync("a", policy ?? Allowed, _sender, channel, name, data);

    [Fact]
    public async Task Relays_to_others_with_the_senders_presence_user_and_not_back()
    {
        Assert.Null(await Relay("presence-room", data: "{\"t\":1}"));
        var got = _other.Last("client-x");
        Assert.Equal(("presence-room", "{\"t\":1}", "u-sender"), (got.Channel, got.Data, got.UserId));
        Assert.DoesNotContain(_sender.Received, e => e.Event == "client-x");
        Assert.Null(await Relay("private-room"));
        Assert.Null(_other.Last("client-x").UserId); // user_id only on presence channels
    }

    [Fact]
    public async Task Checks_come_in_pushers_order()
    {
        Assert.Equal(4301, (await Relay("public", policy: Allowed with { Enabled = false }))!.Code);
        Assert.Contains("must start with client-", (await Relay("private-room", name: "typing"))!.Message);
        Assert.Contains("longer than 200", (await Relay("private-room", name: "client-" + new string('x', 200)))!.Message);
        Assert.Contains("only supported on private and presence", (await Relay("public"))!.Message);
        Assert.Contains("not subscribed to private-elsewhere", (await Relay("private-elsewhere"))!.Message);
        var tooBig = await Relay("private-room", data: new string('x', 101));
        Assert.Equal((4301, true), (tooBig!.Code, tooBig.Message.Contains("101 bytes, at most 100")));
    }

    [Fact]
    public async Task Rate_limit_allows_the_burst_then_refuses_with_4301()
    {
        var results = new List<ClientEventRejection?>();
        for (var i = 0; i < 12; i++)
            results.Add(await Relay("private-room", policy: Allowed with { PerSecond = 10 }));
        Assert.Equal(10, results.Count(r => r is null));
        Assert.All(results.Skip(10), r => Assert.Equal("Client event rejected due to rate limit", r!.Message));
    }
}
