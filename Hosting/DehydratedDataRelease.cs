using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SkubberPush.Hosting;

/// <summary>
/// Hands the page cache back the executable's dehydrated type data once the runtime has expanded
/// it. Native AOT stores the type data compressed in the file and writes it out to memory as the
/// process starts; after that the compressed copy (~4 MB here) is never read again but stays
/// resident, because start-up read all of it. Like a kernel freeing its init sections, we drop
/// those pages from the process (<c>MADV_DONTNEED</c>; the file stays in the page cache). Were a
/// page read again, the kernel would fault it back in from the file, so this is safe either way.
/// Linux and Native AOT only; anything unexpected in the layout and it does nothing.
/// </summary>
public static partial class DehydratedDataRelease
{
    private const uint ReadyToRunSignature = 0x00525452; // "RTR"
    private const int DehydratedDataSection = 207;       // ReadyToRunSectionType.DehydratedData
    private const int HasEndPointer = 1;                 // ModuleInfoFlags.HasEndPointer
    private const int MadvDontNeed = 4;

    /// <summary>Releases the data once the server has started (its start-up no longer needs it).</summary>
    public static void ReleaseWhenStarted(WebApplication app) => app.Lifetime.ApplicationStarted.Register(() =>
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DehydratedDataRelease));
        if (Release() is var (start, length))
            Released(logger, length / 1024, start, start + length);
        else
            NothingReleased(logger);
    });

    /// <summary>The released range, or null when there was nothing to release.</summary>
    private static (nint Start, nint Length)? Release()
    {
        if (RuntimeFeature.IsDynamicCodeSupported || !OperatingSystem.IsLinux())
            return null;
        try
        {
            if (FindDehydratedData() is not var (start, end))
                return null;
            // Only whole pages inside the range: its neighbours hold data still in use.
            var pageSize = Environment.SystemPageSize;
            var first = (start + pageSize - 1) & ~(nint)(pageSize - 1);
            var last = end & ~(nint)(pageSize - 1);
            if (last <= first || madvise(first, (nuint)(last - first), MadvDontNeed) != 0)
                return null;
            return (first, last - first);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // /proc unreadable (a sandbox): keep the pages, as any other build would.
            return null;
        }
    }

    /// <summary>
    /// The executable's <c>__modules</c> section points at its ReadyToRun header, whose section
    /// table gives the dehydrated data's start and end.
    /// </summary>
    private static (nint Start, nint End)? FindDehydratedData()
    {
        if (FindSection("/proc/self/exe", "__modules") is not var (address, positionIndependent))
            return null;
        if (positionIndependent)
        {
            if (LoadBase() is not { } loadBase)
                return null;
            address += loadBase;
        }
        var header = Marshal.ReadIntPtr(address);
        if (header == 0 || (uint)Marshal.ReadInt32(header) != ReadyToRunSignature)
            return null;
        int sections = (ushort)Marshal.ReadInt16(header, 12);
        int entrySize = Marshal.ReadByte(header, 14);
        if (entrySize != 8 + 2 * IntPtr.Size)
            return null;
        for (var i = 0; i < sections; i++)
        {
            var row = header + 16 + i * entrySize;
            if (Marshal.ReadInt32(row) != DehydratedDataSection)
                continue;
            if ((Marshal.ReadInt32(row, 4) & HasEndPointer) == 0)
                return null;
            var start = Marshal.ReadIntPtr(row, 8);
            var end = Marshal.ReadIntPtr(row, 8 + IntPtr.Size);
            return end > start ? (start, end) : null;
        }
        return null;
    }

    /// <summary>
    /// A section's address from the ELF section headers; in a position-independent executable it
    /// is relative to where the file was loaded.
    /// </summary>
    private static (nint Address, bool PositionIndependent)? FindSection(string path, string name)
    {
        using var file = File.OpenHandle(path);
        Span<byte> elf = stackalloc byte[64];
        if (RandomAccess.Read(file, elf, 0) != 64 || !elf[..4].SequenceEqual("\u007fELF"u8) || elf[4] != 2 /* 64-bit */)
            return null;
        var sectionTable = (long)BinaryPrimitives.ReadUInt64LittleEndian(elf[0x28..]);
        int entrySize = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3A..]);
        int count = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3C..]);
        int namesIndex = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3E..]);
        if (entrySize < 64 || namesIndex >= count)
            return null;

        var table = new byte[entrySize * count];
        if (RandomAccess.Read(file, table, sectionTable) != table.Length)
            return null;
        var namesHeader = table.AsSpan(namesIndex * entrySize, entrySize);
        var names = new byte[BinaryPrimitives.ReadUInt64LittleEndian(namesHeader[0x20..])];
        if (RandomAccess.Read(file, names, (long)BinaryPrimitives.ReadUInt64LittleEndian(namesHeader[0x18..])) != names.Length)
            return null;

        Span<byte> wanted = stackalloc byte[name.Length + 1];
        System.Text.Encoding.ASCII.GetBytes(name, wanted);
        for (var i = 0; i < count; i++)
        {
            var section = table.AsSpan(i * entrySize, entrySize);
            var nameOffset = (int)BinaryPrimitives.ReadUInt32LittleEndian(section);
            if (nameOffset + wanted.Length <= names.Length && names.AsSpan(nameOffset, wanted.Length).SequenceEqual(wanted))
                return ((nint)BinaryPrimitives.ReadUInt64LittleEndian(section[0x10..]), BinaryPrimitives.ReadUInt16LittleEndian(elf[0x10..]) == 3 /* ET_DYN */);
        }
        return null;
    }

    /// <summary>
    /// Where the executable was loaded: the start of its offset-0 mapping, whose address in the
    /// file is 0 in a position-independent executable.
    /// </summary>
    private static nint? LoadBase()
    {
        var executable = new FileInfo("/proc/self/exe").LinkTarget;
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            // "start-end perms offset dev inode path"
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 6 && fields[5] == executable && fields[2] == "00000000")
                return (nint)Convert.ToInt64(fields[0][..fields[0].IndexOf('-')], 16);
        }
        return null;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Released {Kilobytes} KB of start-up type data at {Start:x}-{End:x}")]
    private static partial void Released(ILogger logger, nint kilobytes, nint start, nint end);

    [LoggerMessage(Level = LogLevel.Debug, Message = "No start-up type data to release")]
    private static partial void NothingReleased(ILogger logger);

    // Blittable, so no marshalling stub; DllImport keeps the project free of unsafe code.
    [DllImport("libc")]
    private static extern int madvise(nint address, nuint length, int advice);
}
