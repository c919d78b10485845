namespace SkubberPush.Channels;

/// <summary>An app's rules for client events, as the relay needs them.</summary>
public readonly record struct ClientEventPolicy(bool Enabled, int MaxPayloadBytes, int PerSecond);
