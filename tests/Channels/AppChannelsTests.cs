using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SkubberPush.Channels;
using SkubberPush.Tests.Infrastructure;

namespace SkubberPush.Tests.Channels;

/// <summary>The channel core driven with in-memory subscribers, no transport.</summary>
public sealed class AppChannelsTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
    private readonly AppChannels _app;

    public AppChannelsTests() =>
        _app = new ChannelRegistry(_time, Options.Create(new ChannelOptions { CacheTtl = TimeSpan.FromMinutes(30) })).For("1001");

    private static ChannelName Name(string name) => ChannelName.TryParse(name, out var c, out var e) ? c : throw new ArgumentException(e);

    private static PresenceMember Member(string id, string? info = null) =>
        new(id, info is null ? null : JsonDocument.Parse(info).RootElement.Clone());

    private RecordingSubscriber Connect(string socketId)
    {
        var subscriber = new RecordingSubscriber(socketId);
        Assert.True(_app.TryConnect(subscriber, 0));
        return subscriber;
    }

    [Fact]
    public void Subscriber_gets_succeeded_then_published_events()
    {
        var a = Connect("1.1");
        Assert.Equal(SubscribeOutcome.Subscribed, _app.Subscribe(a, Name("orders"), null, 100));
        _app.Publish(new OutboundEvent("orders", "created", "{\"id\":1}"));
        Assert.Equal(["pusher_internal:subscription_succeeded", "created"], a.EventNames());
        Assert.Equal("{}", a.Received.First().Data);
        Assert.Equal("{\"id\":1}", a.Last("created").Data);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(40)] // past the small table: memberships move to a dictionary
    public void Memberships_stay_exact_through_subscribe_unsubscribe_and_disconnect(int channels)
    {
        var a = Connect("1.1");
        var names = Enumerable.Range(0, channels).Select(i => $"room-{i}").ToArray();
        foreach (var name in names)
            Assert.Equal(SubscribeOutcome.Subscribed, _app.Subscribe(a, Name(name), null, 100));
        Assert.Equal(SubscribeOutcome.AlreadySubscribed, _app.Subscribe(a, Name(names[^1]), null, 100));
        Assert.All(names, name => Assert.True(a.IsSubscribed(name)));
        Assert.False(a.IsSubscribed("room-x"));

        var dropped = names.Where((_, i) => i % 2 == 0).ToArray();
        foreach (var name in dropped)
            Assert.True(_app.Unsubscribe(a, name));
        Assert.False(_app.Unsubscribe(a, dropped[0]));
        Assert.All(names, name => Assert.Equal(!dropped.Contains(name), a.IsSubscribed(name)));

        _app.Publish(new OutboundEvent(names[^1], "after", "x"));
        Assert.Equal(dropped.Contains(names[^1]) ? 0 : 1, a.EventNames(names[^1]).Count(e => e == "after"));

        _app.Disconnect(a);
        Assert.Empty(_app.ListOccupied(null));
        Assert.All(names, name => Assert.False(a.IsSubscribed(name)));
    }

    [Fact]
    public void Publishing_reuses_one_event_instance_for_every_subscriber_and_skips_socket_id()
    {
        var subscribers = Enumerable.Range(1, 50).Select(i => Connect($"1.{i}")).ToArray();
        foreach (var s in subscribers)
            _app.Subscribe(s, Name("orders"), null, 100);
        var evt = new OutboundEvent("orders", "created", "x", exceptSocketId: "1.7");
        _app.Publish(evt);
        var got = subscribers.Where(s => s.Received.Any(e => ReferenceEquals(e, evt))).Select(s => s.SocketId).ToArray();
        Assert.Equal(49, got.Length);
        Assert.DoesNotContain("1.7", got);
    }

    [Fact]
    public void Encodings_are_computed_once_per_event()
    {
        var encoder = new CountingEncoder();
        var evt = new OutboundEvent("orders", "created", "x");
        for (var i = 0; i < 1000; i++)
            evt.Encode(encoder);
        Assert.Equal(1, encoder.Calls);
    }

    [Fact]
    public void Racing_first_encoders_all_end_up_with_the_same_bytes()
    {
        var encoder = new CountingEncoder();
        var evt = new OutboundEvent("orders", "created", "x");
        var results = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 1000, _ => results.Add(evt.Encode(encoder)));
        var kept = evt.Encode(encoder);
        Assert.All(results, r => Assert.Same(kept, r)); // a racing loser's encoding is dropped, not sent
    }

    [Fact]
    public void Presence_counts_users_once_across_their_connections()
    {
        var tab1 = Connect("1.1");
        var tab2 = Connect("1.2");
        var other = Connect("1.3");
        var room = Name("presence-room.1");
        _app.Subscribe(other, room, Member("u-1", "{\"name\":\"Bob\"}"), 100);
        _app.Subscribe(tab1, room, Member("u-77", "{\"name\":\"Ada\"}"), 100);
        _app.Subscribe(tab2, room, Member("u-77", "{\"name\":\"Ada\"}"), 100);

        Assert.Single(other.Received, e => e.Event == InternalEvents.MemberAdded);
        Assert.Equal("{\"user_id\":\"u-77\",\"user_info\":{\"name\":\"Ada\"}}", other.Last(InternalEvents.MemberAdded).Data);
        Assert.Equal(new ChannelStats(3, 2), _app.GetStats(room.Value));
        var roster = JsonDocument.Parse(tab2.Last(InternalEvents.SubscriptionSucceeded).Data!).RootElement.GetProperty("presence");
        Assert.Equal(2, roster.GetProperty("count").GetInt32());
        Assert.Equal("Ada", roster.GetProperty("hash").GetProperty("u-77").GetProperty("name").GetString());

        _app.Unsubscribe(tab1, room.Value);
        Assert.DoesNotContain(other.Received, e => e.Event == InternalEvents.MemberRemoved);
        _app.Disconnect(tab2);
        Assert.Equal("{\"user_id\":\"u-77\"}", other.Last(InternalEvents.MemberRemoved).Data);
        Assert.Equal(["u-1"], _app.PresenceUserIds(room.Value));
    }

    [Fact]
    public void Presence_member_without_info_keeps_its_key_in_the_roster()
    {
        var a = Connect("1.1");
        _app.Subscribe(a, Name("presence-x"), Member("7"), 100);
        Assert.Equal("{\"presence\":{\"ids\":[\"7\"],\"hash\":{\"7\":null},\"count\":1}}", a.Last(InternalEvents.SubscriptionSucceeded).Data);
    }

    [Fact]
    public void Presence_channel_refuses_a_user_over_the_limit_but_not_another_tab()
    {
        var room = Name("presence-small");
        _app.Subscribe(Connect("1.1"), room, Member("a"), 2);
        _app.Subscribe(Connect("1.2"), room, Member("b"), 2);
        Assert.Equal(SubscribeOutcome.PresenceFull, _app.Subscribe(Connect("1.3"), room, Member("c"), 2));
        Assert.Equal(SubscribeOutcome.Subscribed, _app.Subscribe(Connect("1.4"), room, Member("a"), 2));
        Assert.Equal(new ChannelStats(3, 2), _app.GetStats(room.Value));
    }

    [Fact]
    public void Subscribing_twice_resends_succeeded_without_side_effects()
    {
        var a = Connect("1.1");
        _app.Subscribe(a, Name("orders"), null, 100);
        Assert.Equal(SubscribeOutcome.AlreadySubscribed, _app.Subscribe(a, Name("orders"), null, 100));
        Assert.Equal(2, a.EventNames().Count(e => e == InternalEvents.SubscriptionSucceeded));
        Assert.Equal(1, _app.GetStats("orders").SubscriptionCount);
    }

    [Fact]
    public void Empty_channels_are_freed_and_disconnect_releases_everything()
    {
        var a = Connect("1.1");
        _app.Subscribe(a, Name("orders"), null, 100);
        _app.Subscribe(a, Name("presence-x"), Member("u"), 100);
        Assert.Equal(2, _app.ListOccupied(null).Count);
        _app.Disconnect(a);
        Assert.Empty(_app.ListOccupied(null));
        Assert.Equal(0, _app.ConnectionCount);
        Assert.False(a.IsSubscribed("orders"));
    }

    [Fact]
    public void Listing_filters_by_prefix_and_sorts()
    {
        var a = Connect("1.1");
        foreach (var name in new[] { "presence-b", "orders", "presence-a" })
            _app.Subscribe(a, Name(name), name.StartsWith("presence-") ? Member("u") : null, 100);
        Assert.Equal(["presence-a", "presence-b"], _app.ListOccupied("presence-").Select(p => p.Key));
        Assert.Equal(3, _app.ListOccupied(null).Count);
    }

    [Fact]
    public void Cache_channel_replays_the_last_api_event_until_its_ttl_ends()
    {
        _app.Publish(new OutboundEvent("cache-prices", "price", "{\"p\":1}") { StoreInCache = true });
        _app.Publish(new OutboundEvent("cache-prices", "price", "{\"p\":2}") { StoreInCache = true });
        var early = Connect("1.1");
        _app.Subscribe(early, Name("cache-prices"), null, 100);
        Assert.Equal([InternalEvents.SubscriptionSucceeded, "price"], early.EventNames());
        Assert.Equal("{\"p\":2}", early.Last("price").Data);

        _time.Advance(TimeSpan.FromMinutes(31));
        var late = Connect("1.2");
        _app.Subscribe(late, Name("cache-prices"), null, 100);
        Assert.Equal([InternalEvents.SubscriptionSucceeded, InternalEvents.CacheMiss], late.EventNames());
    }

    [Fact]
    public void Client_events_are_not_cached()
    {
        _app.Publish(new OutboundEvent("private-cache-x", "client-typing", "{}"));
        var a = Connect("1.1");
        _app.Subscribe(a, Name("private-cache-x"), null, 100);
        Assert.Equal(InternalEvents.CacheMiss, a.EventNames()[^1]);
    }

    [Fact]
    public void Server_to_user_events_reach_every_signed_in_connection_of_that_user()
    {
        var phone = Connect("1.1");
        var laptop = Connect("1.2");
        var stranger = Connect("1.3");
        _app.SignIn(phone, "u-77");
        _app.SignIn(laptop, "u-77");
        _app.SignIn(stranger, "u-1");
        _app.Publish(new OutboundEvent("#server-to-user-u-77", "hello", "{}", exceptSocketId: "1.2"));
        Assert.Equal(["hello"], phone.EventNames());
        Assert.Empty(laptop.Received);
        Assert.Empty(stranger.Received);
    }

    [Fact]
    public void Terminate_reaches_only_the_users_connections()
    {
        var a = Connect("1.1");
        var b = Connect("1.2");
        _app.SignIn(a, "u-77");
        _app.SignIn(b, "u-1");
        Assert.Equal(1, _app.TerminateUser("u-77"));
        Assert.Equal(1, a.Terminations);
        Assert.Equal(0, b.Terminations);
        _app.Disconnect(a);
        Assert.Equal(0, _app.TerminateUser("u-77"));
    }

    [Fact]
    public void Connection_limit_admits_up_to_the_maximum()
    {
        var first = new RecordingSubscriber("9.1");
        Assert.True(_app.TryConnect(first, 2));
        Assert.True(_app.TryConnect(new RecordingSubscriber("9.2"), 2));
        Assert.False(_app.TryConnect(new RecordingSubscriber("9.3"), 2));
        Assert.Equal(2, _app.Connections.Count);
        _app.Disconnect(first);
        _app.Disconnect(first); // twice is harmless: the slot is released once
        Assert.Equal(1, _app.ConnectionCount);
        Assert.True(_app.TryConnect(new RecordingSubscriber("9.4"), 2));
    }

    [Fact]
    public async Task Concurrent_subscribe_and_unsubscribe_leave_no_channel_behind()
    {
        var subscribers = Enumerable.Range(0, 64).Select(i => Connect($"2.{i}")).ToArray();
        await Task.WhenAll(subscribers.Select(s => Task.Run(() =>
        {
            for (var round = 0; round < 200; round++)
            {
                _app.Subscribe(s, Name("presence-churn"), Member(s.SocketId), 1_000);
                _app.Publish(new OutboundEvent("presence-churn", "tick", "{}"));
                _app.Unsubscribe(s, "presence-churn");
            }
        })));
        Assert.Empty(_app.ListOccupied(null));
        Assert.Empty(_app.PresenceUserIds("presence-churn"));
        Assert.All(subscribers, s => Assert.False(s.IsSubscribed("presence-churn")));
    }

    private sealed class CountingEncoder : IEventEncoder<string>
    {
        public int Calls;
        public int Slot => EncodingSlots.PusherFrame;
        public string Encode(OutboundEvent evt) => $"encoded #{Interlocked.Increment(ref Calls)}";
    }
}
