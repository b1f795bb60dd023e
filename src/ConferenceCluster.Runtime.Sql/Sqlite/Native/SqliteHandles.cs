using System.Runtime.InteropServices;

namespace ConferenceCluster.Runtime.Sql.Sqlite.Native;

/// <summary>An open <c>sqlite3*</c>; released with sqlite3_close_v2.</summary>
internal sealed class SqliteConnectionHandle : SafeHandle
{
    public SqliteConnectionHandle() : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle() => SqliteNative.sqlite3_close_v2(handle) == SqliteNative.SQLITE_OK;
}

/// <summary>A prepared <c>sqlite3_stmt*</c>; released with sqlite3_finalize.</summary>
internal sealed class SqliteStatementHandle : SafeHandle
{
    public SqliteStatementHandle() : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    // finalize reports the error of the statement's last step, not a failure to free it: the handle is gone either way.
    protected override bool ReleaseHandle()
    {
        SqliteNative.sqlite3_finalize(handle);
        return true;
    }
}
