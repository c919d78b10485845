using System.Text.Json.Serialization;

namespace SkubberPush.Json.Rest;

public sealed record BatchRequest([property: JsonPropertyName("batch")] EventRequest[]? Batch);
