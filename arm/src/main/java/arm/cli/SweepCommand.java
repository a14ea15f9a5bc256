package arm.cli;

import arm.sweep.ExperimentFile;
import arm.sweep.Launch;
import arm.sweep.LocalExecutor;
import arm.sweep.Plan;
import arm.sweep.RunFolder;
import arm.sweep.RunSpec;
import arm.sweep.Slurm;
import arm.sweep.SweepError;
import arm.sweep.SweepRoot;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code arm sweep FILE}: every run of an experiment file, each into its own folder under the
 * output root, on this machine ({@code --executor local}) or as one Slurm job array ({@code
 * slurm}); runs that are finished (or queued) are not started again. {@code --status} says where
 * each run stands; {@code --dry-run} prints what would run.
 */
@Command(
        name = "sweep",
        mixinStandardHelpOptions = true,
        description =
                "Run every run of an experiment file (arm experiment list: the built-in ones), each"
                        + " into its own folder, locally or as a Slurm job array; then arm report"
                        + " merges them.")
final class SweepCommand implements Callable<Integer> {
    private final Main.Context ctx;

    @Mixin ExperimentTarget target;

    @Option(
            names = "--executor",
            paramLabel = "local|slurm",
            defaultValue = "local",
            description =
                    "local: on this machine, --jobs runs at a time; slurm: one job array, submitted"
                            + " with sbatch (default: ${DEFAULT-VALUE})")
    String executor;

    @Option(
            names = "--jobs",
            paramLabel = "N",
            description =
                    "local: runs at a time (default: the file's jobs, else"
                            + " the number of cores; 1 with device cuda)")
    Integer jobs;

    @Option(
            names = "--dry-run",
            description =
                    "print the runs (and the Slurm script) without running or writing anything")
    boolean dryRun;

    @Option(
            names = "--status",
            description =
                    "print each run's state (done, running, failed, pending) from its folder,"
                            + " squeue and sacct")
    boolean status;

    @Option(
            names = "--partition",
            paramLabel = "P",
            description = "slurm: #SBATCH --partition (else the file's slurm.partition)")
    String partition;

    @Option(
            names = "--time",
            paramLabel = "T",
            description = "slurm: #SBATCH --time per task, e.g. 01:00:00")
    String time;

    @Option(
            names = "--mem",
            paramLabel = "M",
            description = "slurm: #SBATCH --mem per task, e.g. 2G")
    String mem;

    @Option(
            names = "--cpus-per-task",
            paramLabel = "N",
            description = "slurm: #SBATCH --cpus-per-task (default 1)")
    String cpus;

    @Option(
            names = "--gpus-per-task",
            paramLabel = "N",
            description = "slurm: #SBATCH --gpus-per-task")
    String gpus;

    @Option(
            names = "--max-parallel",
            paramLabel = "N",
            description = "slurm: array tasks at a time (--array=…%%N)")
    String maxParallel;

    SweepCommand(Main.Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws InterruptedException {
        if (!executor.equals("local") && !executor.equals("slurm"))
            throw new UsageError("--executor must be local or slurm, got '" + executor + "'");
        ExperimentFile f;
        List<RunSpec> runs;
        SweepRoot root;
        try {
            f = ExperimentFile.load(target.file);
            runs = Plan.expand(f);
            Plan.validate(runs);
            root = target.root(f);
        } catch (SweepError e) {
            throw new UsageError(e.getMessage());
        }
        if (status) return status(root, runs);
        int j =
                jobs != null
                        ? jobs
                        : f.jobs() != null
                                ? f.jobs()
                                : "cuda".equals(f.device())
                                        ? 1
                                        : Runtime.getRuntime().availableProcessors();
        if (j < 1) throw new UsageError("--jobs must be at least 1, got " + j);
        Map<String, RunFolder.Status> st = statuses(root, runs);
        List<RunSpec> todo =
                runs.stream()
                        .filter(
                                r ->
                                        st.get(r.id()) == RunFolder.Status.failed
                                                || st.get(r.id()) == RunFolder.Status.pending
                                                        && !queued(r.id()))
                        .toList();
        String dataDir = target.dataDir(f);
        ctx.out()
                .printf(
                        "arm sweep %s: %d runs, %d finished, %d running or queued, %d to run;"
                                + " output root %s%n",
                        f.describe(),
                        runs.size(),
                        count(st, RunFolder.Status.done),
                        runs.size() - todo.size() - count(st, RunFolder.Status.done),
                        todo.size(),
                        root.dir().toAbsolutePath());
        if (dryRun) {
            for (RunSpec r : runs)
                ctx.out()
                        .printf(
                                "  %-8s %-48s %s, seed %d%n",
                                st.get(r.id()), r.id(), r.row(), r.seed());
            if (executor.equals("slurm") && !todo.isEmpty())
                ctx.out().print("\n" + script(f, root, todo, dataDir));
            return 0;
        }
        try {
            root.prepare(f, runs);
        } catch (SweepError e) {
            throw new UsageError(e.getMessage());
        }
        if (executor.equals("slurm")) {
            if (todo.isEmpty()) {
                ctx.out().println("Nothing to submit.");
                return 0;
            }
            String text = script(f, root, todo, dataDir);
            try {
                Slurm.Job job = Slurm.submit(root, text, todo.stream().map(RunSpec::id).toList());
                ctx.out()
                        .printf(
                                "Submitted job array %s (%d tasks): %s%nFollow it with: arm sweep"
                                        + " --status %s --out %s%n",
                                job.id(), todo.size(), job.script(), target.file, root.dir());
                return 0;
            } catch (IOException e) {
                throw new UsageError(e.getMessage());
            }
        }
        int failed = LocalExecutor.run(root, todo, j, dataDir, ctx.out());
        int code =
                ReportCommand.report(ctx, List.of(root.dir()), root.dir().resolve("report"), false);
        if (failed > 0) {
            ctx.err()
                    .printf(
                            "arm: %d run(s) failed (logs in %s); arm sweep %s again resumes them%n",
                            failed, root.dir().resolve("logs"), target.file);
            return Main.EXIT_RUN_FAILED;
        }
        return code;
    }

    private List<Slurm.Task> queue;

    /** Statuses from the folders, with squeue's word for the runs it lists. */
    private Map<String, RunFolder.Status> statuses(SweepRoot root, List<RunSpec> runs) {
        Map<String, RunFolder.Status> st = root.statuses(runs);
        List<Slurm.Job> jobs = Slurm.jobs(root);
        queue = jobs.isEmpty() ? List.of() : Slurm.squeue(jobs);
        if (queue == null) return st;
        for (Slurm.Task t : queue) {
            if (t.runId() == null
                    || !st.containsKey(t.runId())
                    || st.get(t.runId()) == RunFolder.Status.done) continue;
            st.put(
                    t.runId(),
                    t.state().equals("PENDING")
                            ? RunFolder.Status.pending
                            : RunFolder.Status.running);
        }
        // a Slurm run that its folder calls running but squeue no longer lists has stopped
        for (RunSpec r : runs)
            if (st.get(r.id()) == RunFolder.Status.running
                    && RunFolder.state(root.run(r.id())).hasNonNull("slurmJob")
                    && queue.stream().noneMatch(t -> r.id().equals(t.runId())))
                st.put(r.id(), RunFolder.Status.failed);
        return st;
    }

    private boolean queued(String id) {
        return queue != null && queue.stream().anyMatch(t -> id.equals(t.runId()));
    }

    private int status(SweepRoot root, List<RunSpec> runs) {
        Map<String, RunFolder.Status> st = statuses(root, runs);
        ctx.out()
                .printf(
                        "%s: %d done, %d running, %d failed, %d pending (of %d)%n",
                        root.dir(),
                        count(st, RunFolder.Status.done),
                        count(st, RunFolder.Status.running),
                        count(st, RunFolder.Status.failed),
                        count(st, RunFolder.Status.pending),
                        runs.size());
        for (RunSpec r : runs) {
            var s = RunFolder.state(root.run(r.id()));
            String where =
                    s.hasNonNull("slurmJob")
                            ? " slurm " + s.get("slurmJob").asText()
                            : s.hasNonNull("host")
                                    ? " "
                                            + s.get("host").asText()
                                            + " pid "
                                            + s.path("pid").asText()
                                    : "";
            ctx.out().printf("  %-8s %-48s %s%s%n", st.get(r.id()), r.id(), r.row(), where);
        }
        List<Slurm.Job> jobs = Slurm.jobs(root);
        if (!jobs.isEmpty()) {
            ctx.out()
                    .println(
                            "squeue:"
                                    + (queue == null
                                            ? " not available"
                                            : queue.isEmpty()
                                                    ? " none of this sweep's tasks"
                                                    : ""));
            if (queue != null)
                for (Slurm.Task t : queue)
                    ctx.out().printf("  %-12s %-10s %s%n", t.jobId(), t.state(), t.runId());
            Object acct = Slurm.sacct(jobs);
            if (acct instanceof String why)
                ctx.out().println("sacct: " + why + " (status from the folders and squeue)");
            else {
                ctx.out().println("sacct:");
                for (Object o : (List<?>) acct)
                    if (o instanceof Slurm.Task t)
                        ctx.out().printf("  %-12s %-10s %s%n", t.jobId(), t.state(), t.runId());
            }
        }
        return 0;
    }

    private String script(ExperimentFile f, SweepRoot root, List<RunSpec> todo, String dataDir) {
        Map<String, String> s = new LinkedHashMap<>(f.slurm());
        put(s, "partition", partition);
        put(s, "time", time);
        put(s, "mem", mem);
        put(s, "cpusPerTask", cpus);
        put(s, "gpusPerTask", gpus);
        put(s, "maxParallel", maxParallel);
        return Slurm.script(
                f.name(),
                root,
                todo.stream().map(RunSpec::id).toList(),
                s,
                Launch.javaCommand(
                        f.benchmark(), todo.stream().map(RunSpec::method).toList(), s.get("mem")),
                dataDir);
    }

    private static void put(Map<String, String> m, String k, String v) {
        if (v != null) m.put(k, v);
    }

    private static int count(Map<String, RunFolder.Status> st, RunFolder.Status s) {
        return (int) st.values().stream().filter(x -> x == s).count();
    }

    static List<String> ids(List<RunSpec> runs) {
        return new ArrayList<>(runs.stream().map(RunSpec::id).toList());
    }
}
