using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SkubberPush.Apps;
using SkubberPush.Channels;

namespace SkubberPush.Tests.Infrastructure;

/// <summary>Helpers for in-process REST tests: the app's channels, extra apps, raw JSON requests.</summary>
public abstract class ApiTestBase(PushServerFactory factory) : IClassFixture<PushServerFactory>
{
    protected PushServerFactory Factory { get; } = factory;

    protected HttpClient Api { get; } = factory.CreateApiClient();

    protected AppChannels Channels => Factory.Services.GetRequiredService<ChannelRegistry>().For(TestApp.Id);

    protected static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..12];

    protected RecordingSubscriber Subscribe(string channel, string socketId = "1.1", PresenceMember? member = null)
    {
        var subscriber = new RecordingSubscriber(socketId);
        Assert.True(ChannelName.TryParse(channel, out var name, out _));
        Assert.Equal(SubscribeOutcome.Subscribed, Channels.Subscribe(subscriber, name, member, 100));
        return subscriber;
    }

    protected PushApp CreateApp(Func<PushApp, PushApp>? change = null) => Factory.CreateApp(change);

    protected static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    protected static async Task<JsonElement> ReadJson(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    protected static async Task AssertError(HttpResponseMessage response, HttpStatusCode status, string messagePart)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error").GetString();
        Assert.Contains(messagePart, error);
    }
}
