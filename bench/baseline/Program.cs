// The baseline: a plain ASP.NET Core SignalR app written the obvious way, measured with the same
// load generator as Skubber Push. Subscribe joins a group; a trigger sends to the group.
using Microsoft.AspNetCore.SignalR;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSignalR().AddMessagePackProtocol();
var app = builder.Build();
app.MapHub<PushHub>("/hub");
app.MapPost("/apps/{appId}/batch_events", async (BatchRequest body, IHubContext<PushHub> hub) =>
{
    foreach (var item in body.Batch)
        await hub.Clients.Group(item.Channel).SendAsync("event", item.Channel, item.Name, item.Data, null);
    return Results.Ok(new { });
});
app.Run();

public sealed class PushHub : Hub
{
    public Task Subscribe(string channel) => Groups.AddToGroupAsync(Context.ConnectionId, channel);
}

public sealed record BatchRequest(List<BatchItem> Batch);
public sealed record BatchItem(string Name, string Channel, string Data);
