using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using SkubberPush.Apps;
using SkubberPush.Auth;
using SkubberPush.Channels;
using SkubberPush.Tests.Infrastructure;

namespace SkubberPush.Tests.Hubs;

/// <summary>The hub's contract tables with the .NET SignalR client, over JSON and MessagePack.</summary>
public sealed class PushHubTests(PushServerFactory factory) : ApiTestBase(factory)
{
    public static TheoryData<HubProtocolKind> Protocols => [HubProtocolKind.Json, HubProtocolKind.MessagePack];

    private async Task<(PushApp App, HubTestClient Client)> Connect(HubProtocolKind protocol, string? userId = null, object? userInfo = null, string[]? channels = null, PushApp? app = null)
    {
        app ??= Factory.CreateApp();
        var token = await HubTokens.IssueAsync(Factory, app, userId, userInfo, channels);
        return (app, await HubTestClient.ConnectAsync(Factory, token, protocol));
    }

    private HttpClient ApiFor(PushApp app)
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", app.Key);
        client.DefaultRequestHeaders.Add("X-Api-Secret", app.Secret);
        return client;
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Rest_trigger_reaches_a_public_subscriber_with_its_data_intact(HubProtocolKind protocol)
    {
        var (app, client) = await Connect(protocol);
        await using var _ = client;
        await client.Connection.InvokeAsync("Subscribe", "orders");
        Assert.Equal("{}", (await client.NextAsync("pusher:subscription_succeeded", "orders")).Data);

        var data = "{\"id\":42,\"note\":\"ünïcødé \\\"quoted\\\"\"}";
        var response = await ApiFor(app).PostAsync($"/apps/{app.Id}/events", Json(JsonSerializer.Serialize(new { name = "order-shipped", channel = "orders", data })));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = await client.NextAsync("order-shipped");
        Assert.Equal(new HubEvent("orders", "order-shipped", data, null), received);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Socket_id_exclusion_skips_that_connection(HubProtocolKind protocol)
    {
        var (app, a) = await Connect(protocol);
        var (_, b) = await Connect(protocol, app: app);
        await using var __ = a;
        await using var ___ = b;
        await a.Connection.InvokeAsync("Subscribe", "news");
        await b.Connection.InvokeAsync("Subscribe", "news");
        await ApiFor(app).PostAsync($"/apps/{app.Id}/events", Json($$"""{"name":"first","channel":"news","data":"1","socket_id":"{{a.SocketId}}"}"""));
        await ApiFor(app).PostAsync($"/apps/{app.Id}/events", Json("""{"name":"second","channel":"news","data":"2"}"""));
        await b.NextAsync("second");
        await a.NextAsync("second");
        Assert.Contains(b.Events, e => e.Name == "first");
        Assert.DoesNotContain(a.Events, e => e.Name == "first");
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Private_channel_needs_a_grant_or_a_signature(HubProtocolKind protocol)
    {
        var (app, client) = await Connect(protocol, "u-1", channels: ["private-team-42-*", "private-exact"]);
        await using var _ = client;

        var refused = await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("Subscribe", "private-x"));
        Assert.Contains("4009: not authorized for private-x", refused.Message);
        var error = await client.NextAsync("pusher:subscription_error", "private-x");
        Assert.Equal(401, JsonDocument.Parse(error.Data!).RootElement.GetProperty("status").GetInt32());

        await client.Connection.InvokeAsync("Subscribe", "private-team-42-chat");
        await client.Connection.InvokeAsync("Subscribe", "private-exact");
        await client.NextAsync("pusher:subscription_succeeded", "private-team-42-chat");
        await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("Subscribe", "private-exact2"));

        var auth = $"{app.Key}:{PusherSignature.Sign(Encoding.UTF8.GetBytes(app.Secret), $"{client.SocketId}:private-x")}";
        await client.Connection.InvokeAsync("SubscribeWithAuth", "private-x", auth, null);
        await client.NextAsync("pusher:subscription_succeeded", "private-x");

        var forged = await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("SubscribeWithAuth", "private-y", auth, null));
        Assert.Contains("4009: Invalid signature", forged.Message);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Presence_between_two_clients_counts_users_not_connections(HubProtocolKind protocol)
    {
        var app = Factory.CreateApp();
        var (_, ada) = await Connect(protocol, "u-ada", new { name = "Ada" }, ["presence-room"], app);
        var (_, adaPhone) = await Connect(protocol, "u-ada", new { name = "Ada" }, ["presence-room"], app);
        var (_, bob) = await Connect(protocol, "u-bob", new { name = "Bob" }, ["presence-*"], app);
        await using var _1 = ada;
        await using var _2 = adaPhone;
        await using var _3 = bob;

        await ada.Connection.InvokeAsync("Subscribe", "presence-room");
        await bob.Connection.InvokeAsync("Subscribe", "presence-room");
        var roster = JsonDocument.Parse((await bob.NextAsync("pusher:subscription_succeeded", "presence-room")).Data!).RootElement.GetProperty("presence");
        Assert.Equal(2, roster.GetProperty("count").GetInt32());
        Assert.Equal("Ada", roster.GetProperty("hash").GetProperty("u-ada").GetProperty("name").GetString());
        Assert.Equal("{\"user_id\":\"u-bob\",\"user_info\":{\"name\":\"Bob\"}}", (await ada.NextAsync("pusher:member_added")).Data);

        await adaPhone.Connection.InvokeAsync("Subscribe", "presence-room"); // a second tab: no member_added
        var users = await ReadJson(await ApiFor(app).GetAsync($"/apps/{app.Id}/channels/presence-room?info=user_count,subscription_count"));
        Assert.Equal(2, users.GetProperty("user_count").GetInt32());
        Assert.Equal(3, users.GetProperty("subscription_count").GetInt32());

        await adaPhone.DisposeAsync();
        await ada.Connection.InvokeAsync("Unsubscribe", "presence-room");
        Assert.Equal("{\"user_id\":\"u-ada\"}", (await bob.NextAsync("pusher:member_removed")).Data);
        Assert.Single(ada.Events, e => e.Name == "pusher:member_added"); // bob, once
        Assert.DoesNotContain(bob.Events, e => e.Name == "pusher:member_added"); // ada's phone is not a new member
        Assert.Single(bob.Events, e => e.Name == "pusher:member_removed"); // ada left once, with her last connection
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Presence_by_signature_takes_the_member_from_channel_data(HubProtocolKind protocol)
    {
        var (app, client) = await Connect(protocol);
        await using var _ = client;
        const string channelData = "{\"user_id\":7,\"user_info\":{\"name\":\"Cy\"}}";
        var auth = $"{app.Key}:{PusherSignature.Sign(Encoding.UTF8.GetBytes(app.Secret), $"{client.SocketId}:presence-sig:{channelData}")}";
        await client.Connection.InvokeAsync("SubscribeWithAuth", "presence-sig", auth, channelData);
        var roster = JsonDocument.Parse((await client.NextAsync("pusher:subscription_succeeded", "presence-sig")).Data!).RootElement;
        Assert.Equal("7", roster.GetProperty("presence").GetProperty("ids")[0].GetString());

        var badData = await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("SubscribeWithAuth", "presence-bad", $"{app.Key}:{PusherSignature.Sign(Encoding.UTF8.GetBytes(app.Secret), $"{client.SocketId}:presence-bad:not json")}", "not json"));
        Assert.Contains("channel_data is not valid JSON", badData.Message);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Client_events_reach_others_not_the_sender(HubProtocolKind protocol)
    {
        var app = Factory.CreateApp();
        var (_, ada) = await Connect(protocol, "u-ada", null, ["presence-chat", "private-*"], app);
        var (_, bob) = await Connect(protocol, "u-bob", null, ["presence-chat"], app);
        await using var _1 = ada;
        await using var _2 = bob;
        await ada.Connection.InvokeAsync("Subscribe", "presence-chat");
        await bob.Connection.InvokeAsync("Subscribe", "presence-chat");
        await ada.Connection.InvokeAsync("Trigger", "presence-chat", "client-typing", "{\"typing\":true}");
        Assert.Equal(new HubEvent("presence-chat", "client-typing", "{\"typing\":true}", "u-ada"), await bob.NextAsync("client-typing"));
        await ada.Connection.InvokeAsync("Subscribe", "public-x");
        await ada.Connection.InvokeAsync("Unsubscribe", "public-x"); // a round trip after the trigger
        Assert.DoesNotContain(ada.Events, e => e.Name == "client-typing");
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Client_event_refusals_are_hub_exceptions_with_pusher_codes(HubProtocolKind protocol)
    {
        var (app, client) = await Connect(protocol, "u-1", channels: ["private-*"]);
        await using var _ = client;
        await client.Connection.InvokeAsync("Subscribe", "public");
        await client.Connection.InvokeAsync("Subscribe", "private-room");

        Assert.Contains("only supported on private and presence channels",
            (await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("Trigger", "public", "client-x", "{}"))).Message);
        Assert.Contains("must start with client-",
            (await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("Trigger", "private-room", "typing", "{}"))).Message);
        Assert.Contains("not subscribed to private-other",
            (await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("Trigger", "private-other", "client-x", "{}"))).Message);
        Assert.Contains("4301: Client event rejected - data too large",
            (await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("Trigger", "private-room", "client-x", new string('x', 10_241)))).Message);

        var outcomes = new List<string>();
        for (var i = 0; i < 15; i++)
        {
            try { await client.Connection.InvokeAsync("Trigger", "private-room", "client-burst", "{}"); outcomes.Add("ok"); }
            catch (HubException e) { outcomes.Add(e.Message); }
        }
        Assert.Equal(10, outcomes.Count(o => o == "ok"));
        Assert.Contains(outcomes, o => o.Contains("4301: Client event rejected due to rate limit"));
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Client_events_switched_off_for_the_app_are_refused(HubProtocolKind protocol)
    {
        var app = Factory.CreateApp(a => a with { Limits = a.Limits with { ClientEventsEnabled = false } });
        var (_, client) = await Connect(protocol, "u-1", channels: ["private-*"], app: app);
        await using var _ = client;
        await client.Connection.InvokeAsync("Subscribe", "private-room");
        Assert.Contains("4301: Client events are not enabled for this app",
            (await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("Trigger", "private-room", "client-x", "{}"))).Message);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Bad_input_gets_an_error_for_that_call_and_others_keep_receiving(HubProtocolKind protocol)
    {
        var (app, attacker) = await Connect(protocol);
        var (_, victim) = await Connect(protocol, app: app);
        await using var _1 = attacker;
        await using var _2 = victim;
        await victim.Connection.InvokeAsync("Subscribe", "feed");

        Assert.Contains("Channel name too long", (await Assert.ThrowsAsync<HubException>(() => attacker.Connection.InvokeAsync("Subscribe", new string('a', 10_000)))).Message);
        await Assert.ThrowsAsync<HubException>(() => attacker.Connection.InvokeAsync("Subscribe", "bad name"));
        await Assert.ThrowsAsync<HubException>(() => attacker.Connection.InvokeAsync("Subscribe", "#server-to-user-someone"));
        Assert.Equal(HubConnectionStateOpen, attacker.Connection.State);

        await ApiFor(app).PostAsync($"/apps/{app.Id}/events", Json("""{"name":"still","channel":"feed","data":"here"}"""));
        Assert.Equal("here", (await victim.NextAsync("still")).Data);
    }

    private const Microsoft.AspNetCore.SignalR.Client.HubConnectionState HubConnectionStateOpen = Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected;

    [Fact]
    public async Task A_flood_of_invocations_closes_that_connection_only()
    {
        var (app, flooder) = await Connect(HubProtocolKind.Json);
        var (_, bystander) = await Connect(HubProtocolKind.Json, app: app);
        await using var _1 = flooder;
        await using var _2 = bystander;
        await bystander.Connection.InvokeAsync("Subscribe", "feed");
        var calls = Enumerable.Range(0, 1_000).Select(i => flooder.Connection.SendAsync("Unsubscribe", $"c{i}")).ToArray();
        await Task.WhenAll(calls.Select(c => c.ContinueWith(_ => { })));
        await flooder.ClosedWith.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await ApiFor(app).PostAsync($"/apps/{app.Id}/events", Json("""{"name":"after","channel":"feed","data":"ok"}"""));
        Assert.Equal("ok", (await bystander.NextAsync("after")).Data);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Terminate_closes_the_users_hub_connections_without_reconnect(HubProtocolKind protocol)
    {
        var (app, target) = await Connect(protocol, "u-gone");
        var (_, other) = await Connect(protocol, "u-stays", app: app);
        await using var _1 = target;
        await using var _2 = other;
        var response = await ApiFor(app).PostAsync($"/apps/{app.Id}/users/u-gone/terminate_connections", Json("{}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await target.ClosedWith.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected, other.Connection.State);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Send_to_user_reaches_verified_hub_users(HubProtocolKind protocol)
    {
        var (app, client) = await Connect(protocol, "u-77");
        await using var _ = client;
        await ApiFor(app).PostAsync($"/apps/{app.Id}/events", Json("""{"name":"hello","channel":"#server-to-user-u-77","data":"{\"hi\":1}"}"""));
        Assert.Equal(new HubEvent("#server-to-user-u-77", "hello", "{\"hi\":1}", null), await client.NextAsync("hello"));
    }

    [Fact]
    public async Task Unverified_query_user_gets_no_server_to_user_events()
    {
        var app = Factory.CreateApp();
        var token = await HubTokens.IssueAsync(Factory, app);
        await using var client = await HubTestClient.ConnectAsync(Factory, token, HubProtocolKind.Json, userId: "u-claimed");
        await ApiFor(app).PostAsync($"/apps/{app.Id}/events", Json("""{"name":"secret","channel":"#server-to-user-u-claimed","data":"{}"}"""));
        await ApiFor(app).PostAsync($"/apps/{app.Id}/events", Json("""{"name":"marker","channel":"#server-to-user-u-claimed","data":"{}"}"""));
        await client.Connection.InvokeAsync("Subscribe", "after");
        await client.NextAsync("pusher:subscription_succeeded", "after");
        Assert.DoesNotContain(client.Events, e => e.Name is "secret" or "marker");
        Assert.Equal(0, Factory.Services.GetRequiredService<ChannelRegistry>().For(app.Id).TerminateUser("u-claimed"));
    }

    [Fact]
    public async Task Thousand_connections_opened_and_closed_leave_the_core_at_baseline()
    {
        var app = Factory.CreateApp();
        var channels = Factory.Services.GetRequiredService<ChannelRegistry>().For(app.Id);
        var token = await HubTokens.IssueAsync(Factory, app, "u-many", null, ["presence-*", "private-*"]);
        for (var batch = 0; batch < 10; batch++)
        {
            var clients = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => HubTestClient.ConnectAsync(Factory, token, HubProtocolKind.Json)));
            await Task.WhenAll(clients.Select(c => c.Connection.InvokeAsync("Subscribe", "presence-lobby")));
            await Task.WhenAll(clients.Select(c => c.Connection.InvokeAsync("Subscribe", $"private-{c.SocketId}")));
            Assert.Equal(100, channels.ConnectionCount);
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
            await EventuallyAsync(() => channels.ConnectionCount == 0);
        }
        Assert.Empty(channels.ListOccupied(null));
        Assert.Empty(channels.PresenceUserIds("presence-lobby"));
        Assert.Equal(0, channels.TerminateUser("u-many"));
    }

    private static async Task EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in 10 s");
            await Task.Delay(10);
        }
    }
}
