using System.Text.Json.Serialization;

namespace SkubberPush.Json.Rest;

/// <summary><c>{}</c>, or <c>{"channels":{...}}</c> when the trigger asked for <c>info</c>.</summary>
public sealed record TriggerResponse(
    [property: JsonPropertyName("channels"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    Dictionary<string, ChannelAttributes>? Channels);
