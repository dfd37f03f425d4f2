namespace MfaHost.Kit.Tests;

/// <summary>Where the repository is, seen from a test's output folder.</summary>
internal static class RepositoryLayout
{
    public static string Root { get; } = FindRoot();

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MfaHost.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("MfaHost.sln not found above the test directory");
    }
}
