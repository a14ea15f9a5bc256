package arm.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFolderTest {
    @TempDir Path tmp;

    @Test
    void statusFromTheFolders() throws Exception {
        Path none = tmp.resolve("none"),
                done = tmp.resolve("done"),
                running = tmp.resolve("running"),
                dead = tmp.resolve("dead"),
                cancelled = tmp.resolve("cancelled"),
                slurm = tmp.resolve("slurm"),
                broken = tmp.resolve("broken");
        assertThat(RunFolder.status(none)).isEqualTo(RunFolder.Status.pending);

        Files.createDirectories(done);
        Files.writeString(
                done.resolve("results.json"),
                "{\"runs\": [{\"method\": \"ARM\"}], \"failures\": []}");
        assertThat(RunFolder.status(done)).isEqualTo(RunFolder.Status.done);

        RunFolder.note(
                running,
                Map.of(
                        "state",
                        "running",
                        "host",
                        RunFolder.host(),
                        "pid",
                        ProcessHandle.current().pid()));
        Files.writeString(running.resolve("results.json"), "{\"runs\": [], \"failures\": []}");
        assertThat(RunFolder.status(running)).isEqualTo(RunFolder.Status.running);

        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        RunFolder.note(dead, Map.of("state", "running", "host", RunFolder.host(), "pid", p.pid()));
        assertThat(RunFolder.status(dead)).isEqualTo(RunFolder.Status.failed);

        RunFolder.note(cancelled, Map.of("state", "cancelled"));
        assertThat(RunFolder.status(cancelled)).isEqualTo(RunFolder.Status.failed);

        RunFolder.note(slurm, Map.of("state", "running", "host", "node17", "slurmJob", "12_3"));
        assertThat(RunFolder.status(slurm)).isEqualTo(RunFolder.Status.running);

        Files.createDirectories(broken);
        Files.writeString(
                broken.resolve("results.json"),
                "{\"runs\": [{}], \"failures\": [{\"error\": \"NaN\"}]}");
        assertThat(RunFolder.status(broken)).isEqualTo(RunFolder.Status.pending);
        RunFolder.note(broken, Map.of("state", "failed", "exitCode", 1));
        assertThat(RunFolder.status(broken)).isEqualTo(RunFolder.Status.failed);
        assertThat(RunFolder.state(broken).path("exitCode").asInt()).isEqualTo(1);
    }
}
