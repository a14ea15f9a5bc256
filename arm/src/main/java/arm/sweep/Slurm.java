package arm.sweep;

import arm.io.AtomicFile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Slurm executor: one job-array script per submission, one array task per run, each running
 * {@code arm run-one} into the run's own folder (which resumes the run from its checkpoint when a
 * task is pre-empted and the run submitted again). slurm/jobs.json maps job ids to their runs.
 */
public final class Slurm {
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A submitted array: its job id, script and the run of each array index. */
    public record Job(String id, String script, List<String> runs) {}

    /** A line of squeue (-r: one per array task) or sacct. */
    public record Task(String jobId, String state, String runId) {}

    private Slurm() {}

    /**
     * The job-array script running {@code runs}.
     *
     * @param settings #SBATCH values: partition, time, mem, cpusPerTask, gpusPerTask, account, qos,
     *     maxParallel (tasks at a time)
     * @param java the java command line up to and including the main class
     */
    public static String script(
            String name,
            SweepRoot root,
            List<String> runs,
            Map<String, String> settings,
            List<String> java,
            String data) {
        StringBuilder s = new StringBuilder("#!/bin/bash\n");
        s.append("#SBATCH --job-name=").append(jobName(name)).append('\n');
        String max = settings.get("maxParallel");
        s.append("#SBATCH --array=0-")
                .append(runs.size() - 1)
                .append(max != null ? "%" + max : "")
                .append('\n');
        s.append("#SBATCH --output=")
                .append(root.dir().toAbsolutePath().resolve("slurm"))
                .append("/%A_%a.out\n");
        sbatch(s, "partition", settings.get("partition"));
        sbatch(s, "account", settings.get("account"));
        sbatch(s, "qos", settings.get("qos"));
        sbatch(s, "time", settings.get("time"));
        sbatch(s, "mem", settings.get("mem"));
        sbatch(s, "cpus-per-task", settings.getOrDefault("cpusPerTask", "1"));
        sbatch(s, "gpus-per-task", settings.get("gpusPerTask"));
        s.append("# One run of ")
                .append(root.file().toAbsolutePath())
                .append(" per array task, into its own folder\n");
        s.append("# under ")
                .append(root.dir().toAbsolutePath())
                .append("; a run whose folder holds a checkpoint continues from it.\n");
        s.append("# ARM_JAVA=/path/to/java overrides the JVM (the JDK must be 17 or newer).\n");
        s.append("set -euo pipefail\nRUNS=(\n");
        for (String r : runs) s.append("  ").append(r).append('\n');
        s.append(")\n");
        List<String> cmd = new ArrayList<>();
        cmd.add("\"${ARM_JAVA:-" + java.get(0).replace("\"", "") + "}\"");
        for (String a : java.subList(1, java.size())) cmd.add(Launch.quote(a));
        cmd.addAll(
                List.of(
                        "run-one",
                        Launch.quote(root.file().toAbsolutePath().toString()),
                        "--out",
                        Launch.quote(root.dir().toAbsolutePath().toString())));
        if (data != null) cmd.addAll(List.of("--data", Launch.quote(data)));
        cmd.add("--run \"${RUNS[$SLURM_ARRAY_TASK_ID]}\"");
        s.append("exec ").append(String.join(" \\\n  ", cmd)).append('\n');
        return s.toString();
    }

    private static void sbatch(StringBuilder s, String key, String value) {
        if (value != null && !value.isBlank())
            s.append("#SBATCH --").append(key).append('=').append(value.trim()).append('\n');
    }

    public static String jobName(String name) {
        return "arm-"
                + (name == null || name.isEmpty()
                        ? "sweep"
                        : name.replaceAll("[^A-Za-z0-9._-]", "-"));
    }

    /** Writes the script under slurm/ and submits it with sbatch; returns the job. */
    public static Job submit(SweepRoot root, String text, List<String> runs) throws IOException {
        Path dir = root.dir().resolve("slurm");
        Files.createDirectories(dir);
        List<Job> jobs = jobs(root);
        Path script = dir.resolve("array-" + (jobs.size() + 1) + ".sh");
        AtomicFile.write(script, text.getBytes(StandardCharsets.UTF_8));
        Out r = exec(List.of("sbatch", "--parsable", script.toAbsolutePath().toString()), 60);
        if (r.code != 0)
            throw new IOException("sbatch failed (exit " + r.code + "): " + r.text.strip());
        String id = r.text.strip().split(";")[0].strip();
        if (!id.matches("\\d+"))
            throw new IOException("sbatch answered '" + r.text.strip() + "', not a job id");
        Job job = new Job(id, script.toString(), List.copyOf(runs));
        List<Job> all = new ArrayList<>(jobs);
        all.add(job);
        AtomicFile.write(
                dir.resolve("jobs.json"),
                JSON.writeValueAsString(all).getBytes(StandardCharsets.UTF_8));
        return job;
    }

    /** The jobs submitted for this root so far (slurm/jobs.json). */
    public static List<Job> jobs(SweepRoot root) {
        Path f = root.dir().resolve("slurm").resolve("jobs.json");
        if (!Files.isRegularFile(f)) return List.of();
        try {
            List<Job> out = new ArrayList<>();
            for (JsonNode j : JSON.readTree(f.toFile())) {
                List<String> runs = new ArrayList<>();
                j.path("runs").forEach(x -> runs.add(x.asText()));
                out.add(new Job(j.path("id").asText(), j.path("script").asText(), runs));
            }
            return out;
        } catch (IOException e) {
            throw new SweepError("cannot read " + f + ": " + e.getMessage());
        }
    }

    /** What squeue lists of these jobs, one task per line; null when squeue cannot be run. */
    public static List<Task> squeue(List<Job> jobs) {
        Out r = exec(List.of("squeue", "-h", "-r", "-o", "%i|%T"), 30);
        if (r.code != 0) return null;
        return tasks(jobs, r.text.lines().toList());
    }

    /**
     * What sacct knows of these jobs, or a line saying why it knows nothing (without accounting
     * storage: "Slurm accounting storage is disabled").
     */
    public static Object sacct(List<Job> jobs) {
        if (jobs.isEmpty()) return List.of();
        String ids = String.join(",", jobs.stream().map(Job::id).toList());
        Out r = exec(List.of("sacct", "-n", "-P", "-X", "-j", ids, "-o", "JobID,State"), 30);
        if (r.code != 0 || r.text.contains("accounting storage is disabled"))
            return r.text.isBlank()
                    ? "sacct failed (exit " + r.code + ")"
                    : r.text.strip().lines().findFirst().orElse("");
        return tasks(jobs, r.text.lines().toList());
    }

    /** "JOB_TASK|STATE" lines → tasks with their run ids; other jobs' lines are left out. */
    static List<Task> tasks(List<Job> jobs, List<String> lines) {
        Map<String, Job> byId = new LinkedHashMap<>();
        for (Job j : jobs) byId.put(j.id(), j);
        List<Task> out = new ArrayList<>();
        for (String line : lines) {
            String[] p = line.strip().split("\\|");
            if (p.length < 2) continue;
            String[] jt = p[0].split("_", 2);
            Job j = byId.get(jt[0]);
            if (j == null) continue;
            String run = null;
            if (jt.length == 2 && jt[1].matches("\\d+")) {
                int i = Integer.parseInt(jt[1]);
                if (i < j.runs().size()) run = j.runs().get(i);
            }
            out.add(new Task(p[0], p[1].strip(), run));
        }
        return out;
    }

    record Out(int code, String text) {}

    static Out exec(List<String> cmd, int seconds) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] b = p.getInputStream().readAllBytes();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Out(124, cmd.get(0) + " did not answer in " + seconds + " s");
            }
            return new Out(p.exitValue(), new String(b, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Out(127, cmd.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Out(130, "interrupted");
        }
    }
}
