using System.Net;
using SkubberPush.Channels;
using SkubberPush.Tests.Infrastructure;

namespace SkubberPush.Tests.Endpoints;

public sealed class ChannelsEndpointsTests(PushServerFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task List_shows_occupied_channels_by_prefix_with_counts()
    {
        var prefix = Unique("presence-l");
        Subscribe(prefix + "-a", "1.1", new PresenceMember("u-1", null));
        Subscribe(prefix + "-a", "1.2", new PresenceMember("u-2", null));
        Subscribe(prefix + "-b", "1.3", new PresenceMember("u-1", null));

        var plain = await Api.GetAsync($"/apps/1001/channels?filter_by_prefix={prefix}");
        Assert.Equal("""{"channels":{"P-a":{},"P-b":{}}}""".Replace("P", prefix), await plain.Content.ReadAsStringAsync());

        var counted = await Api.GetAsync($"/apps/1001/channels?filter_by_prefix={prefix}&info=user_count,subscription_count");
        Assert.Equal("""{"channels":{"P-a":{"user_count":2,"subscription_count":2},"P-b":{"user_count":1,"subscription_count":1}}}""".Replace("P", prefix),
            await counted.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task List_is_an_object_even_when_empty()
    {
        var response = await Api.GetAsync($"/apps/1001/channels?filter_by_prefix={Unique("none-")}");
        Assert.Equal("""{"channels":{}}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task List_with_user_count_needs_a_presence_prefix() =>
        await AssertError(await Api.GetAsync("/apps/1001/channels?info=user_count"), HttpStatusCode.BadRequest, "needs filter_by_prefix starting with presence-");

    [Fact]
    public async Task Channel_info_reports_occupancy_and_counts()
    {
        var room = Unique("presence-i");
        Subscribe(room, "1.1", new PresenceMember("u-1", null));
        Subscribe(room, "1.2", new PresenceMember("u-1", null));
        var response = await Api.GetAsync($"/apps/1001/channels/{room}?info=user_count,subscription_count");
        Assert.Equal("""{"occupied":true,"user_count":1,"subscription_count":2}""", await response.Content.ReadAsStringAsync());

        var bare = await Api.GetAsync($"/apps/1001/channels/{room}");
        Assert.Equal("""{"occupied":true}""", await bare.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unoccupied_channel_reports_zero_counts()
    {
        var response = await Api.GetAsync($"/apps/1001/channels/{Unique("empty-")}?info=subscription_count");
        Assert.Equal("""{"occupied":false,"subscription_count":0}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task User_count_on_a_non_presence_channel_is_400() =>
        await AssertError(await Api.GetAsync("/apps/1001/channels/orders?info=user_count"), HttpStatusCode.BadRequest, "only available for presence channels");

    [Fact]
    public async Task Cache_info_shows_the_cached_event_and_its_ttl()
    {
        var channel = Unique("cache-");
        var empty = await ReadJson(await Api.GetAsync($"/apps/1001/channels/{channel}?info=cache"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, empty.GetProperty("cache").ValueKind);

        await Api.PostAsync("/apps/1001/events", Json($$"""{"name":"price","channel":"{{channel}}","data":"{\"price\":10}"}"""));
        Factory.Time.Advance(TimeSpan.FromSeconds(88));
        var cached = await ReadJson(await Api.GetAsync($"/apps/1001/channels/{channel}?info=cache"));
        Assert.Equal("{\"price\":10}", cached.GetProperty("cache").GetProperty("data").GetString());
        Assert.Equal(1_800 - 88, cached.GetProperty("cache").GetProperty("ttl").GetInt32());
        Assert.False(cached.GetProperty("occupied").GetBoolean());
    }

    [Fact]
    public async Task Cache_info_on_a_non_cache_channel_is_400() =>
        await AssertError(await Api.GetAsync("/apps/1001/channels/orders?info=cache"), HttpStatusCode.BadRequest, "only available for cache channels");

    [Fact]
    public async Task Invalid_channel_name_in_the_path_is_400() =>
        await AssertError(await Api.GetAsync("/apps/1001/channels/bad%20name"), HttpStatusCode.BadRequest, "Invalid channel name");

    [Fact]
    public async Task Users_lists_distinct_presence_users()
    {
        var room = Unique("presence-u");
        Subscribe(room, "1.1", new PresenceMember("u-1", null));
        Subscribe(room, "1.2", new PresenceMember("u-1", null));
        Subscribe(room, "1.3", new PresenceMember("42", null));
        var users = await ReadJson(await Api.GetAsync($"/apps/1001/channels/{room}/users"));
        Assert.Equal(["42", "u-1"], users.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("id").GetString()).Order());

        var none = await Api.GetAsync($"/apps/1001/channels/{Unique("presence-")}/users");
        Assert.Equal("""{"users":[]}""", await none.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Users_on_a_non_presence_channel_is_400() =>
        await AssertError(await Api.GetAsync("/apps/1001/channels/private-x/users"), HttpStatusCode.BadRequest, "not a presence channel");

    [Fact]
    public async Task Terminate_closes_the_users_signed_in_connections_only()
    {
        var target = new RecordingSubscriber("5.1");
        var bystander = new RecordingSubscriber("5.2");
        Channels.SignIn(target, "u-terminate");
        Channels.SignIn(bystander, "u-stays");
        var response = await Api.PostAsync("/apps/1001/users/u-terminate/terminate_connections", Json("{}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{}", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, target.Terminations);
        Assert.Equal(0, bystander.Terminations);

        var nobody = await Api.PostAsync("/apps/1001/users/nobody/terminate_connections", Json("{}"));
        Assert.Equal("{}", await nobody.Content.ReadAsStringAsync());
    }
}
