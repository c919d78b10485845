using Microsoft.AspNetCore.SignalR;

namespace SkubberPush.Hubs;

/// <summary>
/// SignalR's default lifetime manager, plus one thing: it hands the hub the connection's
/// <see cref="HubConnectionContext"/>, so events can be written to it directly as pre-serialized
/// messages instead of through <c>Clients.Client(id)</c>, which serializes per connection.
/// </summary>
public sealed class PushHubLifetimeManager(ILogger<DefaultHubLifetimeManager<PushHub>> logger) : DefaultHubLifetimeManager<PushHub>(logger)
{
    internal const string ConnectionKey = "skubber.connection";

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        connection.Items[ConnectionKey] = connection;
        return base.OnConnectedAsync(connection);
    }
}
