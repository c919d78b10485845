using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using SkubberPush.Apps;
using SkubberPush.Auth;
using SkubberPush.Channels;
using SkubberPush.Json;
using SkubberPush.Json.Wire;
using SkubberPush.Limits;
using SkubberPush.Observability;

namespace SkubberPush.Hubs;

/// <summary>
/// The SignalR hub at <c>/push</c> (contract §3). Every argument is a string, so the JSON and
/// MessagePack protocols and Native AOT stay simple. Hubs live per call: the connection's state
/// is its <see cref="HubSubscriber"/> in <c>Context.Items</c>.
/// </summary>
public sealed partial class PushHub(ChannelRegistry registry, AppCatalog catalog, SocketIdGenerator socketIds,
    ClientEventGate clientEvents, PushMetrics metrics, OutboxScheduler scheduler, ILogger<PushHub> logger) : Hub
{
    public const string Path = "/push";
    public const string ConnectedMethod = "connected";

    public override async Task OnConnectedAsync()
    {
        var socket = Context.Features.Get<HubSocket>();
        var identity = socket?.Identity ?? HubClaims.FromPrincipal(Context.User);
        if (identity is null || !catalog.TryGetById(identity.AppId, out var app) || !app.Enabled)
        {
            Context.Abort();
            return;
        }
        var channels = registry.For(app.Id);
        var connection = (HubConnectionContext)Context.Items[PushHubLifetimeManager.ConnectionKey]!;
        var counters = metrics.For(app.Id, PushMetrics.SignalR);
        HubSubscriber subscriber = socket is not null
            ? new HubSocketSubscriber(socketIds.Next(), socket, connection.Protocol, identity, counters, logger)
            : new HubPipelineSubscriber(socketIds.Next(), connection, identity, counters, scheduler, logger);
        if (!channels.TryConnect(subscriber, app.Limits.MaxConnections))
        {
            metrics.RateLimited("connection_quota");
            Context.Abort();
            return;
        }
        Context.Items[typeof(HubSubscriber)] = subscriber;
        subscriber.Counters.ConnectionOpened();
        LogOpened(subscriber.SocketId, app.Id);
        // Only a user proven by the token's sub may receive #server-to-user events or be terminated.
        if (identity.UserVerified)
            channels.SignIn(subscriber, identity.UserId!);
        await subscriber.StartAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        if (Context.Items.TryGetValue(typeof(HubSubscriber), out var item) && item is HubSubscriber subscriber)
        {
            subscriber.Complete();
            registry.For(subscriber.Identity.AppId).Disconnect(subscriber);
            subscriber.Counters.ConnectionClosed();
            LogClosed(subscriber.SocketId, subscriber.Identity.AppId);
        }
        return Task.CompletedTask;
    }

    /// <summary>Public channels, and private or presence channels the token's <c>channels</c> claim grants.</summary>
    public Task Subscribe(string channel)
    {
        var (subscriber, app) = Caller();
        var identity = subscriber.Identity;
        return JoinAsync(subscriber, app, channel, name =>
            ChannelAuthorizer.ByGrant(identity.Channels, name, identity.UserId, identity.UserInfo, app.Limits.MaxUserInfoBytes, out var member) is { } failure
                ? (failure, null)
                : (null, member));
    }

    /// <summary>The same with a Pusher channel signature over <c>socketId:channel[:channelData]</c>.</summary>
    public Task SubscribeWithAuth(string channel, string? auth, string? channelData)
    {
        var (subscriber, app) = Caller();
        var identity = subscriber.Identity;
        var user = identity.UserId is null ? null : new PresenceMember(identity.UserId, identity.UserInfo);
        return JoinAsync(subscriber, app, channel, name =>
            ChannelAuthorizer.BySignature(app, subscriber.SocketId, name, auth, channelData, user, out var member) is { } failure
                ? (failure, null)
                : (null, member));
    }

    public Task Unsubscribe(string channel)
    {
        var (subscriber, app) = Caller();
        registry.For(app.Id).Unsubscribe(subscriber, channel);
        return Task.CompletedTask;
    }

    /// <summary>A client event: <c>client-</c> prefix, private or presence channel, not echoed, rate limited.</summary>
    public async Task Trigger(string channel, string eventName, string data)
    {
        var (subscriber, app) = Caller();
        if (await clientEvents.SendAsync(app, subscriber, channel, eventName, data, Context.ConnectionAborted) is { } rejected)
            throw new HubException($"{rejected.Code ?? 4301}: {rejected.Message}");
    }

    private async Task JoinAsync(HubSubscriber subscriber, PushApp app, string channel,
        Func<ChannelName, (SubscriptionFailure? Failure, PresenceMember? Member)> authorize)
    {
        if (!ChannelName.TryParse(channel, out var name, out var invalid))
        {
            await FailAsync(subscriber, channel, SubscriptionFailure.InvalidChannel(invalid));
            return;
        }
        var (failure, member) = authorize(name);
        if (failure is not null)
        {
            await FailAsync(subscriber, channel, failure);
            return;
        }
        if (name.Kind == ChannelKind.ServerToUser)
            subscriber.Deliver(new OutboundEvent(name.Value, InternalEvents.SubscriptionSucceeded, "{}")); // delivery is by user already
        else if (registry.For(app.Id).Subscribe(subscriber, name, member, app.Limits.MaxPresenceMembers) == SubscribeOutcome.PresenceFull)
        {
            await FailAsync(subscriber, channel, SubscriptionFailure.PresenceFull(name.Value, app.Limits.MaxPresenceMembers));
            return;
        }
        // The contract: Subscribe completes after the succeeded event has been sent.
        await subscriber.FlushAsync();
    }

    private static async Task FailAsync(HubSubscriber subscriber, string channel, SubscriptionFailure failure)
    {
        var data = JsonSerializer.Serialize(new SubscriptionErrorData(failure.Type, failure.Message, failure.Status), PushJsonContext.Wire.SubscriptionErrorData);
        subscriber.Deliver(new OutboundEvent(channel, InternalEvents.SubscriptionError, data));
        await subscriber.FlushAsync();
        throw new HubException($"{failure.Code}: {failure.Message}");
    }

    private (HubSubscriber Subscriber, PushApp App) Caller()
    {
        var subscriber = (HubSubscriber)Context.Items[typeof(HubSubscriber)]!;
        if (!catalog.TryGetById(subscriber.Identity.AppId, out var app) || !app.Enabled)
            throw new HubException("4003: the app is disabled or gone");
        return (subscriber, app);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Hub connection {SocketId} opened for app {AppId}")]
    private partial void LogOpened(string socketId, string appId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Hub connection {SocketId} of app {AppId} closed")]
    private partial void LogClosed(string socketId, string appId);
}
