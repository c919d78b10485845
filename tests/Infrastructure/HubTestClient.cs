using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using SkubberPush.Apps;

namespace SkubberPush.Tests.Infrastructure;

public enum HubProtocolKind { Json, MessagePack }

/// <summary>A real SignalR client connected to the in-process server over WebSockets.</summary>
public sealed class HubTestClient : IAsyncDisposable
{
    private readonly ConcurrentQueue<HubEvent> _events = new();
    private readonly SemaphoreSlim _arrived = new(0);

    private HubTestClient(HubConnection connection)
    {
        Connection = connection;
        connection.On<string>("connected", id => SocketIdReceived.TrySetResult(id));
        connection.On<string, string, string?, string?>("event", (channel, name, data, userId) =>
        {
            _events.Enqueue(new HubEvent(channel, name, data, userId));
            _arrived.Release();
        });
        connection.Closed += error =>
        {
            ClosedWith.TrySetResult(error);
            return Task.CompletedTask;
        };
    }

    public HubConnection Connection { get; }
    public TaskCompletionSource<string> SocketIdReceived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource<Exception?> ClosedWith { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public IReadOnlyCollection<HubEvent> Events => _events;

    public static HubConnection Build(PushServerFactory factory, string token, HubProtocolKind protocol, string? userId = null)
    {
        var server = factory.Server;
        var query = $"access_token={Uri.EscapeDataString(token)}" + (userId is null ? "" : $"&userId={Uri.EscapeDataString(userId)}");
        var builder = new HubConnectionBuilder().WithUrl(new Uri(server.BaseAddress, $"/push?{query}"), options =>
        {
            options.Transports = HttpTransportType.WebSockets;
            options.SkipNegotiation = true;
            options.WebSocketFactory = async (context, ct) => await server.CreateWebSocketClient().ConnectAsync(context.Uri, ct);
            options.HttpMessageHandlerFactory = _ => server.CreateHandler();
        });
        if (protocol == HubProtocolKind.MessagePack)
            builder.AddMessagePackProtocol();
        return builder.Build();
    }

    public static async Task<HubTestClient> ConnectAsync(PushServerFactory factory, string token, HubProtocolKind protocol, string? userId = null)
    {
        var client = new HubTestClient(Build(factory, token, protocol, userId));
        await client.Connection.StartAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await client.SocketIdReceived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return client;
    }

    public string SocketId => SocketIdReceived.Task.Result;

    /// <summary>Waits for the first event matching, already received or yet to come.</summary>
    public async Task<HubEvent> NextAsync(string name, string? channel = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        while (true)
        {
            if (_events.FirstOrDefault(e => e.Name == name && (channel is null || e.Channel == channel)) is { } found)
                return found;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _arrived.WaitAsync(left))
                throw new TimeoutException($"no '{name}' event{(channel is null ? "" : " on " + channel)}; got: {string.Join(", ", _events.Select(e => e.Name))}");
        }
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}

public sealed record HubEvent(string Channel, string Name, string? Data, string? UserId);

/// <summary>Tokens from the token endpoint, as an app's backend gets them.</summary>
public static class HubTokens
{
    public static async Task<string> IssueAsync(PushServerFactory factory, PushApp app, string? userId = null, object? userInfo = null, string[]? channels = null)
    {
        var response = await factory.CreateClient().PostAsJsonAsync("/api/auth/signalr-token",
            new Dictionary<string, object?> { ["apiKey"] = app.Key, ["apiSecret"] = app.Secret, ["userId"] = userId, ["userInfo"] = userInfo, ["channels"] = channels });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }
}
