using Microsoft.AspNetCore.Http.HttpResults;
using SkubberPush.Channels;
using SkubberPush.Json.Rest;
using static System.StringComparison;

namespace SkubberPush.Endpoints;

/// <summary>Pusher's channel queries: occupied channels, one channel's info, a presence roster.</summary>
public static class ChannelsEndpoints
{
    public static RouteGroupBuilder MapChannelsEndpoints(this RouteGroupBuilder apps)
    {
        apps.MapGet("/channels", ListChannels)
            .WithName("ListChannels")
            .WithSummary("List occupied channels, optionally filtered by prefix")
            .WithDescription("Query: filter_by_prefix, info=user_count (needs a presence- prefix) and/or subscription_count.");
        apps.MapGet("/channels/{channelName}", GetChannel)
            .WithName("GetChannel")
            .WithSummary("Whether a channel is occupied, with its counts or cached event")
            .WithDescription("Query: info=user_count (presence only), subscription_count, cache (cache channels only).");
        apps.MapGet("/channels/{channelName}/users", GetUsers)
            .WithName("GetPresenceUsers")
            .WithSummary("The distinct users of a presence channel");
        return apps;
    }

    private static Results<Ok<ChannelsResponse>, JsonHttpResult<ErrorBody>> ListChannels(HttpContext http, ChannelRegistry registry)
    {
        var request = http.GetApiRequest();
        var prefix = request.Query["filter_by_prefix"];
        var info = InfoAttributes.Parse(request.Query["info"]);
        if (info.UserCount && prefix?.StartsWith("presence-", Ordinal) != true)
            return ApiError.BadRequest("info=user_count needs filter_by_prefix starting with presence-").ToResult();

        var result = new Dictionary<string, ChannelAttributes>(StringComparer.Ordinal);
        foreach (var (name, stats) in registry.For(request.App.Id).ListOccupied(prefix))
            result[name] = new ChannelAttributes(info.UserCount ? stats.UserCount : null, info.SubscriptionCount ? stats.SubscriptionCount : null);
        return TypedResults.Ok(new ChannelsResponse(result));
    }

    private static Results<Ok<ChannelInfoResponse>, Ok<CachedChannelInfoResponse>, JsonHttpResult<ErrorBody>> GetChannel(
        string channelName, HttpContext http, ChannelRegistry registry, TimeProvider time)
    {
        var request = http.GetApiRequest();
        if (!ChannelName.TryParse(channelName, out var channel, out var nameError))
            return ApiError.BadRequest(nameError).ToResult();
        var info = InfoAttributes.Parse(request.Query["info"]);
        if (info.UserCount && !channel.IsPresence)
            return ApiError.BadRequest("info=user_count is only available for presence channels").ToResult();
        if (info.Cache && !channel.IsCache)
            return ApiError.BadRequest("info=cache is only available for cache channels").ToResult();

        var channels = registry.For(request.App.Id);
        var stats = channels.GetStats(channel.Value);
        int? users = info.UserCount ? stats.UserCount : null, subscriptions = info.SubscriptionCount ? stats.SubscriptionCount : null;
        if (!info.Cache)
            return TypedResults.Ok(new ChannelInfoResponse(stats.Occupied, users, subscriptions));
        CachedEventInfo? cache = null;
        if (channels.TryGetCached(channel.Value, out var cached))
            cache = new CachedEventInfo(cached.Data ?? "", (int)Math.Ceiling((cached.ExpiresAt - time.GetUtcNow()).TotalSeconds));
        return TypedResults.Ok(new CachedChannelInfoResponse(stats.Occupied, users, subscriptions, cache));
    }

    private static Results<Ok<UsersResponse>, JsonHttpResult<ErrorBody>> GetUsers(string channelName, HttpContext http, ChannelRegistry registry)
    {
        var request = http.GetApiRequest();
        if (!ChannelName.TryParse(channelName, out var channel, out var nameError))
            return ApiError.BadRequest(nameError).ToResult();
        if (!channel.IsPresence)
            return ApiError.BadRequest($"'{channel.Value}' is not a presence channel; /users lists presence members only").ToResult();
        var ids = registry.For(request.App.Id).PresenceUserIds(channel.Value);
        return TypedResults.Ok(new UsersResponse(Array.ConvertAll(ids, id => new PresenceUser(id))));
    }
}
