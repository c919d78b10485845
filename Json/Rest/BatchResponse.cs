using System.Text.Json.Serialization;

namespace SkubberPush.Json.Rest;

/// <summary>One attributes object per batch item, index-aligned; <c>{}</c> for items without <c>info</c>.</summary>
public sealed record BatchResponse([property: JsonPropertyName("batch")] ChannelAttributes[] Batch);
