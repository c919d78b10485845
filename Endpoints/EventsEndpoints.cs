using Microsoft.AspNetCore.Http.HttpResults;
using SkubberPush.Channels;
using SkubberPush.Json;
using SkubberPush.Json.Rest;
using SkubberPush.Limits;
using SkubberPush.Observability;

namespace SkubberPush.Endpoints;

/// <summary><c>POST /apps/{appId}/events</c> and <c>/batch_events</c>: Pusher's trigger API.</summary>
public static class EventsEndpoints
{
    public static RouteGroupBuilder MapEventsEndpoints(this RouteGroupBuilder apps)
    {
        apps.MapPost("/events", TriggerAsync)
            .WithName("TriggerEvent")
            .WithSummary("Trigger an event on one or more channels")
            .DocumentsJsonBody<EventRequest>()
            .Produces<ErrorBody>(StatusCodes.Status413PayloadTooLarge)
            .Produces<ErrorBody>(StatusCodes.Status429TooManyRequests);
        apps.MapPost("/batch_events", TriggerBatchAsync)
            .WithName("TriggerBatch")
            .WithSummary("Trigger up to 10 events in one request")
            .DocumentsJsonBody<BatchRequest>()
            .Produces<ErrorBody>(StatusCodes.Status413PayloadTooLarge)
            .Produces<ErrorBody>(StatusCodes.Status429TooManyRequests);
        return apps;
    }

    private static async Task<Results<Ok<TriggerResponse>, JsonHttpResult<ErrorBody>>> TriggerAsync(
        HttpContext http, EventPublisher publisher, ChannelRegistry registry, TriggerRateLimiter rates, MessageQuota quota, PushMetrics metrics)
    {
        var request = http.GetApiRequest();
        var body = RequestBody.Parse(request.Body, PushJsonContext.Default.EventRequest, out var parseError);
        if (parseError is not null)
            return parseError.ToResult();
        if (TriggerValidator.Validate(body!, request.App.Limits, batchItem: false, out var command) is { } invalid)
            return invalid.ToResult();
        if (CheckLimits(request.App, rates, quota, metrics) is { } limited)
            return limited.ToResult();

        quota.CountPublished(request.App.Id, command!.Channels.Length);
        await publisher.PublishAsync(request.App.Id, command!.Channels, command.Name, command.Data, command.SocketId, http.RequestAborted);
        if (!command.Info.Any)
            return TypedResults.Ok(new TriggerResponse(null));
        var channels = registry.For(request.App.Id);
        var info = new Dictionary<string, ChannelAttributes>(command.Channels.Length, StringComparer.Ordinal);
        foreach (var channel in command.Channels)
            info[channel.Value] = Attributes(channels, channel, command.Info);
        return TypedResults.Ok(new TriggerResponse(info));
    }

    private static async Task<Results<Ok<BatchResponse>, JsonHttpResult<ErrorBody>>> TriggerBatchAsync(
        HttpContext http, EventPublisher publisher, ChannelRegistry registry, TriggerRateLimiter rates, MessageQuota quota, PushMetrics metrics)
    {
        var request = http.GetApiRequest();
        var body = RequestBody.Parse(request.Body, PushJsonContext.Default.BatchRequest, out var parseError);
        if (parseError is not null)
            return parseError.ToResult();
        var items = body!.Batch;
        if (items is null || items.Length == 0)
            return ApiError.BadRequest("'batch' must list at least one event").ToResult();
        if (items.Length > request.App.Limits.MaxBatchSize)
            return ApiError.BadRequest($"Too many events in batch: {items.Length}, at most {request.App.Limits.MaxBatchSize}").ToResult();

        // All or nothing: every item is checked before the first is published.
        var commands = new TriggerCommand[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            if (items[i] is null)
                return ApiError.BadRequest($"batch[{i}] must be an event object").ToResult();
            if (TriggerValidator.Validate(items[i], request.App.Limits, batchItem: true, out var command) is { } invalid)
                return (invalid with { Message = $"batch[{i}]: {invalid.Message}" }).ToResult();
            commands[i] = command!;
        }

        if (CheckLimits(request.App, rates, quota, metrics) is { } limited)
            return limited.ToResult();

        quota.CountPublished(request.App.Id, commands.Length);
        var channels = registry.For(request.App.Id);
        var results = new ChannelAttributes[commands.Length];
        for (var i = 0; i < commands.Length; i++)
        {
            var command = commands[i];
            await publisher.PublishAsync(request.App.Id, command.Channels, command.Name, command.Data, command.SocketId, http.RequestAborted);
            results[i] = Attributes(channels, command.Channels[0], command.Info);
        }
        return TypedResults.Ok(new BatchResponse(results));
    }

    // Quotas come last in Pusher's check order, after the request is known to be valid.
    private static ApiError? CheckLimits(Apps.PushApp app, TriggerRateLimiter rates, MessageQuota quota, PushMetrics metrics)
    {
        if (!rates.TryAcquire(app))
        {
            metrics.RateLimited("rest_triggers");
            return new ApiError(StatusCodes.Status429TooManyRequests, $"Trigger rate limit exceeded: at most {app.Limits.MaxTriggersPerSecond} requests per second");
        }
        if (quota.IsExceeded(app))
        {
            metrics.RateLimited("daily_quota");
            return new ApiError(StatusCodes.Status429TooManyRequests, $"Daily message quota exceeded: at most {app.Limits.MaxMessagesPerDay} messages per UTC day");
        }
        return null;
    }

    // On triggers an attribute the channel type lacks is left out, not an error (pusher-compat §9.5).
    private static ChannelAttributes Attributes(AppChannels channels, ChannelName channel, InfoAttributes info)
    {
        var stats = channels.GetStats(channel.Value);
        return new ChannelAttributes(
            info.UserCount && channel.IsPresence ? stats.UserCount : null,
            info.SubscriptionCount ? stats.SubscriptionCount : null);
    }
}
