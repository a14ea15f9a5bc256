package arm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import arm.method.Methods;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `plot` treats a results folder as untrusted: it reads only files inside it, checks every side
 * file's fields and ranges, ends in one line naming the file, and never echoes the content.
 */
class PlotHostileTest {
    @TempDir static Path shared;
    @TempDir Path tmp;
    static Path good;

    /** A real ARM folder with recall side files (recall history, pairs, images). */
    @BeforeAll
    static void run() throws Exception {
        Path data = CliRuns.mnist(shared.resolve("mnist"));
        good = shared.resolve("good");
        CliRuns.Outcome o =
                CliRuns.run(
                        Methods::create,
                        List.of(
                                "train",
                                "--method",
                                "ARM",
                                "--samples-per-class",
                                "30",
                                "--mlp_hidden",
                                "8",
                                "--S",
                                "2",
                                "--gradient-samples",
                                "0",
                                "--data",
                                data.toString(),
                                "--out",
                                good.toString()));
        assertThat(o.code()).as(o.err()).isZero();
    }

    /** A copy of the good folder with one change. */
    Path damaged(Consumer<Path> change) throws Exception {
        Path d = Files.createTempDirectory(tmp, "d");
        try (var s = Files.walk(good)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path to = d.resolve(good.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(to);
                else Files.copy(p, to);
            }
        }
        change.accept(d);
        return d;
    }

    static void editJson(Path dir, Consumer<ObjectNode> edit) {
        try {
            ObjectMapper m = new ObjectMapper();
            ObjectNode root = (ObjectNode) m.readTree(dir.resolve("results.json").toFile());
            edit.accept(root);
            m.writeValue(dir.resolve("results.json").toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path p, String s) {
        try {
            Files.writeString(p, s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * plot fails with exit 2 and one line containing {@code what}, and nothing of {@code secret}.
     */
    static void refused(Path dir, String what, String secret) {
        CliRuns.Outcome o = CliRuns.run(Methods::create, List.of("plot", dir.toString()));
        assertThat(o.code()).as(o.err()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(o.err().lines().toList()).as(o.err()).hasSize(1);
        assertThat(o.err()).startsWith("arm: cannot plot").contains(what);
        if (secret != null) assertThat(o.err()).doesNotContain(secret);
    }

    @Test
    void theGoodFolderPlots() {
        assertThat(CliRuns.run(Methods::create, List.of("plot", good.toString())).code()).isZero();
    }

    @Test
    void aSideFileOutsideTheFolderIsNeverRead() throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret.csv"), "TOPSECRET,1\nTOPSECRET,2\n");
        refused(
                damaged(
                        d ->
                                editJson(
                                        d,
                                        r ->
                                                ((ObjectNode) r.get("runs").get(0).get("recall"))
                                                        .put("history", "../../secret.csv"))),
                "is not a path inside",
                "TOPSECRET");
        refused(
                damaged(
                        d ->
                                editJson(
                                        d,
                                        r ->
                                                ((ObjectNode) r.get("runs").get(0).get("recall"))
                                                        .put("history", secret.toString()))),
                "is not a path inside",
                "TOPSECRET");
        refused(
                damaged(
                        d -> {
                            try {
                                Path h = d.resolve("runs/ARM-run0/recall-history.csv");
                                Files.delete(h);
                                Files.createSymbolicLink(h, secret);
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        }),
                "leads outside",
                "TOPSECRET");
    }

    @Test
    void damagedSideFilesEndInOneLineWithoutTheirContent() throws Exception {
        refused(
                damaged(
                        d ->
                                write(
                                        d.resolve("runs/ARM-run0/recall-history.csv"),
                                        "t,p0,p1\n"
                                            + "1,SECRETWORD-that-is-long-enough-to-be-cut,0.5\n")),
                "is not a number",
                "that-is-long-enough");
        refused(
                damaged(d -> write(d.resolve("runs/ARM-run0/recall-history.csv"), "t,p0\n1,7.5\n")),
                "outside 0.0..1.0",
                null);
        // an .npy header claiming (99999999999, 2, 784) is refused before anything is allocated
        refused(
                damaged(
                        d -> {
                            byte[] h =
                                    "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 2, 784), }          \n"
                                            .getBytes(StandardCharsets.US_ASCII);
                            ByteBuffer b =
                                    ByteBuffer.allocate(10 + h.length + 16)
                                            .order(ByteOrder.LITTLE_ENDIAN);
                            b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0})
                                    .putShort((short) h.length)
                                    .put(h);
                            try {
                                Files.write(
                                        d.resolve("runs/ARM-run0/recalled-pairs.npy"), b.array());
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        }),
                "recalled-pairs.npy",
                null);
    }

    @Test
    void anAccuracyOutsideZeroToOneIsRefusedAsResumeRefusesIt() throws Exception {
        refused(
                damaged(
                        d ->
                                editJson(
                                        d,
                                        r ->
                                                ((ObjectNode) r.get("runs").get(0).get("test"))
                                                        .put("accuracy", 7.5))),
                "outside 0.0..1.0",
                null);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFifoWhereASideFileShouldBeIsNamedNotWaitedFor() throws Exception {
        Path d = damaged(x -> {});
        Path h = d.resolve("runs/ARM-run0/recall-history.csv");
        Files.delete(h);
        Assumptions.assumeTrue(new ProcessBuilder("mkfifo", h.toString()).start().waitFor() == 0);
        refused(d, "FIFO", null);
    }
}
