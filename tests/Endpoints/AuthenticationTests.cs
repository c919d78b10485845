using System.Net;
using System.Text;
using SkubberPush.Tests.Infrastructure;

namespace SkubberPush.Tests.Endpoints;

/// <summary>The three ways into the REST API and every refusal of the contract's table.</summary>
public sealed class AuthenticationTests(PushServerFactory factory) : ApiTestBase(factory)
{
    private const string Body = """{"name":"e","channel":"orders","data":"{}"}""";

    [Fact]
    public async Task Header_credentials_are_accepted()
    {
        var response = await Api.PostAsync("/apps/1001/events", Json(Body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Query_credentials_are_accepted()
    {
        var client = Factory.CreateClient();
        var response = await client.PostAsync($"/apps/1001/events?apiKey={TestApp.Key}&apiSecret={TestApp.Secret}", Json(Body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Pusher_vector_H1_is_accepted_and_delivered_byte_for_byte()
    {
        var subscriber = Subscribe("private-orders.42");
        const string body = """{"name":"order-shipped","data":"{\"id\":42,\"status\":\"shipped\"}","channels":["orders","private-orders.42"]}""";
        var url = "/apps/1001/events?auth_key=skb-test-key&auth_timestamp=1700000000&auth_version=1.0&body_md5=43d567e69ec8a107d6809256b55bcdd1&auth_signature=454f8513829fdecfa61f92aede9ffb1c007e30d2e08e4058e3c29d5942614bc2";
        var response = await Factory.CreateClient().PostAsync(url, new ByteArrayContent(Encoding.UTF8.GetBytes(body)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"id\":42,\"status\":\"shipped\"}", subscriber.Last("order-shipped").Data);
    }

    [Fact]
    public async Task Signed_get_with_parameters_is_accepted()
    {
        var url = PusherSigner.SignedUrl("GET", "/apps/1001/channels", "", 1_700_000_000, [new("filter_by_prefix", "presence-"), new("info", "user_count")]);
        var response = await Factory.CreateClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task No_credentials_is_401() =>
        await AssertError(await Factory.CreateClient().PostAsync("/apps/1001/events", Json(Body)), HttpStatusCode.Unauthorized, "Missing credentials");

    [Fact]
    public async Task Unknown_key_is_401()
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "mps_nope");
        client.DefaultRequestHeaders.Add("X-Api-Secret", TestApp.Secret);
        await AssertError(await client.PostAsync("/apps/1001/events", Json(Body)), HttpStatusCode.Unauthorized, "Unknown API key");
    }

    [Fact]
    public async Task Wrong_secret_is_401()
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", TestApp.Key);
        client.DefaultRequestHeaders.Add("X-Api-Secret", TestApp.Secret + "x");
        await AssertError(await client.PostAsync("/apps/1001/events", Json(Body)), HttpStatusCode.Unauthorized, "Wrong API secret");
    }

    [Fact]
    public async Task Key_of_another_app_is_401_with_headers_and_with_signing()
    {
        var other = CreateApp();
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", other.Key);
        client.DefaultRequestHeaders.Add("X-Api-Secret", other.Secret);
        await AssertError(await client.PostAsync("/apps/1001/events", Json(Body)), HttpStatusCode.Unauthorized, "Unknown API key");

        var url = PusherSigner.SignedUrl("POST", "/apps/1001/events", Body, 1_700_000_000, key: other.Key, secret: other.Secret);
        await AssertError(await Factory.CreateClient().PostAsync(url, Json(Body)), HttpStatusCode.Unauthorized, "Unknown auth_key");
    }

    [Fact]
    public async Task Stale_signature_is_401()
    {
        var url = PusherSigner.SignedUrl("POST", "/apps/1001/events", Body, 1_700_000_000 - 601);
        await AssertError(await Factory.CreateClient().PostAsync(url, Json(Body)), HttpStatusCode.Unauthorized, "Timestamp expired");
    }

    [Fact]
    public async Task Forged_signature_is_401_and_shows_the_string_to_sign_but_not_the_secret()
    {
        var url = PusherSigner.SignedUrl("POST", "/apps/1001/events", Body, 1_700_000_000, secret: "not-the-secret");
        var response = await Factory.CreateClient().PostAsync(url, Json(Body));
        await AssertError(response, HttpStatusCode.Unauthorized, "Invalid signature: you should have sent HmacSHA256Hex(\"POST\\n/apps/1001/events\\n");
        Assert.DoesNotContain(TestApp.Secret, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Body_changed_after_signing_is_401()
    {
        var url = PusherSigner.SignedUrl("POST", "/apps/1001/events", Body, 1_700_000_000);
        await AssertError(await Factory.CreateClient().PostAsync(url, Json(Body.Replace("orders", "orderz"))), HttpStatusCode.Unauthorized, "body_md5");
    }

    [Fact]
    public async Task Unknown_app_is_404()
    {
        await AssertError(await Api.PostAsync("/apps/9999/events", Json(Body)), HttpStatusCode.NotFound, "Unknown app id '9999'");
        await AssertError(await Api.GetAsync("/apps/9999/channels"), HttpStatusCode.NotFound, "Unknown app id");
    }

    [Fact]
    public async Task Disabled_app_is_403_after_valid_credentials_only()
    {
        var disabled = CreateApp(a => a with { Enabled = false });
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", disabled.Key);
        client.DefaultRequestHeaders.Add("X-Api-Secret", disabled.Secret);
        await AssertError(await client.PostAsync($"/apps/{disabled.Id}/events", Json(Body)), HttpStatusCode.Forbidden, "disabled");
        await AssertError(await Api.PostAsync($"/apps/{disabled.Id}/events", Json(Body)), HttpStatusCode.Unauthorized, "Unknown API key");
    }

    [Fact]
    public async Task Unknown_route_is_404_json()
    {
        await AssertError(await Api.GetAsync("/nowhere"), HttpStatusCode.NotFound, "Not found");
        // Pusher has no per-user events endpoint (sendToUser publishes to #server-to-user-{id}).
        await AssertError(await Api.PostAsync("/apps/1001/users/u-1/events", Json(Body)), HttpStatusCode.NotFound, "Not found");
    }
}
