using ConferenceCluster.Runtime.Sql.Sqlite;

namespace ConferenceCluster.Runtime.Sql.Tests;

/// <summary>The native binding on its own, on a private in-memory database.</summary>
public sealed class SqliteBindingTests : IDisposable
{
    private readonly SqliteConnection _connection = SqliteConnection.Open(":memory:", TimeSpan.FromSeconds(1));

    public SqliteBindingTests() => _connection.Execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NULL, n INTEGER NULL)");

    public void Dispose() => _connection.Dispose();

    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("Zürich ✓ \U0001F600")]
    [InlineData("embedded\0nul")]
    public void Text_round_trips_as_utf8(string text)
    {
        Insert(1, text, 0);
        Assert.Equal(text, ReadText(1));
    }

    [Fact]
    public void Text_longer_than_a_small_buffer_round_trips()
    {
        var text = string.Concat(Enumerable.Repeat("αβγ-", 10_000));
        Insert(1, text, 0);
        Assert.Equal(text, ReadText(1));
    }

    [Fact]
    public void Null_is_not_empty()
    {
        Insert(1, null, null);
        Insert(2, "", 0);
        using var statement = _connection.Prepare("SELECT v, n FROM t ORDER BY k");
        Assert.True(statement.Step());
        Assert.True(statement.IsNull(0));
        Assert.Null(statement.GetString(0));
        Assert.True(statement.IsNull(1));
        Assert.True(statement.Step());
        Assert.False(statement.IsNull(0));
        Assert.Equal("", statement.GetString(0));
        Assert.False(statement.Step());
    }

    [Theory]
    [InlineData(long.MinValue)]
    [InlineData(-1L)]
    [InlineData(long.MaxValue)]
    public void Integers_round_trip(long value)
    {
        Insert(1, "x", value);
        using var statement = _connection.Prepare("SELECT n FROM t WHERE k = @k").Bind("@k", 1);
        Assert.True(statement.Step());
        Assert.Equal(value, statement.GetInt64(0));
    }

    [Fact]
    public void Changes_counts_the_rows_of_the_last_write()
    {
        Insert(1, "a", 1);
        Insert(2, "b", 1);
        using var update = _connection.Prepare("UPDATE t SET v = 'c' WHERE n = @n").Bind("@n", 1);
        Assert.Equal(2, update.Execute());
        using var none = _connection.Prepare("UPDATE t SET v = 'c' WHERE n = @n").Bind("@n", 9);
        Assert.Equal(0, none.Execute());
    }

    [Fact]
    public void Errors_carry_sqlite_message_and_code()
    {
        Insert(1, "a", 1);
        var error = Assert.Throws<SqliteException>(() => Insert(1, "again", 1));
        Assert.Contains("UNIQUE constraint failed", error.Message);
        Assert.Equal(19, error.ResultCode & 0xFF); // SQLITE_CONSTRAINT

        Assert.Throws<SqliteException>(() => _connection.Prepare("SELECT nonsense FROM nowhere"));
        Assert.Throws<ArgumentException>(() => _connection.Prepare("SELECT @a").Bind("@b", 1));
    }

    [Fact]
    public void A_transaction_that_throws_is_rolled_back()
    {
        Assert.Throws<InvalidOperationException>(() => _connection.InTransaction<bool>(immediate: true, c =>
        {
            Insert(1, "a", 1);
            throw new InvalidOperationException("boom");
        }));
        Assert.Equal(0, Count());

        // and the connection is usable again, outside any transaction
        _connection.InTransaction(immediate: true, c =>
        {
            Insert(2, "b", 2);
            return (true, true);
        });
        Assert.Equal(1, Count());
    }

    [Fact]
    public void A_transaction_that_declines_to_commit_is_rolled_back()
    {
        _connection.InTransaction(immediate: false, c =>
        {
            Insert(1, "a", 1);
            return (true, false);
        });
        Assert.Equal(0, Count());
    }

    private void Insert(long key, string? text, long? number)
    {
        using var statement = _connection.Prepare("INSERT INTO t (k, v, n) VALUES (@k, @v, @n)").Bind("@k", key).Bind("@v", text);
        if (number is { } n)
            statement.Bind("@n", n);
        else
            statement.Bind("@n", (string?)null);
        statement.Execute();
    }

    private string? ReadText(long key)
    {
        using var statement = _connection.Prepare("SELECT v FROM t WHERE k = @k").Bind("@k", key);
        Assert.True(statement.Step());
        return statement.GetString(0);
    }

    private long Count()
    {
        using var statement = _connection.Prepare("SELECT count(*) FROM t");
        Assert.True(statement.Step());
        return statement.GetInt64(0);
    }
}
