package arm.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvenanceTest {
    @TempDir Path tmp;

    static Properties props(String version, String commit, String describe) {
        Properties p = new Properties();
        p.setProperty("version", version);
        p.setProperty("commit", commit);
        p.setProperty("describe", describe);
        return p;
    }

    @Test
    void twoBuildsFromTwoCommitsDifferInResultsJson() throws Exception {
        String c1 = "0123456789abcdef0123456789abcdef01234567",
                c2 = "89abcdef0123456789abcdef0123456789abcdef";
        Provenance.Build a = Provenance.build(props("0.1.0-SNAPSHOT", c1, "0123456789ab"));
        Provenance.Build b = Provenance.build(props("0.1.0-SNAPSHOT", c2, "89abcdef0123-dirty"));
        assertThat(a.dirty()).isFalse();
        assertThat(b.dirty()).isTrue();
        Map<String, Object> ja =
                Provenance.start(a, List.of("train", "--method", "ARM"), "cpu").toJson();
        Map<String, Object> jb =
                Provenance.start(b, List.of("train", "--method", "ARM"), "cpu").toJson();
        assertThat(ja.get("commit")).isEqualTo(c1);
        assertThat(jb.get("commit")).isEqualTo(c2);
        assertThat(ja.get("describe")).isNotEqualTo(jb.get("describe"));
        assertThat(ja.keySet())
                .containsExactly(
                        "version",
                        "commit",
                        "describe",
                        "dirty",
                        "commandLine",
                        "jdk",
                        "os",
                        "cpu",
                        "cores",
                        "started",
                        "finished");
        assertThat(ja.get("finished")).isNull();
        assertThat(a.line()).contains(c1).contains("clean");
    }

    @Test
    void aBuildWithoutGitSaysUnknown() {
        Provenance.Build b =
                Provenance.build(
                        props("0.1.0-SNAPSHOT", "${arm.git.commit}", "${arm.git.describe}"));
        assertThat(b.commit()).isEqualTo("unknown");
        assertThat(b.describe()).isEqualTo("unknown");
        assertThat(b.dirty()).isNull();
        assertThat(Provenance.build(new Properties()).version()).isEqualTo("unknown");
        assertThat(Provenance.build(props("1", "fatal: not a git repository", "")).commit())
                .isEqualTo("unknown");
    }

    @Test
    void thisBuildKnowsItsVersion() {
        assertThat(Provenance.build().version()).isEqualTo("0.1.0-SNAPSHOT");
    }

    @Test
    void readsBackAndToleratesOldOrHostileFiles() throws Exception {
        Provenance p =
                Provenance.start(
                                Provenance.build(props("v", "unknown", "unknown")),
                                List.of("plot", "x"),
                                "cpu")
                        .finish();
        Provenance r =
                Provenance.start(
                        Provenance.build(props("w", "unknown", "unknown")),
                        List.of("train", "--resume", "x"),
                        "cpu");
        Provenance.History h = new Provenance.History(p, List.of()).resumedBy(r);
        assertThat(h.original()).isEqualTo(p);
        assertThat(h.latest()).isEqualTo(r);
        Path f = tmp.resolve("results.json");
        new ObjectMapper()
                .writeValue(
                        f.toFile(),
                        Map.of(
                                "provenance",
                                h.original().toJson(),
                                "resumes",
                                h.resumes().stream().map(Provenance::toJson).toList()));
        Provenance.History back = Provenance.read(f);
        assertThat(back).isEqualTo(h);
        assertThat(Provenance.markdown(back))
                .contains("`arm plot x`")
                .contains("resumed: `arm train --resume x`");

        Files.writeString(f, "{\"config\": {}}"); // before provenance existed
        assertThat(Provenance.read(f)).isEqualTo(Provenance.History.NONE);
        Files.writeString(f, "not json");
        assertThat(Provenance.read(f)).isEqualTo(Provenance.History.NONE);
        Files.writeString(
                f,
                "{\"provenance\": {\"version\": \"\\u0007\\u001b[31mevil\", \"commit\": 5,"
                        + " \"cores\": -1}}");
        Provenance q = Provenance.read(f).original();
        assertThat(q.version()).isEqualTo("unknown");
        assertThat(q.commit()).isEqualTo("unknown");
        assertThat(q.cores()).isZero();
        assertThat(q.dirty()).isNull();
    }
}
