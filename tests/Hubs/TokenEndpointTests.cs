using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using SkubberPush.Tests.Infrastructure;

namespace SkubberPush.Tests.Hubs;

public sealed class TokenEndpointTests(PushServerFactory factory) : ApiTestBase(factory)
{
    private Task<HttpResponseMessage> Request(object body) => Factory.CreateClient().PostAsJsonAsync("/api/auth/signalr-token", body);

    [Fact]
    public async Task Token_is_hs256_with_kid_and_the_claims_asked_for()
    {
        var app = Factory.CreateApp();
        var response = await Request(new Dictionary<string, object>
        {
            ["apiKey"] = app.Key, ["apiSecret"] = app.Secret, ["userId"] = "u-77",
            ["userInfo"] = new Dictionary<string, string> { ["name"] = "Ada" }, ["channels"] = new[] { "private-team-42-*" }, ["expiresIn"] = 600,
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(600, body.GetProperty("expiresIn").GetInt32());
        Assert.Equal(PushServerFactory.VectorTime.AddSeconds(600), body.GetProperty("expiresAt").GetDateTimeOffset());

        var jwt = new JsonWebToken(body.GetProperty("token").GetString());
        Assert.Equal("HS256", jwt.Alg);
        Assert.Equal(app.Key, jwt.Kid);
        Assert.Equal("u-77", jwt.Subject);
        Assert.Equal(1_700_000_000 + 600, jwt.GetPayloadValue<long>("exp"));
        Assert.Equal(1_700_000_000, jwt.GetPayloadValue<long>("iat"));
        Assert.Equal("Ada", jwt.GetPayloadValue<JsonElement>("user_info").GetProperty("name").GetString());
        Assert.Equal(["private-team-42-*"], jwt.GetPayloadValue<string[]>("channels"));
    }

    [Fact]
    public async Task Default_lifetime_is_an_hour()
    {
        var app = Factory.CreateApp();
        var body = await (await Request(new { apiKey = app.Key, apiSecret = app.Secret })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3600, body.GetProperty("expiresIn").GetInt32());
        Assert.False(new JsonWebToken(body.GetProperty("token").GetString()).TryGetPayloadValue<string>("sub", out _));
    }

    [Fact]
    public async Task Wrong_credentials_are_401()
    {
        var app = Factory.CreateApp();
        await AssertError(await Request(new { apiKey = app.Key, apiSecret = "nope" }), HttpStatusCode.Unauthorized, "Wrong apiKey or apiSecret");
        await AssertError(await Request(new { apiKey = "mps_unknown", apiSecret = app.Secret }), HttpStatusCode.Unauthorized, "Wrong apiKey or apiSecret");
        await AssertError(await Request(new { apiSecret = app.Secret }), HttpStatusCode.Unauthorized, "Wrong apiKey or apiSecret");
    }

    [Fact]
    public async Task Disabled_app_is_403()
    {
        var app = Factory.CreateApp(a => a with { Enabled = false });
        await AssertError(await Request(new { apiKey = app.Key, apiSecret = app.Secret }), HttpStatusCode.Forbidden, "disabled");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(86_401)]
    public async Task Lifetime_outside_one_second_to_24_hours_is_400(int seconds)
    {
        var app = Factory.CreateApp();
        await AssertError(await Request(new { apiKey = app.Key, apiSecret = app.Secret, expiresIn = seconds }), HttpStatusCode.BadRequest, "expiresIn must be 1 to 86400");
    }

    [Fact]
    public async Task Bad_claims_are_400()
    {
        var app = Factory.CreateApp();
        await AssertError(await Request(new { apiKey = app.Key, apiSecret = app.Secret, userInfo = "text" }), HttpStatusCode.BadRequest, "userInfo must be a JSON object");
        await AssertError(await Request(new { apiKey = app.Key, apiSecret = app.Secret, channels = new[] { "bad name" } }), HttpStatusCode.BadRequest, "channels: Invalid channel name 'bad name'");
        await AssertError(await Request(new { apiKey = app.Key, apiSecret = app.Secret, userInfo = new { bio = new string('x', 2000) } }), HttpStatusCode.BadRequest, "user_info is larger than 1024 bytes");
        await AssertError(await Factory.CreateClient().PostAsync("/api/auth/signalr-token", Json("{oops")), HttpStatusCode.BadRequest, "Invalid JSON");
    }

    [Fact]
    public async Task A_secret_too_short_for_hs256_says_to_rotate_it()
    {
        // The test-vector app's secret is 26 bytes; RFC 7518 wants 32 for HS256.
        await AssertError(await Request(new { apiKey = TestApp.Key, apiSecret = TestApp.Secret }), HttpStatusCode.BadRequest, "apps rotate-secret 1001");
    }
}
