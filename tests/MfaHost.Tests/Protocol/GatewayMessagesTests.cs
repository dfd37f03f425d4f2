using System.Text.Json;
using MfaHost.Pipeline;
using MfaHost.PluginSdk;
using MfaHost.Testing;
using Moq;

namespace MfaHost.Tests.Protocol;

/// <summary>The JSON-RPC surface through the real socket, with literal lines as any gateway would send them.</summary>
public class GatewayMessagesTests
{
    private static string Reason(JsonElement message) => message.GetProperty("error").GetProperty("data").GetProperty("reason").GetString()!;

    private static int Code(JsonElement message) => message.GetProperty("error").GetProperty("code").GetInt32();

    [Test]
    public async Task Authenticate_answers_accept_with_identity_token_and_metadata()
    {
        var pipeline = new Mock<IAuthenticationPipeline>();
        AuthenticationRequest? seen = null;
        pipeline.Setup(p => p.AuthenticateAsync(It.IsAny<AuthenticationRequest>(), It.IsAny<CancellationToken>()))
            .Callback<AuthenticationRequest, CancellationToken>((r, _) => seen = r)
            .ReturnsAsync(new AuthenticationOutcome(
                MfaVerdict.Accept(message: "Welcome") with { Metadata = new Dictionary<string, string> { ["api_session"] = "42" } },
                "alice@example.com",
                "signed-token"));
        await using var host = await MockedPipelineHost.StartAsync(pipeline);
        await using var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);

        var answer = await gateway.RequestAsync("""
            {"jsonrpc":"2.0","id":7,"method":"authenticate","params":{"plugin":"totp","session_id":"s1","username":"alice","mfa_identity":"a1","mfa_password":"123456","password":"pw","answer":"x","client_ip":"10.0.0.1","protocol":"ssh","target":"srv","attributes":{"otp":"9"},"some_future_field":{"nested":[1,2]}}}
            """.Trim());

        Assert.That(answer.GetRawText(), Is.EqualTo("""{"jsonrpc":"2.0","id":7,"result":{"verdict":"ACCEPT","reason":"accepted","message":"Welcome","mfa_identity":"alice@example.com","session_token":"signed-token","metadata":{"api_session":"42"}}}"""));
        Assert.That(seen, Is.EqualTo(new AuthenticationRequest
        {
            Plugin = "totp",
            SessionId = "s1",
            Username = "alice",
            MfaIdentity = "a1",
            MfaPassword = "123456",
            Password = "pw",
            Answer = "x",
            ClientIp = "10.0.0.1",
            Protocol = "ssh",
            Target = "srv",
            Attributes = seen!.Attributes,
        }));
        Assert.That(seen.Attributes, Is.EquivalentTo(new Dictionary<string, string> { ["otp"] = "9" }));
    }

    [Test]
    public async Task Needinfo_carries_question_key_and_disable_echo_and_no_identity()
    {
        var pipeline = new Mock<IAuthenticationPipeline>();
        pipeline.Setup(p => p.AuthenticateAsync(It.IsAny<AuthenticationRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new AuthenticationOutcome(MfaVerdict.NeedInfo("One-time password: "), "alice"));
        await using var host = await MockedPipelineHost.StartAsync(pipeline);
        await using var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);

        var answer = await gateway.RequestAsync(MockedPipelineHost.Authenticate);

        Assert.That(answer.GetProperty("result").GetRawText(), Is.EqualTo("""{"verdict":"NEEDINFO","reason":"need_info","message":"","question":"One-time password: ","key":"otp","disable_echo":true}"""));
    }

    [Test]
    public async Task Deny_is_a_result_with_reason_and_identity()
    {
        var pipeline = new Mock<IAuthenticationPipeline>();
        pipeline.Setup(p => p.AuthenticateAsync(It.IsAny<AuthenticationRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new AuthenticationOutcome(MfaVerdict.Deny(), "alice"));
        await using var host = await MockedPipelineHost.StartAsync(pipeline);
        await using var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);

        var answer = await gateway.RequestAsync(MockedPipelineHost.Authenticate);

        Assert.That(answer.GetProperty("result").GetRawText(), Is.EqualTo("""{"verdict":"DENY","reason":"authentication_failed","message":"Authentication failed","mfa_identity":"alice"}"""));
    }

    [TestCase("\"abc\"")]
    [TestCase("\"caf\\u00e9 \\\"quoted\\\"\"")]
    [TestCase("7")]
    [TestCase("-0")]
    [TestCase("1.50")]
    [TestCase("12345678901234567890123")]
    public async Task The_id_is_echoed_exactly_as_sent(string id)
    {
        await using var host = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting());
        await using var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);

        await gateway.SendLineAsync($$"""{"jsonrpc":"2.0","id":{{id}},"method":"health"}""");
        var line = await gateway.ReadLineAsync();

        Assert.That(line, Does.StartWith($$"""{"jsonrpc":"2.0","id":{{id}},"result":"""));
    }

    [TestCase("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"health\"")]
    [TestCase("not json at all")]
    [TestCase("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"health\"} {\"second\":1}")]
    [TestCase("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"health\",}")]
    public async Task A_line_that_is_not_json_is_a_parse_error_with_a_null_id(string line)
    {
        await using var host = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting());
        await using var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);

        var answer = await gateway.RequestAsync(line);

        Assert.Multiple(() =>
        {
            Assert.That(Code(answer), Is.EqualTo(-32700));
            Assert.That(answer.GetProperty("id").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(Reason(answer), Is.EqualTo("parse_error"));
        });

        // The connection still serves.
        Assert.That((await gateway.RequestAsync("""{"jsonrpc":"2.0","id":2,"method":"health"}""")).GetProperty("result").GetProperty("status").GetString(), Is.EqualTo("ok"));
    }

    [TestCase("""{"id":1,"method":"health"}""", "1", "invalid_request")]
    [TestCase("""{"jsonrpc":"1.0","id":1,"method":"health"}""", "1", "invalid_request")]
    [TestCase("""{"jsonrpc":2.0,"id":"a","method":"health"}""", "\"a\"", "invalid_request")]
    [TestCase("""{"jsonrpc":"2.0","id":{"x":1},"method":"health"}""", "null", "invalid_request")]
    [TestCase("""{"jsonrpc":"2.0","id":true,"method":"health"}""", "null", "invalid_request")]
    [TestCase("""{"jsonrpc":"2.0","id":1}""", "1", "invalid_request")]
    [TestCase("""{"jsonrpc":"2.0","id":1,"method":5}""", "1", "invalid_request")]
    [TestCase("""{"jsonrpc":"2.0","id":1,"method":"health","params":"x"}""", "1", "invalid_request")]
    [TestCase("""[{"jsonrpc":"2.0","id":1,"method":"health"}]""", "null", "batch_not_supported")]
    [TestCase("""42""", "null", "invalid_request")]
    public async Task A_json_value_that_is_not_a_request_is_an_invalid_request(string line, string expectedId, string reason)
    {
        await using var host = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting());
        await using var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);

        var answer = await gateway.RequestAsync(line);

        Assert.Multiple(() =>
        {
            Assert.That(Code(answer), Is.EqualTo(-32600));
            Assert.That(answer.GetProperty("id").GetRawText(), Is.EqualTo(expectedId));
            Assert.That(Reason(answer), Is.EqualTo(reason));
        });
    }

    [Test]
    public async Task An_unknown_method_is_method_not_found()
    {
        await using var host = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting());
        await using var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);

        var answer = await gateway.RequestAsync("""{"jsonrpc":"2.0","id":"x1","method":"reboot"}""");

        Assert.Multiple(() =>
        {
            Assert.That(Code(answer), Is.EqualTo(-32601));
            Assert.That(answer.GetProperty("id").GetString(), Is.EqualTo("x1"));
            Assert.That(Reason(answer), Is.EqualTo("unknown_method"));
        });
    }

    [TestCase("""{"session_id":"s1","username":"alice"}""", "missing_field", "'plugin'")]
    [TestCase("""{"plugin":"p","username":"alice"}""", "missing_field", "'session_id'")]
    [TestCase("""{"plugin":"p","session_id":"","username":"alice"}""", "missing_field", "'session_id'")]
    [TestCase("""{"plugin":"p","session_id":"s1"}""", "missing_field", "'username'")]
    [TestCase("""{"plugin":"p","session_id":"s1","username":42}""", "invalid_field", "'username'")]
    [TestCase("""{"plugin":"p","session_id":"s1","username":"alice","attributes":{"a":1}}""", "invalid_field", "'attributes'")]
    [TestCase("""{"plugin":"p","session_id":"s1","username":"alice","mfa_password":["123456"]}""", "invalid_field", "'mfa_password'")]
    [TestCase("""["p","s1","alice"]""", "invalid_params", "object")]
    public async Task Bad_authenticate_params_are_invalid_params_naming_the_field(string parameters, string reason, string messagePart)
    {
        var pipeline = MockedPipelineHost.Accepting();
        await using var host = await MockedPipelineHost.StartAsync(pipeline);
        await using var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);

        var answer = await gateway.RequestAsync($$$"""{"jsonrpc":"2.0","id":3,"method":"authenticate","params":{{{parameters}}}}""");

        Assert.Multiple(() =>
        {
            Assert.That(Code(answer), Is.EqualTo(-32602));
            Assert.That(Reason(answer), Is.EqualTo(reason));
            Assert.That(answer.GetProperty("error").GetProperty("message").GetString(), Does.Contain(messagePart));
            Assert.That(answer.GetProperty("error").GetProperty("message").GetString(), Does.Not.Contain("123456"));
        });
        pipeline.Verify(p => p.AuthenticateAsync(It.IsAny<AuthenticationRequest>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [TestCase(null, "unknown_plugin")]
    [TestCase("its folder has no plugin", "plugin_unavailable")]
    public async Task An_unknown_or_failed_plugin_is_invalid_params_with_its_reason(string? loadError, string reason)
    {
        var pipeline = new Mock<IAuthenticationPipeline>();
        pipeline.Setup(p => p.AuthenticateAsync(It.IsAny<AuthenticationRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new UnknownPluginException("ghost", loadError));
        await using var host = await MockedPipelineHost.StartAsync(pipeline);
        await using var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);

        var answer = await gateway.RequestAsync(MockedPipelineHost.Authenticate);

        Assert.Multiple(() =>
        {
            Assert.That(Code(answer), Is.EqualTo(-32602));
            Assert.That(Reason(answer), Is.EqualTo(reason));
            Assert.That(answer.GetProperty("error").GetProperty("message").GetString(), Does.Contain("ghost"));
        });
    }

    [Test]
    public async Task An_exception_escaping_the_pipeline_is_an_internal_error_without_its_message_and_is_logged_with_its_stack()
    {
        var pipeline = new Mock<IAuthenticationPipeline>();
        pipeline.Setup(p => p.AuthenticateAsync(It.IsAny<AuthenticationRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException("secret-in-message"));
        await using var host = await MockedPipelineHost.StartAsync(pipeline);
        await using var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);

        var line = await gateway.RequestAsync(MockedPipelineHost.Authenticate);

        Assert.Multiple(() =>
        {
            Assert.That(Code(line), Is.EqualTo(-32603));
            Assert.That(Reason(line), Is.EqualTo("internal_error"));
            Assert.That(line.GetRawText(), Does.Not.Contain("secret-in-message"));
            Assert.That(host.Logs.Any(l => l.Contains("[305]", StringComparison.Ordinal) && l.Contains("InvalidOperationException", StringComparison.Ordinal) && l.Contains(" at ", StringComparison.Ordinal)), Is.True, "logged with its stack");
        });
    }

    [Test]
    public async Task Session_ended_answers_whether_the_session_was_known()
    {
        var pipeline = new Mock<IAuthenticationPipeline>();
        pipeline.Setup(p => p.SessionEndedAsync("known", It.IsAny<CancellationToken>())).ReturnsAsync(true);
        pipeline.Setup(p => p.SessionEndedAsync("other", It.IsAny<CancellationToken>())).ReturnsAsync(false);
        await using var host = await MockedPipelineHost.StartAsync(pipeline);
        await using var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);

        var known = await gateway.RequestAsync("""{"jsonrpc":"2.0","id":1,"method":"session_ended","params":{"session_id":"known"}}""");
        var other = await gateway.RequestAsync("""{"jsonrpc":"2.0","id":2,"method":"session_ended","params":{"session_id":"other"}}""");
        var missing = await gateway.RequestAsync("""{"jsonrpc":"2.0","id":3,"method":"session_ended","params":{}}""");

        Assert.Multiple(() =>
        {
            Assert.That(known.GetProperty("result").GetRawText(), Is.EqualTo("""{"ended":true}"""));
            Assert.That(other.GetProperty("result").GetRawText(), Is.EqualTo("""{"ended":false}"""));
            Assert.That(Reason(missing), Is.EqualTo("missing_field"));
        });
    }

    [Test]
    public async Task Health_reports_status_version_uptime_plugins_and_requests_in_flight()
    {
        await using var host = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting());
        await using var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);

        var result = (await gateway.RequestAsync("""{"jsonrpc":"2.0","id":1,"method":"health","params":{"ignored":true}}""")).GetProperty("result");

        Assert.Multiple(() =>
        {
            Assert.That(result.GetProperty("status").GetString(), Is.EqualTo("ok"));
            Assert.That(result.GetProperty("version").GetString(), Is.EqualTo(MfaHost.Vocabulary.HostVersion.Value));
            Assert.That(result.GetProperty("uptime_s").GetInt64(), Is.GreaterThanOrEqualTo(0));
            Assert.That(result.GetProperty("plugins_loaded").GetInt32(), Is.Zero);
            Assert.That(result.GetProperty("in_flight").GetInt32(), Is.Zero);
        });
    }

    [Test]
    public async Task A_notification_runs_and_is_not_answered()
    {
        var pipeline = new Mock<IAuthenticationPipeline>();
        var ended = new TaskCompletionSource<string>();
        pipeline.Setup(p => p.SessionEndedAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Callback<string, CancellationToken>((id, _) => ended.TrySetResult(id))
            .ReturnsAsync(true);
        await using var host = await MockedPipelineHost.StartAsync(pipeline);
        await using var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);

        await gateway.SendLineAsync("""{"jsonrpc":"2.0","method":"session_ended","params":{"session_id":"n1"}}""");
        var next = await gateway.RequestAsync("""{"jsonrpc":"2.0","id":9,"method":"health"}""");

        Assert.That(await ended.Task.WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo("n1"));
        Assert.That(next.GetProperty("id").GetInt32(), Is.EqualTo(9), "the first answer on the line is the health call's");
    }

    [Test]
    public async Task Carriage_returns_and_blank_lines_are_tolerated()
    {
        await using var host = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting());
        await using var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);

        await gateway.SendAsync("\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"health\"}\r\n");

        Assert.That((await gateway.ReadMessageAsync()).GetProperty("id").GetInt32(), Is.EqualTo(1));
    }
}
