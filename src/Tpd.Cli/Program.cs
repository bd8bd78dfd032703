using Tpd.Cli;
using Tpd.Cli.Input;

return TpdCli.Run(args, Console.Out, Console.Error, new PhysicalFiles());
