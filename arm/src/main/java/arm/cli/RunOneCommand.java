package arm.cli;

import arm.sweep.ExperimentFile;
import arm.sweep.Plan;
import arm.sweep.RunFolder;
import arm.sweep.RunSpec;
import arm.sweep.SweepError;
import arm.sweep.SweepRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code arm run-one FILE --run ID}: one run of an experiment file into OUT/ID (as {@code arm
 * train} would run it, checkpointing as usual); a folder that holds the run's results.json is
 * resumed from its checkpoint, a finished run is left alone. What a Slurm array task and the local
 * executor run.
 */
@Command(
        name = "run-one",
        mixinStandardHelpOptions = true,
        description =
                "Run one run of an experiment file into its own folder under the output root;"
                        + " resumes it from its checkpoint when the folder holds one.")
final class RunOneCommand implements Callable<Integer> {
    private final Main.Context ctx;

    @Mixin ExperimentTarget target;

    @Option(
            names = "--run",
            required = true,
            paramLabel = "ID",
            description = "the run's id (arm sweep --dry-run lists them)")
    String run;

    RunOneCommand(Main.Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        ExperimentFile f;
        RunSpec spec;
        SweepRoot root;
        try {
            f = ExperimentFile.load(target.file);
            List<RunSpec> runs = Plan.expand(f);
            spec = Plan.find(runs, run);
            root = target.root(f);
            root.prepare(f, runs);
        } catch (SweepError e) {
            throw new UsageError(e.getMessage());
        }
        Path dir = root.run(spec.id());
        if (RunFolder.done(dir)) {
            ctx.out().println("arm: run " + spec.id() + " is finished already (" + dir + ")");
            return 0;
        }
        String dataDir = target.dataDir(f);
        List<String> args;
        if (Files.isRegularFile(dir.resolve("results.json"))) {
            args = new ArrayList<>(List.of("train", "--resume", dir.toString(), "--threads", "1"));
            if (dataDir != null) args.addAll(List.of("--data", dataDir));
        } else {
            args = spec.trainArgs(dir, dataDir);
        }
        note(dir, start(spec));
        Thread hook = new Thread(() -> note(dir, Map.of("state", "cancelled", "finished", now())));
        Runtime.getRuntime().addShutdownHook(hook);
        int code = Main.run(args.toArray(String[]::new), ctx.factory(), ctx.out(), ctx.err());
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            return code; // shutting down: the hook notes the state
        }
        boolean done = code == 0 && RunFolder.done(dir);
        note(dir, Map.of("state", done ? "done" : "failed", "exitCode", code, "finished", now()));
        return code;
    }

    private static Map<String, Object> start(RunSpec spec) {
        Map<String, Object> m = new LinkedHashMap<>(spec.json());
        m.put("state", "running");
        m.put("host", RunFolder.host());
        m.put("pid", ProcessHandle.current().pid());
        String job = System.getenv("SLURM_ARRAY_JOB_ID"),
                task = System.getenv("SLURM_ARRAY_TASK_ID");
        m.put("slurmJob", job != null ? job + "_" + task : System.getenv("SLURM_JOB_ID"));
        m.put("started", now());
        m.put("finished", null);
        m.put("exitCode", null);
        return m;
    }

    private void note(Path dir, Map<String, Object> fields) {
        try {
            RunFolder.note(dir, fields);
        } catch (IOException e) {
            ctx.err()
                    .println(
                            "arm: cannot write "
                                    + dir.resolve(RunFolder.STATE)
                                    + ": "
                                    + e.getMessage());
        }
    }

    private static String now() {
        return OffsetDateTime.now().withNano(0).toString();
    }
}
