namespace SkubberPush.Bench;

/// <summary>The measured server, seen from /proc: CPU time (its own, not ours) and resident memory.</summary>
public sealed class ServerProcess(int pid)
{
    private static readonly double TickMicroseconds = 1_000_000.0 / 100; // CLK_TCK is 100 on Linux

    /// <summary>utime + stime of the server, in microseconds (10 ms resolution).</summary>
    public double CpuMicroseconds()
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11]) + long.Parse(fields[12])) * TickMicroseconds; // fields 14 and 15
    }

    public long RssKilobytes()
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        return 0;
    }
}
