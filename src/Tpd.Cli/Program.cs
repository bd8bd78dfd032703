using System.CommandLine;

var root = new RootCommand("tpd: tokens per dollar for LLM inference.");
return root.Parse(args).Invoke();
