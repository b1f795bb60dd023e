using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;

namespace ConferenceCluster.Storage.Tests.Contract;

/// <summary>
/// Orleans 10.4.2's own ADO.NET reminder table (internal to Microsoft.Orleans.Reminders.AdoNet, so resolved the way a
/// silo resolves it: <c>UseAdoNetReminderService</c> on a service collection), driven against our schema: the
/// behaviours Orleans' ReminderTableTestsBase checks, and the etag rule we added. Each test has a service id of its own.
/// </summary>
public sealed class ReminderContractTests(SchemaDatabase schema) : IClassFixture<SchemaDatabase>
{
    private static readonly DateTime Start = new(2026, 12, 7, 10, 0, 0, DateTimeKind.Utc); // whole seconds: exact in the database

    [Fact]
    public async Task An_upserted_reminder_reads_back_and_is_removed_only_with_its_current_etag()
    {
        var table = await CreateTableAsync();
        var reminder = NewReminder(NewGrain(), "foo/bar\\#b_a_z?");

        var firstEtag = await table.UpsertRow(reminder);
        var read = await table.ReadRow(reminder.GrainId, reminder.ReminderName);
        Assert.NotNull(read);
        Assert.Equal((reminder.GrainId, reminder.ReminderName, reminder.StartAt, reminder.Period, firstEtag),
            (read.GrainId, read.ReminderName, read.StartAt, read.Period, read.ETag));
        Assert.Null(await table.ReadRow(reminder.GrainId, "no-such-reminder"));

        reminder.StartAt = Start.AddMinutes(5);
        var secondEtag = await table.UpsertRow(reminder);
        Assert.NotEqual(firstEtag, secondEtag);
        Assert.Equal(Start.AddMinutes(5), (await table.ReadRow(reminder.GrainId, reminder.ReminderName))!.StartAt);

        Assert.False(await table.RemoveRow(reminder.GrainId, reminder.ReminderName, firstEtag!), "stale etag");
        Assert.False(await table.RemoveRow(reminder.GrainId, "bla", secondEtag!), "wrong name");
        Assert.True(await table.RemoveRow(reminder.GrainId, reminder.ReminderName, secondEtag!));
        Assert.False(await table.RemoveRow(reminder.GrainId, reminder.ReminderName, secondEtag!), "already removed");
        Assert.Null(await table.ReadRow(reminder.GrainId, reminder.ReminderName));
    }

    [Fact]
    public async Task An_etag_from_a_removed_reminder_cannot_remove_the_reminder_registered_again_under_its_name()
    {
        var table = await CreateTableAsync();
        var reminder = NewReminder(NewGrain(), "again");
        var earlierLife = await table.UpsertRow(reminder);
        Assert.True(await table.RemoveRow(reminder.GrainId, reminder.ReminderName, earlierLife!));

        var laterLife = await table.UpsertRow(reminder);

        Assert.NotEqual(earlierLife, laterLife); // Orleans' own scripts start every new row at etag 0
        Assert.False(await table.RemoveRow(reminder.GrainId, reminder.ReminderName, earlierLife!));
        Assert.NotNull(await table.ReadRow(reminder.GrainId, reminder.ReminderName));
    }

    [Fact]
    public async Task A_grains_reminders_are_its_own_and_a_period_past_int_milliseconds_round_trips()
    {
        var table = await CreateTableAsync();
        var (grain, other) = (NewGrain(), NewGrain());
        var month = NewReminder(grain, "month");
        month.Period = TimeSpan.FromDays(30); // 2.6e9 ms: Orleans binds it as a bigint
        await table.UpsertRow(month);
        await table.UpsertRow(NewReminder(grain, "minute"));
        await table.UpsertRow(NewReminder(other, "minute"));

        var rows = (await table.ReadRows(grain)).Reminders;

        Assert.Equal(["minute", "month"], rows.Select(r => r.ReminderName).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal(grain, r.GrainId));
        Assert.Equal(TimeSpan.FromDays(30), rows.Single(r => r.ReminderName == "month").Period);
    }

    [Fact]
    public async Task Five_parallel_upserts_of_one_reminder_all_succeed_with_five_different_etags()
    {
        var table = await CreateTableAsync();
        var grain = NewGrain();

        var etags = await Task.WhenAll(Enumerable.Range(1, 5).Select(i => Task.Run(() =>
        {
            var reminder = NewReminder(grain, "contended");
            reminder.StartAt = Start.AddSeconds(i);
            return table.UpsertRow(reminder);
        })));

        Assert.Equal(5, etags.Distinct().Count());
        Assert.Single((await table.ReadRows(grain)).Reminders);
    }

    [Fact]
    public async Task Range_reads_return_exactly_the_reminders_whose_hash_is_in_the_unsigned_ring_range()
    {
        var table = await CreateTableAsync();
        const int seed = 20261207;
        Console.WriteLine($"reminder range test seed: {seed}");
        var random = new Random(seed);
        var grains = Enumerable.Range(0, 150).Select(_ => NewGrain()).ToList();
        foreach (var grain in grains)
            await table.UpsertRow(NewReminder(grain, "r"));
        var hashes = grains.Select(g => g.GetUniformHashCode()).ToArray();

        // The whole ring both ways Orleans asks for it, ranges at the reminders' own hashes (the begin excluded, the
        // end included), ranges across 2^31 (where signed order wraps and unsigned does not) and random ranges.
        var below2pow31 = hashes.Where(h => h < 0x8000_0000u).DefaultIfEmpty(0x7FFF_FF00u).Max();
        var above2pow31 = hashes.Where(h => h >= 0x8000_0000u).DefaultIfEmpty(0x8000_0100u).Min();
        var ranges = new List<(uint Begin, uint End)>
        {
            (0, uint.MaxValue), (0, 0), (uint.MaxValue, uint.MaxValue), (hashes[0], hashes[1]), (hashes[1], hashes[0]),
            (below2pow31 - 1, above2pow31), (above2pow31, below2pow31), (below2pow31, above2pow31 - 1),
        };
        for (var i = 0; i < 40; i++)
            ranges.Add(((uint)random.NextInt64(0, 1L << 32), (uint)random.NextInt64(0, 1L << 32)));

        foreach (var (begin, end) in ranges)
        {
            var expected = hashes.Where(h => begin < end ? h > begin && h <= end : h > begin || h <= end).Order().ToList();
            var actual = (await table.ReadRows(begin, end)).Reminders.Select(r => r.GrainId.GetUniformHashCode()).Order().ToList();
            Assert.True(expected.SequenceEqual(actual), $"range ({begin:X8}, {end:X8}]: expected {expected.Count}, got {actual.Count}");
        }
    }

    [Fact]
    public async Task Clearing_the_table_removes_this_services_reminders_and_no_other_services()
    {
        var (mine, theirs) = (await CreateTableAsync(), await CreateTableAsync());
        var (myGrain, theirGrain) = (NewGrain(), NewGrain());
        await mine.UpsertRow(NewReminder(myGrain, "r"));
        await theirs.UpsertRow(NewReminder(theirGrain, "r"));

        await mine.TestOnlyClearTable();

        Assert.Empty((await mine.ReadRows(myGrain)).Reminders);
        Assert.Single((await theirs.ReadRows(theirGrain)).Reminders);
    }

    /// <summary>The ADO.NET reminder table of a service of its own, started as the silo's reminder service starts it.</summary>
    private async Task<IReminderTable> CreateTableAsync()
    {
        var services = new ServiceCollection();
        services.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = ("contract", "reminders-" + Guid.NewGuid().ToString("N")[..12]));
        services.UseAdoNetReminderService(o => o.Configure(options => (options.Invariant, options.ConnectionString) = ("Npgsql", schema.ConnectionString)));
        var table = services.BuildServiceProvider().GetRequiredService<IReminderTable>();
        using var startGuard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await table.StartAsync(startGuard.Token);
        return table;
    }

    private static GrainId NewGrain() =>
        GrainId.Create(GrainType.Create("contract-remindable"), GrainIdKeyExtensions.CreateGuidKey(Guid.NewGuid(), "foo/bar\\#baz?"));

    private static ReminderEntry NewReminder(GrainId grain, string name) =>
        new() { GrainId = grain, ReminderName = name, StartAt = Start, Period = TimeSpan.FromMinutes(1) };
}
