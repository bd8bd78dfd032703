using System.CommandLine;
using Tpd.Cli.Input;
using Tpd.Cli.Rendering;
using Tpd.Model.Estimate;
using Tpd.Model.Validation;

namespace Tpd.Cli.Commands;

internal static class EstimateCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, IFiles files)
    {
        var o = new EstimateOptions();
        var command = new Command("estimate", "Napkin math done right: does a model fit, how fast, how many users, at what cost, and why.");
        foreach (var option in o.All)
            command.Options.Add(option);

        command.SetAction(r =>
        {
            var errors = new InputErrors();
            var request = EstimateInput.Read(r, o, files, errors);
            if (request is null)
                return ErrorOutput.Write(stderr, errors.All);

            var result = Estimator.Estimate(request);
            // Ideal mode has no efficiency constants to check.
            var check = request.Efficiency.IsIdeal ? null : PublishedCheck.For(request.Gpu, request.Efficiency);
            if (r.GetValue(o.Json))
                EstimateJson.Write(stdout, result, check);
            else
                EstimateReport.Write(Consoles.For(stdout), result, check);
            return result.Fits ? 0 : 1;
        });
        return command;
    }
}
