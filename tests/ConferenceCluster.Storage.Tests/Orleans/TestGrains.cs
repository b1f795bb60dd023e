namespace ConferenceCluster.Storage.Tests.Orleans;

/// <summary>A grain whose state lives in the ADO.NET grain storage named <see cref="TestSilo.StorageName"/>.</summary>
[Alias("storage-tests.INoteGrain")]
public interface INoteGrain : IGrainWithStringKey
{
    Task WriteAsync(string text);

    Task<string?> ReadAsync();

    /// <summary>Deactivates after this call, so that the next call reads the state from storage again.</summary>
    Task ForgetAsync();
}

[GenerateSerializer, Alias("storage-tests.NoteState")]
public sealed class NoteState
{
    [Id(0)] public string? Text { get; set; }
}

public sealed class NoteGrain([PersistentState("note", TestSilo.StorageName)] IPersistentState<NoteState> note) : Grain, INoteGrain
{
    public async Task WriteAsync(string text)
    {
        note.State.Text = text;
        await note.WriteStateAsync();
    }

    public Task<string?> ReadAsync() => Task.FromResult(note.State.Text);

    public Task ForgetAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}

/// <summary>A grain with a reminder in the ADO.NET reminder table; it counts the ticks it received.</summary>
[Alias("storage-tests.IAlarmGrain")]
public interface IAlarmGrain : IGrainWithStringKey
{
    Task ArmAsync(TimeSpan dueTime);

    Task<bool> IsArmedAsync();

    Task<int> TicksAsync();
}

public sealed class AlarmGrain : Grain, IAlarmGrain, IRemindable
{
    public const string ReminderName = "alarm";
    private int _ticks;

    public Task ArmAsync(TimeSpan dueTime) => this.RegisterOrUpdateReminder(ReminderName, dueTime, TimeSpan.FromMinutes(1));

    public async Task<bool> IsArmedAsync() => await this.GetReminder(ReminderName) is not null;

    public Task<int> TicksAsync() => Task.FromResult(_ticks);

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == ReminderName)
            _ticks++;
        return Task.CompletedTask;
    }
}
