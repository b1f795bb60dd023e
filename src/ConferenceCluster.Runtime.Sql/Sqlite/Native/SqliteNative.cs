using System.Reflection;
using System.Runtime.InteropServices;

// Never the current directory or the application's folder: the system's copy of SQLite is the one we mean.
[assembly: DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]

namespace ConferenceCluster.Runtime.Sql.Sqlite.Native;

/// <summary>
/// The few entry points of the system SQLite library the store needs (Debian's libsqlite3-0). Bound with
/// source-generated P/Invoke because the package feed has no usable Microsoft.Data.Sqlite (SQLitePCLRaw 2.1+
/// is missing), and one C library is a smaller dependency than a provider stack.
/// </summary>
internal static partial class SqliteNative
{
    /// <summary>A logical name: <see cref="Resolve"/> maps it to the file the platform ships.</summary>
    private const string LibraryName = "sqlite3";

    // Debian ships only the versioned soname (libsqlite3.so.0) unless the -dev package is installed.
    private static readonly string[] LibraryCandidates =
        OperatingSystem.IsWindows() ? ["winsqlite3", "sqlite3"]
        : OperatingSystem.IsMacOS() ? ["libsqlite3.dylib"]
        : ["libsqlite3.so.0", "libsqlite3.so"];

    // An explicit static constructor runs before the first P/Invoke of this class, so the resolver is in place in time.
    static SqliteNative() => NativeLibrary.SetDllImportResolver(typeof(SqliteNative).Assembly, Resolve);

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != LibraryName)
            return IntPtr.Zero;
        foreach (var candidate in LibraryCandidates)
        {
            if (NativeLibrary.TryLoad(candidate, assembly, searchPath, out var handle))
                return handle;
        }
        throw new DllNotFoundException(
            $"SQLite was not found (tried {string.Join(", ", LibraryCandidates)}); on Debian install libsqlite3-0.");
    }

    public const int SQLITE_OK = 0;
    public const int SQLITE_BUSY = 5;
    public const int SQLITE_LOCKED = 6;
    public const int SQLITE_ROW = 100;
    public const int SQLITE_DONE = 101;

    public const int SQLITE_OPEN_READWRITE = 0x00000002;
    public const int SQLITE_OPEN_CREATE = 0x00000004;
    public const int SQLITE_OPEN_FULLMUTEX = 0x00010000;

    public const int SQLITE_NULL = 5;

    /// <summary>Tells SQLite to copy a bound buffer before the call returns, so the buffer can be freed right after.</summary>
    public static readonly IntPtr SQLITE_TRANSIENT = new(-1);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int sqlite3_open_v2(string filename, out SqliteConnectionHandle db, int flags, IntPtr vfs);

    /// <summary>The _v2 variant: if statements are still alive it defers the close until the last is finalized.</summary>
    [LibraryImport(LibraryName)]
    public static partial int sqlite3_close_v2(IntPtr db);

    [LibraryImport(LibraryName)]
    public static partial int sqlite3_busy_timeout(SqliteConnectionHandle db, int milliseconds);

    [LibraryImport(LibraryName)]
    public static partial IntPtr sqlite3_errmsg(SqliteConnectionHandle db);

    [LibraryImport(LibraryName)]
    public static partial IntPtr sqlite3_errstr(int resultCode);

    [LibraryImport(LibraryName)]
    public static partial int sqlite3_extended_errcode(SqliteConnectionHandle db);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int sqlite3_exec(SqliteConnectionHandle db, string sql, IntPtr callback, IntPtr argument, out IntPtr errorMessage);

    [LibraryImport(LibraryName)]
    public static partial void sqlite3_free(IntPtr memory);

    [LibraryImport(LibraryName)]
    public static partial int sqlite3_changes(SqliteConnectionHandle db);

    /// <summary>Non-zero when no transaction is open (SQLite may have rolled one back by itself after an error).</summary>
    [LibraryImport(LibraryName)]
    public static partial int sqlite3_get_autocommit(SqliteConnectionHandle db);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int sqlite3_prepare_v2(SqliteConnectionHandle db, string sql, int byteCount, out SqliteStatementHandle statement, IntPtr tail);

    [LibraryImport(LibraryName)]
    public static partial int sqlite3_finalize(IntPtr statement);

    [LibraryImport(LibraryName)]
    public static partial int sqlite3_reset(SqliteStatementHandle statement);

    [LibraryImport(LibraryName)]
    public static partial int sqlite3_step(SqliteStatementHandle statement);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int sqlite3_bind_parameter_index(SqliteStatementHandle statement, string name);

    [LibraryImport(LibraryName)]
    public static partial int sqlite3_bind_int64(SqliteStatementHandle statement, int index, long value);

    [LibraryImport(LibraryName)]
    public static unsafe partial int sqlite3_bind_text(SqliteStatementHandle statement, int index, byte* text, int byteCount, IntPtr destructor);

    [LibraryImport(LibraryName)]
    public static partial int sqlite3_bind_null(SqliteStatementHandle statement, int index);

    [LibraryImport(LibraryName)]
    public static partial int sqlite3_column_type(SqliteStatementHandle statement, int column);

    [LibraryImport(LibraryName)]
    public static partial long sqlite3_column_int64(SqliteStatementHandle statement, int column);

    [LibraryImport(LibraryName)]
    public static unsafe partial byte* sqlite3_column_text(SqliteStatementHandle statement, int column);

    [LibraryImport(LibraryName)]
    public static partial int sqlite3_column_bytes(SqliteStatementHandle statement, int column);
}
