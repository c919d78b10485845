using SkubberPush.Channels;

namespace SkubberPush.Endpoints;

/// <summary>One validated event: what to publish, where, to whom not, and what to report back.</summary>
public sealed record TriggerCommand(string Name, string Data, ChannelName[] Channels, string? SocketId, InfoAttributes Info);
