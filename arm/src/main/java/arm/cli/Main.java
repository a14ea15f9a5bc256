package arm.cli;

import java.io.PrintStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code arm} command line.
 *
 * <pre>
 *   arm reproduce mnist|cifar10|miniimagenet [--methods Naive,Stationary,Distill,ADI,ARM] [--runs 5] [--data DIR] [--out DIR]
 *   arm train --method ARM [--dataset mnist|cifar10|miniimagenet] [--runs 1] [--M 20 --lr 0.05 …]
 *   arm plot DIR [--all-runs]
 *   arm sweep FILE [--executor local|slurm] [--status] [--dry-run]; arm run-one FILE --run ID
 *   arm report DIR… [--allow-mixed]; arm experiment list|show|runs NAME
 * </pre>
 *
 * Exit codes: 0 success; 1 a run failed (the finished ones are in the results); 2 bad input (an
 * option, a method option, the data folder or its files), reported as one line.
 */
@Command(
    name = "arm",
    mixinStandardHelpOptions = true,
    version = "arm 0.1.0",
    description = "Automatic Recall Machines (continual learning) in Java: reproduce the paper's tables.")
public final class Main implements Runnable {
  public static final int EXIT_RUN_FAILED = 1, EXIT_BAD_INPUT = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args, MethodFactory.PUBLISHED, System.out, System.err));
  }

  /** Runs the command line with the given method factory and streams; returns the exit code. */
  public static int run(String[] args, MethodFactory factory, PrintStream out, PrintStream err) {
    Context ctx = new Context(factory, out, err);
    CommandLine cl = new CommandLine(new Main())
        .addSubcommand("reproduce", new ReproduceCommand(ctx))
        .addSubcommand("train", new TrainCommand(ctx))
        .addSubcommand("plot", new PlotCommand(ctx))
        .addSubcommand("experiment", new ExperimentCommand(ctx))
        .addSubcommand("run-one", new RunOneCommand(ctx))
        .addSubcommand("sweep", new SweepCommand(ctx))
        .addSubcommand("report", new ReportCommand(ctx));
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setOut(new java.io.PrintWriter(out, true));
    cl.setErr(new java.io.PrintWriter(err, true));
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof UsageError) {
        err.println("arm: " + e.getMessage());
        return EXIT_BAD_INPUT;
      }
      err.println("arm: unexpected error: " + e);
      e.printStackTrace(err);
      return EXIT_RUN_FAILED;
    });
    return cl.execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "missing command: reproduce, train or plot (see arm --help)");
  }

  /** What the subcommands share. */
  record Context(MethodFactory factory, PrintStream out, PrintStream err) {}
}
