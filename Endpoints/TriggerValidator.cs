using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SkubberPush.Apps;
using SkubberPush.Channels;
using SkubberPush.Json;
using SkubberPush.Json.Rest;

namespace SkubberPush.Endpoints;

/// <summary>
/// Pusher's rules for a trigger (pusher-compat §2.2, §2.3): names, channel count, data size,
/// <c>socket_id</c> shape, encrypted channels alone. A request is valid as a whole or not at all.
/// </summary>
public static partial class TriggerValidator
{
    [GeneratedRegex(@"^\d+\.\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex SocketIdPattern();

    public static bool IsValidSocketId(string? socketId) => socketId is not null && SocketIdPattern().IsMatch(socketId);

    /// <summary>
    /// Validates a <c>/events</c> body (<paramref name="batchItem"/> false) or one batch item;
    /// null and a command when valid, otherwise the error to answer.
    /// </summary>
    public static ApiError? Validate(EventRequest request, AppLimits limits, bool batchItem, out TriggerCommand? command)
    {
        command = null;
        if (request.Name is null)
            return ApiError.BadRequest("Missing 'name'");
        if (!EventName.TryValidate(request.Name, out var nameError))
            return ApiError.BadRequest(nameError);
        if (request.Data is not { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } data)
            return ApiError.BadRequest("Missing 'data'");

        string[] names;
        if (request.Channels is { } list)
        {
            if (batchItem && list.Length != 1)
                return ApiError.BadRequest("A batch event names exactly one channel, in 'channel'");
            names = list;
        }
        else if (request.Channel is { } single)
            names = [single];
        else
            return ApiError.BadRequest("Missing 'channel' or 'channels'");
        if (names.Length == 0)
            return ApiError.BadRequest("'channels' must not be empty");
        if (names.Length > limits.MaxChannelsPerTrigger)
            return ApiError.BadRequest($"Too many channels: {names.Length}, at most {limits.MaxChannelsPerTrigger}");

        var channels = new List<ChannelName>(names.Length);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!ChannelName.TryParse(name, out var channel, out var channelError))
                return ApiError.BadRequest(channelError);
            if (seen.Add(channel.Value))
                channels.Add(channel);
        }
        if (channels.Count > 1 && channels.Exists(c => c.Kind == ChannelKind.PrivateEncrypted))
            return ApiError.BadRequest("An encrypted channel must be the only channel of a trigger");

        if (request.SocketId is not null && !IsValidSocketId(request.SocketId))
            return ApiError.BadRequest($"Invalid socket_id '{request.SocketId}': expected digits.digits");

        // Pusher sends data as a string; anything else travels as its compact JSON text.
        var text = data.ValueKind == JsonValueKind.String
            ? data.GetString()!
            : JsonSerializer.Serialize(data, PushJsonContext.Wire.JsonElement);
        var bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > limits.MaxEventPayloadBytes)
            return new ApiError(StatusCodes.Status413PayloadTooLarge, $"Event data too large: {bytes} bytes, at most {limits.MaxEventPayloadBytes}");

        command = new TriggerCommand(request.Name, text, [.. channels], request.SocketId, InfoAttributes.Parse(request.Info));
        return null;
    }
}
