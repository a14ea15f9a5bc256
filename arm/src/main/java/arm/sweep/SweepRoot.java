package arm.sweep;

import arm.io.AtomicFile;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sweep's output root:
 *
 * <pre>
 * experiment.yaml   the experiment file as run (what every run-one of the sweep reads)
 * sweep.json        the expanded plan: every run's id and settings (arm report lists the missing ones)
 * &lt;id&gt;/            one folder per run (its results.json, checkpoints/, figures, run.json)
 * logs/&lt;id&gt;.log     the local executor's output of each run
 * slurm/            job-array scripts, their output files, jobs.json (job id → runs)
 * </pre>
 */
public record SweepRoot(Path dir) {
    public static final String FILE = "experiment.yaml", PLAN = "sweep.json";
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public Path run(String id) {
        return dir.resolve(id);
    }

    public Path file() {
        return dir.resolve(FILE);
    }

    /**
     * Writes experiment.yaml and sweep.json, or checks that those already there are this
     * experiment's: an output root holds one experiment, so that its folders never mix two.
     */
    public void prepare(ExperimentFile f, List<RunSpec> runs) {
        try {
            Files.createDirectories(dir);
            Path file = file();
            if (Files.isRegularFile(file)) {
                String old = Files.readString(file);
                if (!old.equals(f.source())) {
                    List<RunSpec> before =
                            Plan.expand(ExperimentFile.parse(old, true, file.toString()));
                    if (!before.stream()
                            .map(RunSpec::id)
                            .toList()
                            .equals(runs.stream().map(RunSpec::id).toList()))
                        throw new SweepError(
                                "output root "
                                        + dir
                                        + " holds another experiment ("
                                        + file
                                        + " differs); choose another output root (--out)");
                }
                return;
            }
            AtomicFile.write(file, f.source().getBytes(StandardCharsets.UTF_8));
            Map<String, Object> plan = new LinkedHashMap<>();
            plan.put("name", f.name());
            plan.put("title", f.title());
            plan.put("benchmark", f.benchmark());
            plan.put("runs", runs.stream().map(RunSpec::json).toList());
            AtomicFile.write(
                    dir.resolve(PLAN),
                    JSON.writeValueAsString(plan).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SweepError("cannot write to output root " + dir + ": " + e.getMessage());
        }
    }

    /** Each run's status from the folders alone. */
    public Map<String, RunFolder.Status> statuses(List<RunSpec> runs) {
        Map<String, RunFolder.Status> out = new LinkedHashMap<>();
        for (RunSpec r : runs) out.put(r.id(), RunFolder.status(run(r.id())));
        return out;
    }
}
