using System.Net;
using System.Text.Json;
using SkubberPush.Tests.Infrastructure;

namespace SkubberPush.Tests.Endpoints;

public sealed class OpsEndpointsTests(PushServerFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task Health_is_ok()
    {
        var response = await Factory.CreateClient().GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"status":"ok"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OpenApi_document_describes_every_endpoint_with_schemas_and_security()
    {
        var doc = JsonDocument.Parse(await Factory.CreateClient().GetStringAsync("/openapi/v1.json")).RootElement;
        var paths = doc.GetProperty("paths");
        foreach (var path in new[] { "/apps/{appId}/events", "/apps/{appId}/batch_events", "/apps/{appId}/channels",
                     "/apps/{appId}/channels/{channelName}", "/apps/{appId}/channels/{channelName}/users",
                     "/apps/{appId}/users/{userId}/terminate_connections", "/health" })
            Assert.True(paths.TryGetProperty(path, out _), $"missing {path}");

        var trigger = paths.GetProperty("/apps/{appId}/events").GetProperty("post");
        var requestSchema = trigger.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.Contains("name", requestSchema.ToString());
        Assert.Contains("socket_id", requestSchema.ToString());
        var responses = trigger.GetProperty("responses");
        foreach (var status in new[] { "200", "400", "401", "403", "404", "413" })
            Assert.True(responses.TryGetProperty(status, out _), $"missing response {status}");

        var schemes = doc.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("X-Api-Key", schemes.GetProperty("ApiKey").GetProperty("name").GetString());
        Assert.Equal("auth_signature", schemes.GetProperty("PusherSignature").GetProperty("name").GetString());
        Assert.Contains("user_count", doc.GetProperty("components").GetProperty("schemas").GetProperty("ChannelAttributes").ToString());
    }

    [Fact]
    public async Task Swagger_ui_is_served()
    {
        var html = await Factory.CreateClient().GetStringAsync("/swagger/index.html");
        Assert.Contains("swagger-ui", html);
    }
}
