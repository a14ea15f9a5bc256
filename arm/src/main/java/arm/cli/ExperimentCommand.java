package arm.cli;

import arm.sweep.ExperimentFile;
import arm.sweep.Plan;
import arm.sweep.RunSpec;
import arm.sweep.SweepError;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code arm experiment list|show NAME|runs FILE}: the built-in experiment files and what a file
 * expands to.
 */
@Command(
        name = "experiment",
        mixinStandardHelpOptions = true,
        description =
                "The built-in experiment files (reproduce mnist|cifar10|miniimagenet, the paper's"
                    + " Tables 1, 5, 6, 7 and Fig. 6): list them, print one (copy it to edit it),"
                    + " or list the runs a file expands to.")
final class ExperimentCommand implements Callable<Integer> {
    private final Main.Context ctx;

    @Parameters(index = "0", paramLabel = "ACTION", description = "list, show or runs")
    String action;

    @Parameters(
            index = "1",
            arity = "0..1",
            paramLabel = "NAME|FILE",
            description = "a built-in name or a file")
    String name;

    ExperimentCommand(Main.Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        try {
            switch (action) {
                case "list" -> {
                    for (String n : ExperimentFile.BUILT_IN) {
                        ExperimentFile f = ExperimentFile.load(n);
                        ctx.out()
                                .printf(
                                        "%-13s %4d runs  %s%n",
                                        n, Plan.expand(f).size(), f.title());
                    }
                }
                case "show" -> {
                    if (name == null)
                        throw new UsageError(
                                "experiment show needs a NAME ("
                                        + String.join(", ", ExperimentFile.BUILT_IN)
                                        + ")");
                    String text = ExperimentFile.builtInText(name);
                    ctx.out().print(text != null ? text : ExperimentFile.load(name).source());
                }
                case "runs" -> {
                    if (name == null) throw new UsageError("experiment runs needs a NAME or FILE");
                    List<RunSpec> runs = Plan.expand(ExperimentFile.load(name));
                    for (RunSpec r : runs)
                        ctx.out().printf("%-48s %-24s seed %d%n", r.id(), r.row(), r.seed());
                }
                default ->
                        throw new UsageError(
                                "unknown action '" + action + "' (list, show or runs)");
            }
            return 0;
        } catch (SweepError e) {
            throw new UsageError(e.getMessage());
        }
    }
}
