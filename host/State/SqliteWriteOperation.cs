using Microsoft.Data.Sqlite;

namespace MfaHost.State;

/// <summary>A write waiting for the writer loop; its result is released only after its transaction commits.</summary>
internal abstract class SqliteWriteOperation
{
    public abstract void Run(SqliteStateConnection connection);

    public abstract void Complete();

    public abstract void Fail(Exception exception);
}

/// <summary>A write returning <typeparamref name="T"/>.</summary>
internal sealed class SqliteWriteOperation<T>(Func<SqliteStateConnection, T> write) : SqliteWriteOperation
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T _result = default!;
    private Exception? _error;

    public Task<T> Task => _completion.Task;

    // A failing statement fails its own caller only and the rest of the batch commits, unless SQLite ended the
    // transaction because of it (a full disk): then the whole batch fails with that error.
    public override void Run(SqliteStateConnection connection)
    {
        try
        {
            _result = write(connection);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is not (5 or 6) && connection.InTransaction)
        {
            _error = e;
        }
    }

    public override void Complete()
    {
        if (_error is null)
        {
            _completion.TrySetResult(_result);
        }
        else
        {
            _completion.TrySetException(_error);
        }
    }

    public override void Fail(Exception exception) => _completion.TrySetException(exception);
}
