using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SkubberPush.Hubs;
using SkubberPush.Tests.Infrastructure;

namespace SkubberPush.Tests.Hubs;

public sealed class NegotiatedConnectionsTests(PushServerFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public void A_token_is_taken_once_and_not_after_its_lifetime()
    {
        var time = new FakeTimeProvider();
        var negotiated = new NegotiatedConnections(time);
        negotiated.Add("t-1", "c-1");
        negotiated.Add("t-2", "c-2");
        Assert.True(negotiated.TryTake("t-1", out var id));
        Assert.Equal("c-1", id);
        Assert.False(negotiated.TryTake("t-1", out _));
        Assert.False(negotiated.TryTake("never-issued", out _));
        time.Advance(NegotiatedConnections.Lifetime);
        Assert.False(negotiated.TryTake("t-2", out _));
    }

    [Fact]
    public void Expired_tokens_are_swept_as_new_ones_arrive()
    {
        var time = new FakeTimeProvider();
        var negotiated = new NegotiatedConnections(time);
        for (var i = 0; i < 100; i++)
            negotiated.Add($"old-{i}", $"c-{i}");
        time.Advance(NegotiatedConnections.Lifetime + TimeSpan.FromSeconds(1));
        negotiated.Add("new", "c-new");
        Assert.Equal(1, negotiated.Count);
    }

    private async Task<JsonElement> NegotiateAsync(string token, string extra = "")
    {
        var response = await Factory.CreateClient().PostAsync($"/push/negotiate?negotiateVersion=1&access_token={token}{extra}", null);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task SignalRs_negotiate_answers_unchanged_and_its_token_is_recorded_for_the_socket_path()
    {
        var token = await HubTokens.IssueAsync(Factory, Factory.CreateApp());
        var answer = await NegotiateAsync(token);
        var transports = answer.GetProperty("availableTransports").EnumerateArray().Select(t => t.GetProperty("transport").GetString()!).ToArray();
        Assert.Equal(new[] { "WebSockets", "ServerSentEvents", "LongPolling" }, transports);
        var negotiated = Factory.Services.GetRequiredService<NegotiatedConnections>();
        Assert.True(negotiated.TryTake(answer.GetProperty("connectionToken").GetString()!, out var id));
        Assert.Equal(answer.GetProperty("connectionId").GetString(), id);
    }

    [Fact]
    public async Task A_negotiation_for_stateful_reconnect_stays_with_SignalR()
    {
        var token = await HubTokens.IssueAsync(Factory, Factory.CreateApp());
        var answer = await NegotiateAsync(token, "&useStatefulReconnect=true");
        var negotiated = Factory.Services.GetRequiredService<NegotiatedConnections>();
        Assert.False(negotiated.TryTake(answer.GetProperty("connectionToken").GetString()!, out _));
    }
}
