using System.Net;
using System.Text;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SkubberPush.Tests.Infrastructure;

namespace SkubberPush.Tests.Hubs;

/// <summary>Every way a hub connection is refused with 401 before it opens, and the ways in.</summary>
public sealed class HubAuthenticationTests(PushServerFactory factory) : ApiTestBase(factory)
{
    private async Task<HttpStatusCode> NegotiateStatus(string query, string? bearer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/push/negotiate?negotiateVersion=1&{query}");
        if (bearer is not null)
            request.Headers.Authorization = new("Bearer", bearer);
        return (await Factory.CreateClient().SendAsync(request)).StatusCode;
    }

    private static string Mint(string key, string secret, DateTimeOffset expires, string algorithm = SecurityAlgorithms.HmacSha256, string? sub = null) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = sub is null ? new Dictionary<string, object>() : new Dictionary<string, object> { ["sub"] = sub },
            Expires = expires.UtcDateTime,
            IssuedAt = expires.AddHours(-1).UtcDateTime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)) { KeyId = key }, algorithm),
        });

    [Fact]
    public async Task A_token_minted_by_the_apps_own_backend_is_accepted()
    {
        var app = Factory.CreateApp();
        var token = Mint(app.Key, app.Secret, PushServerFactory.VectorTime.AddMinutes(5), sub: "u-1");
        Assert.Equal(HttpStatusCode.OK, await NegotiateStatus($"access_token={token}"));
        Assert.Equal(HttpStatusCode.OK, await NegotiateStatus("", bearer: token));
        await using var client = await HubTestClient.ConnectAsync(Factory, token, HubProtocolKind.Json);
        Assert.Matches(@"^\d+\.\d+$", client.SocketId);
    }

    [Fact]
    public async Task Missing_garbage_expired_and_forged_tokens_are_401()
    {
        var app = Factory.CreateApp();
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateStatus(""));
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateStatus("access_token=garbage"));
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateStatus($"access_token={Mint(app.Key, app.Secret, PushServerFactory.VectorTime.AddMinutes(-5))}"));
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateStatus($"access_token={Mint(app.Key, app.Secret + "x", PushServerFactory.VectorTime.AddMinutes(5))}"));
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateStatus($"access_token={Mint("mps_unknown", app.Secret, PushServerFactory.VectorTime.AddMinutes(5))}"));
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateStatus($"access_token={Mint(app.Key, app.Secret + app.Secret, PushServerFactory.VectorTime.AddMinutes(5), SecurityAlgorithms.HmacSha512)}"));
    }

    [Fact]
    public async Task Unsigned_alg_none_token_is_401()
    {
        var app = Factory.CreateApp();
        static string B64(string s) => Base64UrlEncoder.Encode(s);
        var token = $"{B64($$"""{"alg":"none","kid":"{{app.Key}}","typ":"JWT"}""")}.{B64("""{"sub":"u-1","exp":1900000000}""")}.";
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateStatus($"access_token={token}"));
    }

    [Fact]
    public async Task Token_expires_with_time()
    {
        await using var server = new PushServerFactory(); // its own clock, moved forward below
        var app = server.CreateApp();
        var token = await HubTokens.IssueAsync(server, app, "u-1");
        async Task<HttpStatusCode> Negotiate() =>
            (await server.CreateClient().PostAsync($"/push/negotiate?negotiateVersion=1&access_token={token}", null)).StatusCode;
        Assert.Equal(HttpStatusCode.OK, await Negotiate());
        server.Time.Advance(TimeSpan.FromMinutes(60));
        Assert.Equal(HttpStatusCode.OK, await Negotiate()); // within the 30 s clock skew
        server.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(HttpStatusCode.Unauthorized, await Negotiate());
    }

    [Fact]
    public async Task Rotating_the_secret_invalidates_old_tokens()
    {
        var app = Factory.CreateApp();
        var token = await HubTokens.IssueAsync(Factory, app, "u-1");
        var catalog = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<SkubberPush.Apps.AppCatalog>(Factory.Services);
        catalog.Store.Update(app with { Secret = SkubberPush.Apps.AppCredentials.NewSecret() });
        catalog.Reload();
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateStatus($"access_token={token}"));
    }

    [Fact]
    public async Task UserId_different_from_sub_is_401_and_without_sub_names_the_user()
    {
        var app = Factory.CreateApp();
        var withSub = await HubTokens.IssueAsync(Factory, app, "u-1");
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateStatus($"access_token={withSub}&userId=u-2"));
        Assert.Equal(HttpStatusCode.OK, await NegotiateStatus($"access_token={withSub}&userId=u-1"));
        var anonymous = await HubTokens.IssueAsync(Factory, app);
        Assert.Equal(HttpStatusCode.OK, await NegotiateStatus($"access_token={anonymous}&userId=anyone"));
    }

    [Fact]
    public async Task Start_fails_for_a_client_with_a_bad_token()
    {
        var connection = HubTestClient.Build(Factory, "garbage", HubProtocolKind.Json);
        await Assert.ThrowsAnyAsync<Exception>(() => connection.StartAsync());
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
    }
}
