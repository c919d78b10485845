namespace SkubberPush.Hosting;

/// <summary>Whether the server takes new connections: not before it has started, not while it drains.</summary>
public sealed class ServerState
{
    private volatile bool _started;
    private volatile bool _draining;

    public bool Ready => _started && !_draining;

    public bool Draining => _draining;

    public void Started() => _started = true;

    public void BeginDraining() => _draining = true;
}
