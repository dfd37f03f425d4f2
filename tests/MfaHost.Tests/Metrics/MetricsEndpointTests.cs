using System.Net;
using System.Text.Json;
using MfaHost.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace MfaHost.Tests.Metrics;

[TestFixture]
public sealed class MetricsEndpointTests
{
    [Test]
    public async Task The_counters_move_while_logins_go_through_the_socket()
    {
        await using var host = await MetricsTestHost.StartAsync();
        using var http = new HttpClient { BaseAddress = MetricsTestHost.Address(host) };
        var before = await http.GetStringAsync("/metrics");
        Assert.That(PrometheusText.Value(before, "mfahost_decisions_total", ("instance", "probe_ok")), Is.Null);

        await MetricsTestHost.AuthenticateAsync(host);
        var after = await http.GetStringAsync("/metrics");

        Assert.Multiple(() =>
        {
            Assert.That(PrometheusText.Value(after, "mfahost_decisions_total", ("instance", "probe_ok"), ("verdict", "ACCEPT"), ("reason", "accepted")), Is.EqualTo(3));
            Assert.That(PrometheusText.Value(after, "mfahost_decisions_total", ("instance", "probe_no"), ("verdict", "DENY")), Is.EqualTo(2));
            Assert.That(PrometheusText.Value(after, "mfahost_authenticate_duration_seconds_count", ("instance", "probe_ok"), ("verdict", "ACCEPT")), Is.EqualTo(3));
            Assert.That(PrometheusText.Value(after, "mfahost_request_duration_seconds_count", ("method", "authenticate")), Is.EqualTo(5));
            Assert.That(PrometheusText.Value(after, "mfahost_plugin_load_failures_total", ("instance", "broken"), ("type", "throwing")), Is.EqualTo(1));
            Assert.That(PrometheusText.Value(after, "mfahost_instances", ("status", "loaded")), Is.EqualTo(2));
            Assert.That(PrometheusText.Value(after, "mfahost_instances", ("status", "failed")), Is.GreaterThanOrEqualTo(1));
            Assert.That(PrometheusText.Value(after, "mfahost_circuit_state", ("instance", "probe_ok")), Is.EqualTo(0));
            Assert.That(PrometheusText.Value(after, "mfahost_sessions_tracked"), Is.EqualTo(5));
            Assert.That(PrometheusText.Value(after, "mfahost_requests_in_flight"), Is.EqualTo(0));
            Assert.That(PrometheusText.Value(after, "mfahost_conversations_open"), Is.EqualTo(0));
            Assert.That(PrometheusText.Value(after, "mfahost_reloads_total", ("result", "failed")), Is.EqualTo(0));
            Assert.That(PrometheusText.Value(after, "mfahost_audit_write_failures_total"), Is.EqualTo(0));
        });
        Assert.That(after, Does.Not.Contain(MetricsTestHost.User).And.Not.Contain(MetricsTestHost.Otp).And.Not.Contain("192.0.2.7"));
    }

    [Test]
    public async Task The_stats_method_reports_the_same_figures_without_user_names()
    {
        await using var host = await MetricsTestHost.StartAsync();
        await MetricsTestHost.AuthenticateAsync(host);
        await using var client = await host.CreateClientAsync();

        var stats = await client.CallAsync("stats");

        var raw = stats.GetRawText();
        Assert.That(raw, Does.Not.Contain(MetricsTestHost.User).And.Not.Contain(MetricsTestHost.Otp));
        var accepted = stats.GetProperty("series").EnumerateArray().Single(s =>
            s.GetProperty("name").GetString() == "mfahost.decisions"
            && s.GetProperty("labels").GetProperty("instance").GetString() == "probe_ok");
        var latency = stats.GetProperty("latency").EnumerateArray().Select(l => l.GetProperty("instance").GetString()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(accepted.GetProperty("labels").GetProperty("verdict").GetString(), Is.EqualTo("ACCEPT"));
            Assert.That(accepted.GetProperty("value").GetDouble(), Is.EqualTo(3));
            Assert.That(latency, Is.EqualTo(new[] { "probe_no", "probe_ok" }));
            Assert.That(stats.GetProperty("version").ValueKind, Is.EqualTo(JsonValueKind.String));
        });
    }

    [Test]
    public async Task A_request_naming_another_host_is_refused()
    {
        // A page elsewhere could point a DNS name at 127.0.0.1 and read the status page through the browser.
        await using var host = await MetricsTestHost.StartAsync();
        using var http = new HttpClient { BaseAddress = MetricsTestHost.Address(host) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Host = "rebound.example";

        using var response = await http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task The_page_forbids_scripts_and_other_origins()
    {
        await using var host = await MetricsTestHost.StartAsync();
        using var http = new HttpClient { BaseAddress = MetricsTestHost.Address(host) };

        using var response = await http.GetAsync("/");

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
            Assert.That(string.Join(";", response.Headers.GetValues("Content-Security-Policy")), Does.Contain("default-src 'none'"));
        });
    }

    [Test]
    public async Task A_refused_reload_counts_the_reload_and_the_instance_that_failed_to_load()
    {
        await using var host = await MetricsTestHost.StartAsync();
        using var http = new HttpClient { BaseAddress = MetricsTestHost.Address(host) };
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(host.ConfigPath)!, "plugins", "late.ini"), "[plugin]\ntype = throwing\n");

        var reload = await host.RunCliAsync(["reload", "--socket", host.SocketPath]);
        var text = await http.GetStringAsync("/metrics");

        Assert.That(reload.ExitCode, Is.EqualTo(2), reload.Output);
        Assert.Multiple(() =>
        {
            Assert.That(PrometheusText.Value(text, "mfahost_plugin_load_failures_total", ("instance", "late"), ("type", "throwing")), Is.EqualTo(1));
            Assert.That(PrometheusText.Value(text, "mfahost_reloads_total", ("result", "failed")), Is.EqualTo(1));
            Assert.That(PrometheusText.Value(text, "mfahost_reloads_total", ("result", "ok")), Is.EqualTo(0));
        });
    }

    [Test]
    public void A_port_in_use_stops_the_start_naming_the_option()
    {
        using var busy = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;

        var e = Assert.ThrowsAsync<MfaHost.Vocabulary.HostStartupException>(() => MetricsTestHost.StartAsync($"listen = 127.0.0.1:{port}"));

        Assert.That(e!.Message, Does.Contain($"cannot listen on 127.0.0.1:{port} ([metrics] listen)"));
    }

    [Test]
    public async Task Without_listen_nothing_listens_and_stats_still_answers()
    {
        await using var host = await Protocol.TestPluginHost.StartAsync(MetricsTestHost.Instances);
        await MetricsTestHost.AuthenticateAsync(host);
        await using var client = await host.CreateClientAsync();

        var stats = await client.CallAsync("stats");

        Assert.Multiple(() =>
        {
            Assert.That(host.Services.GetRequiredService<MetricsHttpListener>().Address, Is.Null);
            Assert.That(stats.GetProperty("series").EnumerateArray().Any(s => s.GetProperty("name").GetString() == "mfahost.decisions"), Is.True);
        });
    }
}
