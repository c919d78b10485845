using System.Net;
using SkubberPush.Tests.Infrastructure;

namespace SkubberPush.Tests.Hubs;

/// <summary>Browsers fetch a token and negotiate the hub cross-origin: the preflights must pass, with credentials.</summary>
public sealed class CorsTests(PushServerFactory factory) : ApiTestBase(factory)
{
    private static HttpRequestMessage Preflight(string path, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");
        return request;
    }

    [Theory]
    [InlineData("/api/auth/signalr-token")]
    [InlineData("/push/negotiate")]
    public async Task Any_origin_is_echoed_with_credentials_by_default(string path)
    {
        var response = await Factory.CreateClient().SendAsync(Preflight(path, "https://app.example"));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("https://app.example", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", response.Headers.GetValues("Access-Control-Allow-Credentials").Single());
    }

    [Fact]
    public async Task Configured_origins_are_the_only_ones_allowed()
    {
        using var server = new PushServerFactory();
        using var restricted = server.WithWebHostBuilder(builder => builder.UseSetting("Skubber:CorsOrigins:0", "https://allowed.example"));
        var client = restricted.CreateClient();

        var allowed = await client.SendAsync(Preflight("/api/auth/signalr-token", "https://allowed.example"));
        Assert.Equal("https://allowed.example", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());

        var refused = await client.SendAsync(Preflight("/api/auth/signalr-token", "https://evil.example"));
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
