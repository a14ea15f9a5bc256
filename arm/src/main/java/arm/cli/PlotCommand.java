package arm.cli;

import arm.report.Report;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code arm plot DIR}: redraws a results folder's figures and report.md without training. */
@Command(
        name = "plot",
        mixinStandardHelpOptions = true,
        description =
                "Redraw the figures (Figs. 2, 3, 4, 7, GEN's generated samples) and report.md of a"
                        + " results folder from its"
                        + " results.json and side files; no training.")
final class PlotCommand implements Callable<Integer> {
    private final Main.Context ctx;

    @Parameters(
            index = "0",
            paramLabel = "DIR",
            description = "a results folder written by reproduce or train")
    Path dir;

    @Option(
            names = "--all-runs",
            description = "draw every run (default: the first run of every method)")
    boolean allRuns;

    PlotCommand(Main.Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        Report.Written w;
        try {
            w = Report.write(dir, allRuns);
        } catch (IOException e) {
            throw new UsageError("cannot plot " + dir + ": " + e.getMessage(), e);
        } catch (
                RuntimeException
                        e) { // a side file the checks let through: still one line, no content
            throw new UsageError(
                    "cannot plot "
                            + dir
                            + ": a damaged file ("
                            + e.getClass().getSimpleName()
                            + ")",
                    e);
        }
        for (String section : w.gradientTables()) ctx.out().println(section);
        for (Path p : w.figures()) ctx.out().println("wrote " + p);
        ctx.out().println("wrote " + w.report());
        return 0;
    }
}
