using MfaHost.PluginSdk;
using Microsoft.Data.Sqlite;

namespace TestPlugins.Native;

/// <summary>Accepts every OTP, answering with the version of the SQLite native library it loaded.</summary>
[MfaPlugin("native")]
public sealed class NativeClient : MfaClient
{
    // Microsoft.Data.Sqlite finds its bundle through the application's dependency context, which in a
    // plugin is the host's: a plugin initialises its own copy.
    public NativeClient(MfaPluginContext context)
        : base(context, "Native") => SQLitePCL.Batteries_V2.Init();

    protected override async ValueTask<MfaResult> OtpAsync(MfaRequest request, string otp, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "select sqlite_version()";
        return MfaVerdict.Accept(message: "sqlite " + await command.ExecuteScalarAsync(cancellationToken));
    }
}
