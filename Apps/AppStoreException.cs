namespace SkubberPush.Apps;

/// <summary>A store operation the caller can fix (duplicate id or key); the message says what.</summary>
public sealed class AppStoreException(string message) : Exception(message);
