using MfaHost.Pipeline;
using MfaHost.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace MfaHost.Tests.Protocol;

/// <summary>A real host and socket whose authentication pipeline is a mock: the protocol layer alone under test.</summary>
internal static class MockedPipelineHost
{
    public static async Task<RunningHost> StartAsync(
        Mock<IAuthenticationPipeline> pipeline,
        string? hostConfiguration = null,
        FakeTimeProvider? time = null,
        Action<IServiceCollection>? services = null)
    {
        using var empty = new TempDirectory();
        return await RunningHost.StartAsync(empty.Path, new Dictionary<string, string>(), hostConfiguration, s =>
        {
            s.AddSingleton(pipeline.Object);
            if (time is not null)
            {
                s.AddSingleton<TimeProvider>(time);
            }

            services?.Invoke(s);
        });
    }

    public static Mock<IAuthenticationPipeline> Accepting(string identity = "alice")
    {
        var pipeline = new Mock<IAuthenticationPipeline>();
        pipeline.Setup(p => p.AuthenticateAsync(It.IsAny<AuthenticationRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new AuthenticationOutcome(PluginSdk.MfaVerdict.Accept(), identity));
        return pipeline;
    }

    public const string Authenticate = """{"jsonrpc":"2.0","id":1,"method":"authenticate","params":{"plugin":"p","session_id":"s1","username":"alice"}}""";

    public static string AuthenticateLine(object id, string sessionId) =>
        $$$"""{"jsonrpc":"2.0","id":{{{id}}},"method":"authenticate","params":{"plugin":"p","session_id":"{{{sessionId}}}","username":"alice"}}""";
}
