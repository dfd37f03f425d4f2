using MfaHost.Benchmarks;

return await BenchmarkProgram.RunAsync(args);
