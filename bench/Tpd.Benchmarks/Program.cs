using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Tpd.Benchmarks -- --filter '*'   (results: BenchmarkDotNet.Artifacts/results)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
