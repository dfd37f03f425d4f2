namespace MfaHost.Plugins.Totp.Import;

/// <summary>
/// Gathers the enrollments and the errors of one import: every error is kept (so one run lists every bad line), a user
/// who appears twice is an error naming both places, and <see cref="Result"/> hands out the enrollments only when there
/// was no error at all.
/// </summary>
internal sealed class ImportCollector
{
    private readonly List<ImportedEnrollment> _enrollments = [];
    private readonly Dictionary<string, string> _sources = new(StringComparer.Ordinal);
    private readonly List<string> _errors = [];

    public void Add(ImportedEnrollment enrollment)
    {
        if (_sources.TryGetValue(enrollment.User, out var first))
        {
            _errors.Add($"{enrollment.Source}: user '{enrollment.User}' appears a second time (first at {first})");
            return;
        }

        _sources.Add(enrollment.User, enrollment.Source);
        _enrollments.Add(enrollment);
    }

    public void Error(string error) => _errors.Add(error);

    public int Count => _enrollments.Count;

    /// <summary>The enrollments read so far, whether or not there were errors.</summary>
    public IReadOnlyList<ImportedEnrollment> Staged => _enrollments;

    public int ErrorCount => _errors.Count;

    /// <exception cref="TotpImportException">Any error: nothing may be imported.</exception>
    public IReadOnlyList<ImportedEnrollment> Result() =>
        _errors.Count > 0 ? throw new TotpImportException(_errors) : _enrollments;
}
